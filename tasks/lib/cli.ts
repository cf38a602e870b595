/**
 * Command-line handling shared by every task file: flag parsing with one-line usage errors (exit 2),
 * --help, and a main() wrapper that turns any failure into one clear line (exit 1) — never a stack trace.
 */
import { parseArgs } from 'node:util'
import { installExitHandlers, startWatchdog, stoppingOn } from './lifecycle.ts'
import { redact } from './redact.ts'

export class UsageError extends Error {
  override name = 'UsageError'
}

/** A positional argument where the command takes none (a task may want to say more, or not echo it back). */
export class UnexpectedArgumentError extends UsageError {
  constructor(readonly argument: string) {
    super(`unexpected argument '${argument}'`)
  }
}

export interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  description: string
  default?: string | boolean
  /** Allowed values for a string flag. */
  choices?: readonly string[]
  multiple?: boolean
}

export interface CommandSpec {
  /** e.g. `tasks/rollout.ts` */
  name: string
  summary: string
  /** Positional arguments, for the usage line, e.g. `<lesson>` */
  positionals?: string
  flags: Record<string, FlagSpec>
  examples?: string[]
}

/** Flags every task accepts. */
export const COMMON_FLAGS = {
  'dry-run': { type: 'boolean', description: 'print the ordered plan (commands, manifests) and touch nothing' },
  verbose: { type: 'boolean', short: 'v', description: "stream every command's output" },
  provider: {
    type: 'string',
    description: 'cluster provider (default: detected from the current context and installed tools)',
    choices: ['minikube', 'kind', 'lab', 'remote'],
  },
  context: { type: 'string', description: 'kubeconfig context to use (required to act on a non-local cluster)' },
  registry: { type: 'string', description: 'registry host[:port]/repo a remote cluster pulls the images from (implies --provider remote)' },
  image: {
    type: 'string',
    multiple: true,
    description: 'use another image where the manifests name one, FROM=TO (a mirror, an air-gapped copy); repeatable, shown when applied',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, FlagSpec>

export function usage(spec: CommandSpec): string {
  const lines = [`Usage: npx tsx ${spec.name}${spec.positionals ? ` ${spec.positionals}` : ''} [flags]`, '', spec.summary, '', 'Flags:']
  const entries = Object.entries(spec.flags)
  const left = entries.map(([name, f]) => `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ' <value>' : ''}`)
  const width = Math.max(...left.map((l) => l.length)) + 2
  entries.forEach(([, f], i) => {
    const extra = [
      f.choices ? `one of: ${f.choices.join(', ')}` : '',
      f.default !== undefined && f.default !== false ? `default: ${String(f.default)}` : '',
    ].filter(Boolean)
    lines.push(`  ${left[i]!.padEnd(width)}${f.description}${extra.length ? ` (${extra.join('; ')})` : ''}`)
  })
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`))
  return lines.join('\n')
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>

export interface Parsed {
  flags: ParsedFlags
  positionals: string[]
  help: boolean
}

/** Parse argv against the spec. Unknown flags, missing values and bad choices throw UsageError (one line). */
export function parseCli(spec: CommandSpec, argv: string[], { allowPositionals = false } = {}): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const [name, f] of Object.entries(spec.flags)) {
    options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }
  }
  let values: ParsedFlags
  let positionals: string[]
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
    values = r.values as ParsedFlags
    positionals = r.positionals
  } catch (e) {
    throw new UsageError(cleanParseError((e as Error).message))
  }
  if (values.help) return { flags: values, positionals, help: true }
  if (positionals.length && !allowPositionals && !spec.positionals) {
    throw new UnexpectedArgumentError(positionals[0]!)
  }
  for (const [name, f] of Object.entries(spec.flags)) {
    const v = values[name]
    if (v === undefined && f.default !== undefined) values[name] = f.default
    if (typeof v === 'string') {
      if (v === '' ) throw new UsageError(`--${name} needs a value`)
      if (f.choices && !f.choices.includes(v)) {
        throw new UsageError(`--${name} must be one of ${f.choices.join(', ')} (got '${v}')`)
      }
    }
  }
  return { flags: values, positionals, help: false }
}

function cleanParseError(msg: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(msg)
  if (unknown) return `unknown flag ${unknown[1]}`
  const missing = /Option '([^']+)' argument missing/.exec(msg)
  if (missing) return `${missing[1]!.replace(/^-\w, /, '').replace(/ <\w+>$/, '')} needs a value`
  return msg.split('\n')[0]!.replace(/\. To specify.*$/, '')
}

/** Process-level failure formatting: first line says what failed; the rest (if any) is detail. */
export function formatFailure(err: unknown): string {
  const e = err as Error & { errors?: unknown[] }
  // listr2 wraps collected errors; the first one is the cause a person needs
  const msg = e?.message ?? String(err)
  return redact(msg.replace(/^Error: /, ''))
}

/**
 * Run a task file's main. Usage errors → one line + hint, exit 2. Other errors → one line, exit 1.
 * `--help` is handled by the caller via parseCli's `help`.
 */
export async function runMain(spec: CommandSpec, main: () => Promise<void | number>): Promise<void> {
  // children, temp files and the run lock go with the run on every exit path; a SIGKILLed launcher stops it too
  installExitHandlers()
  startWatchdog()
  try {
    const code = await main()
    process.exitCode = typeof code === 'number' ? code : 0
  } catch (err) {
    // stopped by a signal: the failure of the command it killed is no news; the exit handler reports and exits
    if (stoppingOn()) return
    if (err instanceof UsageError) {
      process.stderr.write(`${spec.name}: ${redact(err.message)} (see --help)\n`)
      process.exitCode = 2
      return
    }
    process.stderr.write(`error: ${formatFailure(err).split('\n')[0]}\n`)
    const rest = formatFailure(err).split('\n').slice(1).join('\n').trim()
    if (rest && process.env.LEARN_K8S_DEBUG) process.stderr.write(`${rest}\n`)
    if (process.env.LEARN_K8S_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${redact(err.stack)}\n`)
    process.exitCode = 1
  }
}

/** True when this module is the entry point (`npx tsx tasks/x.ts`), false when imported. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1]
  if (!entry) return false
  const file = new URL(metaUrl).pathname
  return file === entry || file === `${entry}.ts` || file.replace(/\.ts$/, '') === entry.replace(/\.ts$/, '')
}
