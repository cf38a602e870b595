/** Entry point: `npx tsx tasks/rollout.ts --tag T` — the rollout step (tasks/steps/rollout.ts) on its own. */
import { UsageError } from './lib/cli.ts'
import { command } from './lib/command.ts'
import { tagNames } from './lib/tutorial.ts'
import { NAMESPACE_FLAG, namespaceFlag, TIMEOUT_FLAG, timeoutFlag } from './lib/flags.ts'
import { spec } from './lib/task.ts'
import { rollout, type RolloutVia } from './steps/rollout.ts'

const cmd = spec(
  'tasks/rollout.ts',
  'Roll deployment/hellogopher to another image tag and wait until it has rolled out (lesson 7). The image must already be in the cluster\'s runtime (tasks/build-images.ts). Tag 2.0 rolls out fine and then fails its liveness probe after 10 s — that is the lesson.',
  {
    tag: { type: 'string', description: 'image tag to roll to (required)', choices: tagNames() },
    namespace: NAMESPACE_FLAG,
    via: { type: 'string', description: 'set-image: kubectl set image; apply: edit manifests/02_hellogopher.yml and kubectl apply -f', choices: ['set-image', 'apply'], default: 'set-image' },
    timeout: TIMEOUT_FLAG,
  },
  { examples: ['npx tsx tasks/rollout.ts --tag 2.0', 'npx tsx tasks/rollout.ts --tag 4.0 --via apply', 'npx tsx tasks/rollout.ts --tag 2.0 --dry-run'] },
)

await command({
  spec: cmd,
  // flags are checked here, before any cluster is contacted
  options: ({ flags }) => {
    if (!flags.tag) throw new UsageError(`--tag is required (one of ${tagNames().join(', ')})`)
    return { tag: flags.tag as string, namespace: namespaceFlag(flags), via: flags.via as RolloutVia, timeoutMs: timeoutFlag(flags) }
  },
  ctx: ({ tag, namespace }) => ({ tag, namespace }),
  guard: { mutates: true, lock: true },
  steps: ({ deps, options }) => [rollout(deps, { via: options.via, timeoutMs: options.timeoutMs })],
}).mainIf(import.meta.url)
