/**
 * The one place zx `$` is configured. Every command a task runs goes through `Shell.run`: it is echoed
 * (secrets masked), streamed when verbose, recorded instead of run under --dry-run, and turned into a
 * one-line error that names the command when it fails.
 */
import { $, ProcessOutput } from 'zx'
import { setTimeout as delay } from 'node:timers/promises'
import { trackChild, untrackChild } from './lifecycle.ts'
import { redact } from './redact.ts'
import { toolHint } from './tools.ts'

export interface RunOpts {
  /** Written to the process's stdin (how secrets reach kubectl: never argv). Not echoed. */
  input?: string
  env?: Record<string, string | undefined>
  cwd?: string
  /** Where the echo and streamed output go (a listr task's output). */
  log?: (line: string) => void
  /** Do not echo the command (reads whose command is noise to the learner). */
  quiet?: boolean
  /** Return a non-zero exit instead of throwing. */
  allowFail?: boolean
  /** Only reads: runs even under --dry-run (e.g. `docker image inspect`). Default false. */
  readOnly?: boolean
}

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
}

export interface Shell {
  readonly dryRun: boolean
  run(bin: string, args: string[], opts?: RunOpts): Promise<RunResult>
  /** Full path of a program on PATH, or undefined. */
  which(bin: string): Promise<string | undefined>
}

/** A command that ran and failed. The message is one line; details (stderr tail) follow on later lines. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
    hint?: string,
  ) {
    const last = redact(stderr.trim()).split('\n').filter(Boolean).slice(-1)[0] ?? ''
    super(`\`${command}\` failed (exit ${exitCode})${last ? `: ${last}` : ''}${hint ? ` — ${hint}` : ''}`)
    this.name = 'CommandError'
  }
}

/** A program the step needs is not installed. */
export class ToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed or not on PATH — ${toolHint(tool)}`)
    this.name = 'ToolMissingError'
  }
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/** How a learner would type the command: shell-quoted, secrets masked. */
export function formatCommand(bin: string, args: string[], opts: Pick<RunOpts, 'input' | 'env'> = {}): string {
  const q = (a: string) => (a === '' ? "''" : SAFE.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)
  const line = [bin, ...args].map(q).join(' ')
  return redact(opts.input !== undefined ? `${line} < (stdin)` : line)
}

export interface ShellOptions {
  dryRun?: boolean
  verbose?: boolean
  /** Environment added to every command (e.g. the provider's docker-env). */
  env?: Record<string, string | undefined>
}

export function createShell(options: ShellOptions = {}): Shell {
  const baseEnv = () => ({ ...process.env, ...options.env })
  return {
    dryRun: !!options.dryRun,
    async which(bin) {
      const r = await $({ quiet: true, nothrow: true })`command -v ${bin}`
      const p = r.stdout.trim()
      return r.exitCode === 0 && p ? p : undefined
    },
    async run(bin, args, opts = {}) {
      const shown = formatCommand(bin, args, opts)
      const log = opts.log ?? (() => {})
      if (!opts.quiet) log(`$ ${shown}`)
      if (options.dryRun && !opts.readOnly) return { stdout: '', stderr: '', exitCode: 0 }
      const env = { ...baseEnv(), ...opts.env } as NodeJS.ProcessEnv
      for (let attempt = 1; ; attempt++) {
        const result = await runOnce(bin, args, env, opts, log, !!options.verbose)
        if (result.exitCode === 127 && /not found/.test(result.stderr)) throw new ToolMissingError(bin)
        const lock = bin === 'kubectl' && result.exitCode !== 0 ? KUBECONFIG_LOCK.exec(result.stderr) : null
        if (lock && attempt < KUBECONFIG_LOCK_TRIES) {
          // another kubectl is writing the kubeconfig this moment: it holds <file>.lock for milliseconds
          await delay(KUBECONFIG_LOCK_WAIT_MS * attempt)
          continue
        }
        if (result.exitCode !== 0 && !opts.allowFail) {
          const hint = lock ? `${lock[1]} stayed locked for ${KUBECONFIG_LOCK_TRIES} tries: another kubectl (or another run) is editing the kubeconfig — if none is, delete ${lock[1]}` : undefined
          throw new CommandError(shown, result.exitCode, result.stderr, hint)
        }
        return result
      }
    },
  }
}

/** kubectl's message when another process holds the kubeconfig's lock file. */
export const KUBECONFIG_LOCK = /open (\S+\.lock): file exists/
export const KUBECONFIG_LOCK_TRIES = 5
const KUBECONFIG_LOCK_WAIT_MS = 200

/**
 * One command, in its own process group (detached) so the whole group — a `minikube start` and what it spawns —
 * is killed with the run on every exit path (tasks/lib/lifecycle.ts).
 */
async function runOnce(bin: string, args: string[], env: NodeJS.ProcessEnv, opts: RunOpts, log: (l: string) => void, verbose: boolean): Promise<RunResult> {
  const p = $({
    quiet: true,
    nothrow: true,
    detached: true,
    env,
    cwd: opts.cwd,
    input: opts.input,
  })`${bin} ${args}`
  // zx spawns on the next tick; the pid is known once the child exists
  let done = false
  const track = () => {
    if (!done) trackChild(p.pid)
  }
  queueMicrotask(track)
  setImmediate(track)
  const flushers: Array<() => void> = []
  if (verbose) {
    // whole lines only: a secret split across two chunks would slip past redact()
    const stream = () => {
      let partial = ''
      const emit = (text: string) => {
        for (const l of redact(text).split('\n')) if (l.trim()) log(l)
      }
      flushers.push(() => partial && emit(partial))
      return (d: Buffer) => {
        const text = partial + d.toString()
        const cut = text.lastIndexOf('\n')
        partial = cut < 0 ? text : text.slice(cut + 1)
        if (cut >= 0) emit(text.slice(0, cut))
      }
    }
    p.stdout.on('data', stream())
    p.stderr.on('data', stream())
  }
  try {
    const out: ProcessOutput = await p
    for (const flush of flushers) flush()
    return { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode ?? 1 }
  } finally {
    done = true
    untrackChild(p.pid)
  }
}
