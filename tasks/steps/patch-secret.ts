/**
 * Lesson 13: change a key of Secret database-secrets with `kubectl patch secret --type=json` (the value
 * travels in a 0600 patch file, never in argv), optionally restart hellogopher so it reads it.
 * Idempotent: skips the patch when the Secret already holds that value.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError, type ParsedFlags } from '../lib/cli.ts'
import { APP, ROLLOUT_DEADLINE_MS } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { KubernetesObject } from '../lib/kube.ts'
import { kubectl } from '../lib/kubectl.ts'
import { registerTempPath, releaseTempPath, tempPrefix } from '../lib/lifecycle.ts'
import { registerSecret } from '../lib/redact.ts'
import { logTo, type Step, changesOnly } from '../lib/task.ts'
import { waitForRolloutExplained } from './rollout.ts'
import { timeoutFlag } from '../lib/flags.ts'

export const SECRET = 'database-secrets'
export const DEFAULT_KEY = 'DATABASE_PASSWORD'

type SecretObject = KubernetesObject & { data?: Record<string, string> }

export type ValueSource = { stdin: true } | { env: string } | { file: string }

export interface PatchSecretFlags {
  key: string
  source: ValueSource
  /** The value is given base64-encoded already. */
  base64: boolean
  restart: boolean
  wait: boolean
  timeoutMs: number
}

export interface PatchSecretOptions {
  key: string
  /** The new value, base64-encoded (what Secret.data holds). */
  b64: string
}

export interface RestartOptions {
  wait: boolean
  timeoutMs?: number
}

/** Canonical base64 only: the alphabet, `=` padding, length a multiple of 4, and it must re-encode the same. */
export function isStrictBase64(s: string): boolean {
  if (!s || s.length % 4 !== 0) return false
  if (!/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(s)) return false
  return Buffer.from(s, 'base64').toString('base64') === s
}

/** The flags, checked; no value is read here. */
export function parsePatchFlags(f: ParsedFlags): PatchSecretFlags {
  const key = (f.key as string | undefined) ?? DEFAULT_KEY
  if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key)) throw new UsageError(`--key '${key}' is not a valid Secret key (letters, digits, '-', '_', '.')`)
  const sources: ValueSource[] = []
  if (f['from-stdin']) sources.push({ stdin: true })
  if (f['from-env'] !== undefined) {
    const v = f['from-env'] as string
    // never echo it back: a person may have typed the value itself here
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new UsageError('--from-env takes the NAME of an environment variable (letters, digits, _), not the value')
    sources.push({ env: v })
  }
  if (f['from-file'] !== undefined) sources.push({ file: f['from-file'] as string })
  if (sources.length === 0) throw new UsageError('give the new value with --from-stdin, --from-env VAR or --from-file PATH (never on the command line)')
  if (sources.length > 1) throw new UsageError('give exactly one of --from-stdin, --from-env, --from-file')
  if (f['no-wait'] && !f.restart) throw new UsageError('--no-wait only applies with --restart')
  return { key, source: sources[0]!, base64: !!f.base64, restart: !!f.restart, wait: !f['no-wait'], timeoutMs: timeoutFlag(f) }
}

export interface ValueIO {
  stdin: () => Promise<string>
  env: Record<string, string | undefined>
  readFile: (path: string) => Promise<string>
}

export const realIO: ValueIO = {
  async stdin() {
    if (process.stdin.isTTY) process.stderr.write('reading the value from stdin; end with Ctrl-D (it is echoed while you type — prefer a pipe)\n')
    const chunks: Buffer[] = []
    for await (const c of process.stdin) chunks.push(c as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  },
  env: process.env,
  readFile: (p) => readFile(p, 'utf8'),
}

/**
 * Read the new value from its one source, register it as a secret at once, and return it base64-encoded.
 * One trailing newline is dropped (what `echo` and editors add). Bad input is a UsageError that never quotes the value.
 */
export async function readSecretValue(flags: Pick<PatchSecretFlags, 'source' | 'base64'>, io: ValueIO = realIO): Promise<string> {
  let raw: string
  const s = flags.source
  if ('stdin' in s) raw = await io.stdin()
  else if ('env' in s) {
    const v = io.env[s.env]
    // not named: `--from-env hunter2` may well be the value itself
    if (v === undefined) throw new UsageError('the variable named by --from-env is not set (give the NAME of a set environment variable, e.g. DB_PW=… --from-env DB_PW)')
    raw = v
  } else {
    try {
      raw = await io.readFile(s.file)
    } catch (e) {
      throw new UsageError(`cannot read --from-file ${s.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
  }
  registerSecret(raw)
  const value = raw.replace(/\r?\n$/, '')
  registerSecret(value)
  if (!value) throw new UsageError('the new value is empty')
  if (!flags.base64) return Buffer.from(value, 'utf8').toString('base64')
  if (!isStrictBase64(value)) {
    throw new UsageError(`--base64: the value is not valid base64 (${value.length} characters; expected A-Z a-z 0-9 + / with = padding, length a multiple of 4) — nothing was sent`)
  }
  return value
}

/** The JSON patch the tutorial types inline; here it goes into a file. */
export function secretPatch(key: string, b64: string, op: 'replace' | 'add' = 'replace'): string {
  return JSON.stringify([{ op, path: `/data/${key}`, value: b64 }])
}

const secretRef = (namespace: string) => ({ apiVersion: 'v1', kind: 'Secret', name: SECRET, namespace })

export const patchSecret = (deps: Deps, opts: PatchSecretOptions): Step => ({
  title: `Patch secret/${SECRET} key ${opts.key}`,
  skip: async ({ namespace }) => {
    const s = await deps.kube().read<SecretObject>(secretRef(namespace))
    return s?.data?.[opts.key] === opts.b64 ? `secret/${SECRET} already has that value for ${opts.key}` : false
  },
  task: async ({ namespace, dryRun }, task) => {
    let op: 'replace' | 'add' = 'replace'
    if (!dryRun) {
      const s = await deps.kube().read<SecretObject>(secretRef(namespace))
      if (!s) throw new Error(`secret/${SECRET} does not exist in namespace ${namespace} — apply the manifests first: npx tsx tasks/apply.ts`)
      // JSON-patch `replace` needs the key to exist; `add` creates it
      if (!(opts.key in (s.data ?? {}))) op = 'add'
    }
    if (dryRun) {
      // nothing is written under --dry-run: the command is shown with where the file would be
      await kubectl(deps, ['patch', 'secret', SECRET, '-n', namespace, '--type=json', '--patch-file', join(tmpdir(), 'learn-k8s-patch-XXXXXX', 'patch.json')], { log: logTo(task) })
      return
    }
    // a private directory, a 0600 file, gone afterwards (also on Ctrl-C, SIGTERM or any exit: lifecycle.ts):
    // the value never reaches argv or the echo
    const dir = await mkdtemp(join(tmpdir(), tempPrefix('learn-k8s-patch')))
    registerTempPath(dir)
    const file = join(dir, 'patch.json')
    try {
      await writeFile(file, secretPatch(opts.key, opts.b64, op), { mode: 0o600, flag: 'wx' })
      await kubectl(deps, ['patch', 'secret', SECRET, '-n', namespace, '--type=json', '--patch-file', file], { log: logTo(task) })
    } finally {
      await rm(dir, { recursive: true, force: true })
      releaseTempPath(dir)
    }
  },
})

export const restartApp = (deps: Deps, opts: RestartOptions): Step => ({
  title: `Restart deployment/${APP} so its pods read the Secret again`,
  task: async ({ namespace, dryRun }, task) => {
    const log = logTo(task)
    await kubectl(deps, ['rollout', 'restart', `deployment/${APP}`, '-n', namespace], { log })
    if (dryRun) return
    if (!opts.wait) {
      log(`not waiting (--no-wait); watch it with: kubectl get pods -n ${namespace} -w`)
      return
    }
    const timeoutMs = opts.timeoutMs ?? ROLLOUT_DEADLINE_MS
    await waitForRolloutExplained(deps.kube(), namespace, APP, {
      timeoutMs,
      onProgress: changesOnly(log),
      logs: true,
      hint: `the new pod does not start; with a wrong ${DEFAULT_KEY} the app cannot connect to MySQL (lesson 13) — patch the right value back with --restart`,
    })
    task.title = `deployment/${APP} restarted and rolled out with the new Secret`
  },
})
