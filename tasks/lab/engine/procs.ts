/** The lab's long-running processes: started detached with a pid file and a log file, stopped by pid. */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatCommand } from '../../lib/shell.ts'
import { pidAlive } from '../../lib/lifecycle.ts'
import { LOG_DIR, PID_DIR } from './paths.ts'
import type { Log } from '../../lib/shell.ts'

export interface ProcSpec {
  /** Short name: pid file, log file and listr title use it. */
  name: string
  bin: string
  args: string[]
  env?: Record<string, string>
}

const pidFile = (name: string) => join(PID_DIR, `${name}.pid`)
export const logFile = (name: string) => join(LOG_DIR, `${name}.log`)

/** The pid of a lab process we started and that still runs, else undefined. */
export function runningPid(name: string): number | undefined {
  const f = pidFile(name)
  if (!existsSync(f)) return undefined
  const pid = Number(readFileSync(f, 'utf8').trim())
  if (!pid || !pidAlive(pid)) return undefined
  // a recycled pid belongs to some other program: check it is still ours
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''
    if (!cmd.endsWith(readFileSync(`${f}.bin`, 'utf8').trim().split('/').pop() ?? '\0')) return undefined
  } catch {
    return undefined
  }
  return pid
}

/** Start a process detached (it outlives this task runner), logging to LOG_DIR/<name>.log. */
export function startProc(spec: ProcSpec, log: Log): number {
  mkdirSync(PID_DIR, { recursive: true })
  mkdirSync(LOG_DIR, { recursive: true })
  log(`$ ${formatCommand(spec.bin, spec.args)} >${logFile(spec.name)} 2>&1 &`)
  const fd = openSync(logFile(spec.name), 'a')
  try {
    const child = spawn(spec.bin, spec.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...spec.env },
    })
    if (!child.pid) throw new Error(`could not start ${spec.bin}`)
    child.unref()
    writeFileSync(pidFile(spec.name), `${child.pid}\n`)
    writeFileSync(`${pidFile(spec.name)}.bin`, `${spec.bin}\n`)
    return child.pid
  } finally {
    closeSync(fd)
  }
}

/** Stop a lab process by its pid file: SIGTERM, then SIGKILL after the grace period. */
export async function stopProc(name: string, log: Log, graceMs = 10_000): Promise<boolean> {
  const pid = runningPid(name)
  rmSync(pidFile(name), { force: true })
  rmSync(`${pidFile(name)}.bin`, { force: true })
  if (!pid) return false
  log(`$ kill ${pid}  # ${name}`)
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  if (pidAlive(pid)) {
    log(`$ kill -9 ${pid}  # ${name} ignored SIGTERM`)
    process.kill(pid, 'SIGKILL')
  }
  return true
}

/** The last lines of a process's log, for errors that say what went wrong. */
export function logTail(name: string, lines = 5): string {
  try {
    return readFileSync(logFile(name), 'utf8').trim().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}
