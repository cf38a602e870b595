/** Entry point: `npx tsx tasks/patch-secret.ts` — patch database-secrets and restart the app (tasks/steps/patch-secret.ts). */
import { command } from './lib/command.ts'
import { APP, ROLLOUT_DEADLINE_MS } from './lib/tutorial.ts'
import { spec } from './lib/task.ts'
import { NAMESPACE_FLAG, namespaceFlag } from './lib/flags.ts'
import { DEFAULT_KEY, parsePatchFlags, patchSecret, readSecretValue, restartApp, SECRET } from './steps/patch-secret.ts'

const cmd = spec(
  'tasks/patch-secret.ts',
  `Lesson 13: patch one key of Secret ${SECRET} (kubectl patch secret --type=json, via a 0600 patch file). The value is read from stdin, an environment variable or a file — never from the command line. Pods read env from a Secret only when their container starts, so use --restart to make hellogopher pick it up; with a wrong password the restarted pod cannot connect to MySQL and crash-loops, and the wait reports that.`,
  {
    key: { type: 'string', description: 'key in the Secret', default: DEFAULT_KEY },
    'from-stdin': { type: 'boolean', description: 'read the value from stdin (one trailing newline dropped)' },
    'from-env': { type: 'string', description: 'read the value from this environment variable' },
    'from-file': { type: 'string', description: 'read the value from this file (one trailing newline dropped)' },
    base64: { type: 'boolean', description: 'the value is already base64 (checked strictly)' },
    restart: { type: 'boolean', description: `then kubectl rollout restart deployment/${APP} and wait for it (env from a Secret is read only at container start)` },
    'no-wait': { type: 'boolean', description: 'with --restart: return right after the restart command' },
    namespace: { ...NAMESPACE_FLAG, description: 'namespace of the Secret and the deployment' },
    timeout: { type: 'string', description: 'seconds to wait for the restart to roll out', default: String(ROLLOUT_DEADLINE_MS / 1000) },
  },
  {
    examples: [
      "printf %s 'wrong' | npx tsx tasks/patch-secret.ts --from-stdin --restart        # the app fails to connect",
      'echo cGFzc3dvcmQ= | npx tsx tasks/patch-secret.ts --from-stdin --base64 --restart # heals it',
      'DB_PW=password npx tsx tasks/patch-secret.ts --from-env DB_PW',
    ],
  },
)

await command({
  spec: cmd,
  // a stray argument is most likely the value itself: do not print it back
  unexpectedArgument: 'takes no arguments — pass the value with --from-stdin, --from-env or --from-file (argv lands in shell history and ps)',
  // the value is read (and checked) before any cluster is looked at
  options: async ({ flags }) => {
    const f = parsePatchFlags(flags)
    return { ...f, b64: await readSecretValue(f), namespace: namespaceFlag(flags) }
  },
  ctx: ({ namespace }) => ({ namespace }),
  guard: { mutates: true, lock: true },
  steps: ({ deps, options: o }) => [patchSecret(deps, { key: o.key, b64: o.b64 }), ...(o.restart ? [restartApp(deps, { wait: o.wait, timeoutMs: o.timeoutMs })] : [])],
}).mainIf(import.meta.url)
