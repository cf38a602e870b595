/**
 * A run's life and death: one run at a time (a lock file holding pid, context and command), the commands it
 * started killed with it (each in its own process group, killed on every exit path), secret temp files removed on
 * exit, SIGINT, SIGTERM and SIGHUP, and a watchdog so a run whose launcher was SIGKILLed stops too.
 *
 * Why a watchdog: `npx tsx tasks/up.ts` is npx → (sh) → tsx → node (this worker). A SIGKILL of the process a
 * terminal or CI runner holds (npx, or tsx) cannot be caught or forwarded, and the worker would run on as an
 * orphan, still acting on the cluster. Node has no prctl(PR_SET_PDEATHSIG), so the worker polls: when any of
 * its launcher processes is gone, it kills its children and exits.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'

// ── children ─────────────────────────────────────────────────────────────────
const children = new Set<number>()

/** A command the run started in its own process group (spawned detached): killed with the run. */
export function trackChild(pid: number | undefined): void {
  if (pid) children.add(pid)
}

export function untrackChild(pid: number | undefined): void {
  if (pid) children.delete(pid)
}

/** Kill every tracked child's whole process group (synchronous: safe in an 'exit' handler). */
export function killChildren(signal: NodeJS.Signals = 'SIGKILL', { keep = false } = {}): void {
  for (const pid of children) {
    try {
      process.kill(-pid, signal)
    } catch {
      try {
        process.kill(pid, signal)
      } catch {
        // already gone
      }
    }
  }
  if (!keep) children.clear()
}

function anyChildAlive(): boolean {
  for (const pid of children) {
    try {
      process.kill(-pid, 0)
      return true
    } catch {
      // this group is gone
    }
  }
  return false
}

// ── temp paths ───────────────────────────────────────────────────────────────
const tempPaths = new Set<string>()

/** A file or directory holding a secret (a patch file, rendered manifests): removed on any exit. */
export function registerTempPath(path: string): void {
  tempPaths.add(path)
}

export function releaseTempPath(path: string): void {
  tempPaths.delete(path)
}

/** What this tool names its temp files and dirs: the creating pid in the name, so a later run can sweep them. */
export const TEMP_KINDS = ['learn-k8s-patch', 'learn-k8s-manifests', 'hellogopher-base', 'lab-image'] as const

/** `<kind>-<pid>-` (mkdtemp adds the random part). */
export function tempPrefix(kind: (typeof TEMP_KINDS)[number], pid = process.pid): string {
  return `${kind}-${pid}-`
}

/**
 * Remove what a run killed with SIGKILL (no exit handler ran) left in the temp dir: entries named by tempPrefix
 * whose pid is dead. Called once at the start of every run.
 */
export function sweepStaleTemp(dir = tmpdir()): string[] {
  const swept: string[] = []
  let names: string[] = []
  try {
    names = readdirSync(dir)
  } catch {
    return swept
  }
  const re = new RegExp(`^(${TEMP_KINDS.join('|')})-(\\d+)-`)
  for (const name of names) {
    const m = re.exec(name)
    if (!m || pidAlive(Number(m[2]))) continue
    rmSync(join(dir, name), { recursive: true, force: true })
    swept.push(name)
  }
  return swept
}

export function removeTempPaths(): void {
  for (const p of tempPaths) rmSync(p, { recursive: true, force: true })
  tempPaths.clear()
}

// ── the run lock ─────────────────────────────────────────────────────────────
export const LOCK_FILE = process.env.LEARN_K8S_LOCK_FILE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'learn-k8s-easy', 'run.lock')
/** Set for the commands a run starts (a lab `up` run by `up`): they act within the run that holds the lock. */
export const LOCK_HOLDER_ENV = 'LEARN_K8S_RUN_LOCK_PID'

export interface LockInfo {
  pid: number
  /** the holder's start time from /proc (Linux), so a pid reused after a crash is not taken for the holder */
  start?: string
  context: string
  command: string
}

export class RunLockedError extends Error {
  override name = 'RunLockedError'
}

export interface ProcStat {
  state: string
  ppid: number
  start: string
}

/** A process's state letter, parent and start time (clock ticks since boot) from Linux's /proc; undefined when it has no entry. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // after "pid (comm) ": state, ppid, … starttime is the 20th field from there
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0] ?? '?', ppid: Number(fields[1]), start: fields[19] ?? '' }
  } catch {
    return undefined
  }
}

let hasProc: boolean | undefined
/** procStat where /proc exists (looked up once); null elsewhere (macOS: no /proc to read). */
const systemStat = (pid: number): ProcStat | undefined | null => ((hasProc ??= existsSync('/proc/self/stat')) ? procStat(pid) : null)

/**
 * Is this process still running? Where /proc exists (Linux) a zombie — killed but not yet reaped, which happens
 * when PID 1 is slow to reap orphans — is dead, and so is a pid reused by a newer process (its start time differs
 * from `start`, when that is known). Elsewhere: signal 0.
 */
export function pidAlive(pid: number, start?: string, stat: (pid: number) => ProcStat | undefined | null = systemStat): boolean {
  const st = stat(pid)
  if (st === undefined) return false
  if (st) return st.state !== 'Z' && st.state !== 'X' && (start === undefined || st.start === start)
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockInfo>
    return typeof v.pid === 'number' ? { pid: v.pid, start: typeof v.start === 'string' ? v.start : undefined, context: String(v.context ?? '?'), command: String(v.command ?? '?') } : undefined
  } catch {
    return undefined
  }
}

let heldLock: string | undefined

/**
 * Take the run lock, or throw "another run (pid N) is acting on context X". A lock whose pid is dead is stale and
 * taken over; a half-written one (a run killed while writing it) too. A run started by the holder (its pid in
 * LEARN_K8S_RUN_LOCK_PID) runs under the holder's lock.
 */
export function acquireRunLock(info: Omit<LockInfo, 'pid'>, file = LOCK_FILE, pid = process.pid): void {
  if (heldLock === file) return
  mkdirSync(dirname(file), { recursive: true })
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number
    try {
      fd = openSync(file, 'wx', 0o600)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the run lock ${file}: ${(e as Error).message}`)
      const holder = readLock(file)
      const parentHolder = Number(process.env[LOCK_HOLDER_ENV])
      if (holder && holder.pid === parentHolder && pidAlive(holder.pid, holder.start)) return
      if (holder && holder.pid !== pid && pidAlive(holder.pid, holder.start)) {
        throw new RunLockedError(`another run (pid ${holder.pid}, ${holder.command}) is acting on context ${holder.context} — wait for it, or stop it (kill ${holder.pid})`)
      }
      // stale (its pid dead, a zombie, or reused by a newer process) or unreadable: take it over
      try {
        unlinkSync(file)
      } catch {
        // someone else took it over first: try again
      }
      continue
    }
    try {
      const start = pid === process.pid ? procStat(pid)?.start : undefined
      writeSync(fd, `${JSON.stringify({ pid, ...(start ? { start } : {}), ...info })}\n`)
    } finally {
      closeSync(fd)
    }
    heldLock = file
    process.env[LOCK_HOLDER_ENV] = String(pid)
    return
  }
  throw new RunLockedError(`cannot take the run lock ${file} (it keeps changing) — is another run starting?`)
}

/** Release the lock if this process holds it (synchronous: called from the 'exit' handler). */
export function releaseRunLock(): void {
  if (!heldLock) return
  const holder = readLock(heldLock)
  if (holder?.pid === process.pid) rmSync(heldLock, { force: true })
  heldLock = undefined
  delete process.env[LOCK_HOLDER_ENV]
}

// ── exit paths ───────────────────────────────────────────────────────────────
/** Everything a run leaves must go, whichever way it ends. */
export function cleanupRun(): void {
  killChildren('SIGKILL')
  removeTempPaths()
  releaseRunLock()
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 }
/** Grace for the commands a run started to stop on SIGTERM before the exit handler SIGKILLs them. */
const GRACE_MS = 1000
let installed = false
let stopping: NodeJS.Signals | undefined
let normalEnd = false

/**
 * For a task whose normal end IS a signal (`status --watch` runs until Ctrl-C): the handlers still stop its
 * commands and clean up, then exit 0 without the "interrupted" line.
 */
export function signalsEndNormally(): void {
  normalEnd = true
}

/** The signal the run is stopping on, if any: a failure it causes is not worth a line of its own. */
export function stoppingOn(): NodeJS.Signals | undefined {
  return stopping
}

/** Install the exit handlers once: 'exit' cleans up; SIGINT/SIGTERM/SIGHUP exit (128+n) through it. */
export function installExitHandlers(): void {
  if (installed) return
  installed = true
  sweepStaleTemp()
  process.on('exit', cleanupRun)
  for (const [sig, code] of Object.entries(SIGNAL_CODES) as Array<[NodeJS.Signals, number]>) {
    process.on(sig, () => {
      if (stopping) return
      stopping = sig
      // SIGTERM first (a kubectl or docker may tidy up), then the exit handler SIGKILLs what is left
      killChildren('SIGTERM', { keep: true })
      const started = Date.now()
      const wait = setInterval(() => {
        if (anyChildAlive() && Date.now() - started < GRACE_MS) return
        clearInterval(wait)
        if (normalEnd) process.exit(0)
        try {
          process.stderr.write(`\ninterrupted (${sig}): stopped the commands this run started\n`)
        } catch {
          // the terminal may be gone
        }
        process.exit(code)
      }, 50)
    })
  }
}

// ── the watchdog ─────────────────────────────────────────────────────────────
function procInfo(pid: number): { ppid: number; argv: string[] } | undefined {
  const stat = procStat(pid)
  if (!stat) return undefined
  try {
    return { ppid: stat.ppid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean) }
  } catch {
    return undefined
  }
}

/** Is this process part of how the run was launched (npm/npx, the shell npm runs, tsx)? npm and npx are the top. */
export function launcherKind(argv: string[]): 'top' | 'middle' | undefined {
  const joined = argv.join(' ')
  const bin = basename(argv[0] ?? '')
  // npm renames itself (process.title): /proc shows `npm exec tsx tasks/up.ts` as one argv[0]
  if (/^(npm|npx)(\s|$)/.test(argv[0] ?? '') || /^(npx|npm)$/.test(bin) || /(^|\/)(npx|npm)(-cli\.js)?$/.test(argv[1] ?? '') || /npm-cli\.js|npx-cli\.js/.test(joined)) return 'top'
  if (/^(sh|bash|dash)$/.test(bin) && argv[1] === '-c' && /\btsx\b/.test(argv[2] ?? '')) return 'middle'
  if (/\btsx\b/.test(joined) && (/^node/.test(bin) || bin === 'tsx')) return 'middle'
  return undefined
}

/** The pids of this run's launchers, nearest first (Linux /proc; elsewhere only the parent). */
export function launcherChain(start = process.ppid, read = procInfo): number[] {
  const chain: number[] = []
  let pid = start
  for (let i = 0; i < 6 && pid > 1; i++) {
    const info = read(pid)
    if (!info) break
    const kind = launcherKind(info.argv)
    if (!kind) break
    chain.push(pid)
    if (kind === 'top') break
    pid = info.ppid
  }
  return chain
}

let watchdog: NodeJS.Timeout | undefined

/**
 * Poll (every intervalMs) that the parent and every launcher are still alive; when one is gone (SIGKILLed), stop:
 * kill the children, clean up, exit 137. The timer is unref'd: it never keeps a finished run alive.
 */
export function startWatchdog(intervalMs = 500): void {
  if (watchdog) return
  const parent = process.ppid
  const chain = launcherChain(parent)
  watchdog = setInterval(() => {
    const gone = process.ppid !== parent ? parent : chain.find((pid) => !pidAlive(pid))
    if (gone === undefined) return
    try {
      process.stderr.write(`\nthe process that started this run (pid ${gone}) is gone: stopping\n`)
    } catch {
      // no terminal left
    }
    process.exit(137)
  }, intervalMs)
  watchdog.unref()
}
