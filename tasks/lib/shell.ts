/**
 * The one place zx `$` is configured. Every command a task runs goes through `Shell.run`: it is echoed
 * (secrets masked), streamed when verbose, recorded instead of run under --dry-run, and turned into a
 * one-line error that names the command when it fails.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import type { ProcessOutput } from 'zx'
import { setTimeout as delay } from 'node:timers/promises'
import { trackChild, untrackChild } from './lifecycle.ts'
import { redact } from './redact.ts'
import { toolHint } from './tools.ts'

/** Where a step's progress lines go (a listr2 task's output, or nowhere). */
export type Log = (line: string) => void

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
  /** Every whole line of stdout and stderr as it arrives (redacted), e.g. to count a build's progress; with --verbose they go here instead of to `log`. */
  onLine?: (line: string) => void
}

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
}

export interface StartOpts {
  env?: Record<string, string | undefined>
  cwd?: string
  /** Where the echo goes. */
  log?: (line: string) => void
  quiet?: boolean
}

/**
 * A program left running in the background (e.g. `minikube service --url`, which keeps a tunnel open on some
 * drivers). It runs in a process group of its own, so stop() ends it and everything it started; it is also
 * ended when this process exits, so nothing is left behind.
 */
export interface Background {
  /** The command as a learner would type it. */
  readonly command: string
  readonly pid: number | undefined
  running(): boolean
  stdout(): string
  stderr(): string
  /**
   * The first stdout line matching `re`. Rejects with one line naming the command when the process exits
   * without printing one, or when `timeoutMs` passes (the process is stopped then).
   */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>
  /** Wait up to `ms` for the process to end; true when it has. */
  waitForExit(ms: number): Promise<boolean>
  /** SIGINT to its process group (the program's own clean-up runs), SIGKILL to the group after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>
}

export interface Shell {
  readonly dryRun: boolean
  run(bin: string, args: string[], opts?: RunOpts): Promise<RunResult>
  /** Start a program that may keep running; it runs also under --dry-run, so use it only for reads. */
  start(bin: string, args: string[], opts?: StartOpts): Background
  /** Full path of a program on PATH, or undefined. */
  which(bin: string): Promise<string | undefined>
}

/** A command that ran and failed. The message is one line; details (stderr tail) follow on later lines. */
export class CommandError extends Error {
  /** What the program said last on stderr (redacted), or '' — the part of the message after `failed (exit N): `. */
  readonly said: string
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
    readonly hint?: string,
  ) {
    const last = redact(stderr.trim()).split('\n').filter(Boolean).slice(-1)[0] ?? ''
    super(`\`${command}\` failed (exit ${exitCode})${last ? `: ${last}` : ''}${hint ? ` — ${hint}` : ''}`)
    this.name = 'CommandError'
    this.said = last
  }
}

/** A background program did not print what was waited for in time (it has been stopped). */
export class DeadlineError extends Error {
  override name = 'DeadlineError'
}

/** A program the step needs is not installed. */
export class ToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed or not on PATH — ${toolHint(tool)}`)
    this.name = 'ToolMissingError'
  }
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/**
 * Where `bin` is on PATH (what `command -v` says for a program), read in this process: an executable regular file.
 * A name with a slash is checked as given.
 */
export function findOnPath(bin: string, path = process.env.PATH ?? ''): string | undefined {
  const isExe = (p: string) => {
    try {
      accessSync(p, constants.X_OK)
      return statSync(p).isFile()
    } catch {
      return false
    }
  }
  if (bin.includes('/')) return isExe(bin) ? bin : undefined
  for (const dir of path.split(delimiter)) {
    // an empty PATH entry means the current directory, as in sh
    const p = join(dir || '.', bin)
    if (isExe(p)) return isAbsolute(p) ? p : join(process.cwd(), p)
  }
  return undefined
}

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

/** Process groups still running that this process started: ended (SIGKILL) if this process ends first. */
const liveGroups = new Set<number>()
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const
const onSignal = (sig: keyof typeof SIGNALS) => {
  killAll()
  process.exit(128 + SIGNALS[sig])
}
const handlers = Object.fromEntries(Object.keys(SIGNALS).map((s) => [s, () => onSignal(s as keyof typeof SIGNALS)])) as Record<string, () => void>
function killAll(): void {
  for (const g of liveGroups) killGroup(g, 'SIGKILL')
  liveGroups.clear()
}
function trackGroup(pid: number): void {
  if (!liveGroups.size) {
    // Ctrl-C in a terminal reaches only our own process group: the background one is ended here
    process.on('exit', killAll)
    for (const [s, h] of Object.entries(handlers)) process.on(s, h)
  }
  liveGroups.add(pid)
}
function untrackGroup(pid: number): void {
  if (!liveGroups.delete(pid) || liveGroups.size) return
  process.removeListener('exit', killAll)
  for (const [s, h] of Object.entries(handlers)) process.removeListener(s, h)
}

const WINDOWS = process.platform === 'win32'

function groupExists(pid: number): boolean {
  try {
    // Windows has no process groups: the program itself stands for its tree
    process.kill(WINDOWS ? pid : -pid, 0)
    return true
  } catch {
    return false
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (WINDOWS) {
    // no signals to a group there: taskkill ends the program and what it started (/T), at once (/F)
    if (signal === 'SIGKILL' || signal === 'SIGINT') spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true })
    return
  }
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is already gone
  }
}

/** Start `bin args` in its own process group, stdout/stderr collected (see Background). */
export function startBackground(bin: string, args: string[], opts: StartOpts & { baseEnv?: NodeJS.ProcessEnv } = {}): Background {
  const command = formatCommand(bin, args)
  if (!opts.quiet) opts.log?.(`$ ${command}`)
  const child = spawn(bin, args, {
    cwd: opts.cwd,
    env: { ...(opts.baseEnv ?? process.env), ...opts.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    // a process group of its own (stop() signals all of it); on Windows that would open a console window instead
    detached: !WINDOWS,
    windowsHide: true,
  })
  let out = ''
  let err = ''
  let exitCode: number | null | undefined
  let spawnError: Error | undefined
  const lineWaiters = new Set<() => void>()
  const exitWaiters = new Set<() => void>()
  const wake = (set: Set<() => void>) => {
    for (const w of [...set]) w()
  }
  const pid = child.pid
  if (pid) trackGroup(pid)
  // decoded as text across chunk boundaries (a character split between two reads stays whole)
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (d: string) => {
    out += d
    wake(lineWaiters)
  })
  child.stderr.on('data', (d: string) => {
    err += d
  })
  let closed = false
  child.on('error', (e) => {
    spawnError = (e as NodeJS.ErrnoException).code === 'ENOENT' ? new ToolMissingError(bin) : e
    exitCode = exitCode ?? -1
    closed = true
    wake(lineWaiters)
    wake(exitWaiters)
  })
  // 'exit': the program itself ended; 'close': its output is all read (a child it left may hold the pipes open)
  child.on('exit', (code, signal) => {
    exitCode = code ?? (signal ? 128 : 1)
    if (pid && !groupExists(pid)) untrackGroup(pid)
    wake(exitWaiters)
  })
  child.on('close', (code, signal) => {
    exitCode = exitCode ?? code ?? (signal ? 128 : 1)
    closed = true
    wake(lineWaiters)
    wake(exitWaiters)
  })
  const running = () => exitCode === undefined
  const lastErr = () => redact(err.trim()).split('\n').filter(Boolean).slice(-1)[0] ?? ''
  const bg: Background = {
    command,
    pid,
    running,
    stdout: () => out,
    stderr: () => err,
    waitForLine(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined
        const check = () => {
          const line = out.split(/\r?\n/).map((l) => l.trim()).find((l) => re.test(l))
          if (line !== undefined) return finish(() => resolve(line))
          if (spawnError) return finish(() => reject(spawnError))
          if (closed) return finish(() => reject(new CommandError(command, exitCode ?? 1, err, `it printed nothing matching ${re}`)))
        }
        const finish = (f: () => void) => {
          lineWaiters.delete(check)
          if (timer) clearTimeout(timer)
          f()
        }
        lineWaiters.add(check)
        timer = setTimeout(() => {
          lineWaiters.delete(check)
          void bg.stop().then(() =>
            reject(new DeadlineError(`\`${command}\` printed nothing matching ${re} within ${Math.round(timeoutMs / 1000)}s${lastErr() ? `; it said: ${lastErr()}` : ''} — it was stopped`)),
          )
        }, timeoutMs)
        check()
      })
    },
    waitForExit(ms) {
      if (!running()) return Promise.resolve(true)
      return new Promise((resolve) => {
        const done = () => {
          exitWaiters.delete(done)
          clearTimeout(timer)
          resolve(true)
        }
        const timer = setTimeout(() => {
          exitWaiters.delete(done)
          resolve(!running())
        }, ms)
        exitWaiters.add(done)
      })
    },
    async stop(graceMs = 5000) {
      if (!pid) return
      if (running() || (liveGroups.has(pid) && groupExists(pid))) {
        // SIGINT first: minikube stops its ssh tunnel on Ctrl-C (and only then); the whole group gets it
        killGroup(pid, 'SIGINT')
        await bg.waitForExit(graceMs)
        // whatever is left in the group (a child that ignored SIGINT, or the leader itself) goes now
        killGroup(pid, 'SIGKILL')
        await bg.waitForExit(graceMs)
      }
      untrackGroup(pid)
    },
  }
  return bg
}

export function createShell(options: ShellOptions = {}): Shell {
  const baseEnv = () => ({ ...process.env, ...options.env })
  return {
    dryRun: !!options.dryRun,
    start(bin, args, opts = {}) {
      return startBackground(bin, args, { ...opts, baseEnv: baseEnv() as NodeJS.ProcessEnv })
    },
    async which(bin) {
      return findOnPath(bin)
    },
    async run(bin, args, opts = {}) {
      const shown = formatCommand(bin, args, opts)
      const log = opts.log ?? (() => {})
      if (!opts.quiet) log(`$ ${shown}`)
      if (options.dryRun && !opts.readOnly) return { stdout: '', stderr: '', exitCode: 0 }
      const env = { ...baseEnv(), ...opts.env } as NodeJS.ProcessEnv
      for (let attempt = 1; ; attempt++) {
        const result = await runOnce(bin, args, env, opts, log, !!options.verbose)
        // ENOENT from spawn: the program (or, when it exists, the working directory) is not there
        if (result.notFound) throw opts.cwd && !existsSync(opts.cwd) ? new CommandError(shown, 1, `working directory ${opts.cwd} does not exist`) : new ToolMissingError(bin)
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
async function runOnce(bin: string, args: string[], env: NodeJS.ProcessEnv, opts: RunOpts, log: (l: string) => void, verbose: boolean): Promise<RunResult & { notFound?: boolean }> {
  let spawnError: NodeJS.ErrnoException | undefined
  // zx's process handling (input, output, nothrow, detached kill) without its `bash -c` wrapper: no command
  // here needs a shell, so the program is spawned itself, argv as given (nothing to quote, one process fewer)
  const direct = (_cmd: string, _args: readonly string[], o: SpawnOptions): ChildProcess => {
    // PWD as bash set it: programs that trust $PWD (Go's os.Getwd checks it first) see the working directory
    const child = spawn(bin, args, { ...o, shell: false, env: { ...o.env, PWD: resolve(String(o.cwd ?? process.cwd())) } })
    child.on('error', (e) => (spawnError = e))
    // a program that exits without reading its stdin (or never started) must not crash the run with EPIPE
    child.stdin?.on('error', () => {})
    return child
  }
  // zx is loaded with the first command (≈ 90 ms): a run with nothing to do starts none
  const { $ } = await import('zx')
  const p = $({
    quiet: true,
    nothrow: true,
    detached: true,
    env,
    cwd: opts.cwd,
    input: opts.input,
    spawn: direct as unknown as typeof spawn,
  })`${bin} ${args}`
  // zx spawns on the next tick; the pid is known once the child exists
  let done = false
  const track = () => {
    if (!done) trackChild(p.pid)
  }
  queueMicrotask(track)
  setImmediate(track)
  const flushers: Array<() => void> = []
  if (verbose || opts.onLine) {
    // whole lines only: a secret split across two chunks would slip past redact()
    const stream = () => {
      let partial = ''
      const emit = (text: string) => {
        for (const l of redact(text).split('\n')) {
          if (!l.trim()) continue
          // onLine takes the lines instead of the verbose log (a caller that wants them logged logs them)
          if (opts.onLine) opts.onLine(l)
          else log(l)
        }
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
    if (spawnError?.code === 'ENOENT') return { stdout: '', stderr: spawnError.message, exitCode: 127, notFound: true }
    return { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode ?? 1 }
  } finally {
    done = true
    untrackChild(p.pid)
  }
}
