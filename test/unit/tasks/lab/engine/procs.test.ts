/** tasks/lab/engine/procs.ts: detached processes with a pid file and a log file under temp lab dirs, found again by pid file (not a recycled pid), stopped by SIGTERM then SIGKILL. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { pidAlive } from '../../../../../tasks/lib/lifecycle.ts'
import { assertLabDirs, labTempDirs } from '../../../fakes.ts'

const dirs = labTempDirs('procs-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const { logFile, logTail, runningPid, startProc, stopProc } = await import('../../../../../tasks/lab/engine/procs.ts')

/** A node process started by the test itself; it exits on its own after a minute should a test leave it. */
const script = (body: string) => ['-e', `${body}; console.log('ready'); setTimeout(() => process.exit(0), 60000)`]
const spec = (name: string, body = '') => ({ name, bin: process.execPath, args: script(body) })
const pidFile = (name: string) => join(dirs.run, 'pids', `${name}.pid`)

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50))
  if (!ok()) throw new Error(`gave up waiting: ${what}`)
}
const ready = (name: string) => until(`${name} says ready`, () => existsSync(logFile(name)) && readFileSync(logFile(name), 'utf8').includes('ready'))

const started: number[] = []
test.after(() => {
  for (const pid of started) if (pidAlive(pid)) process.kill(pid, 'SIGKILL')
  dirs.cleanup()
})

test('startProc: a detached process with its pid in <run>/pids/<name>.pid, its binary in .pid.bin, its output in <state>/logs/<name>.log', async () => {
  const lines: string[] = []
  const pid = startProc({ ...spec('sleeper', "console.log('x='+process.env.PROC_TEST_X)"), env: { PROC_TEST_X: 'y' } }, (l) => lines.push(l))
  started.push(pid)
  assert.is(readFileSync(pidFile('sleeper'), 'utf8'), `${pid}\n`)
  assert.is(readFileSync(`${pidFile('sleeper')}.bin`, 'utf8'), `${process.execPath}\n`)
  assert.is(logFile('sleeper'), join(dirs.state, 'logs', 'sleeper.log'))
  await ready('sleeper')
  // the spec's env is added to the process's
  assert.ok(readFileSync(logFile('sleeper'), 'utf8').includes('x=y'))
  assert.is(lines.length, 1)
  assert.ok(lines[0]!.startsWith(`$ ${process.execPath} -e `), lines[0])
  assert.ok(lines[0]!.endsWith(` >${logFile('sleeper')} 2>&1 &`), lines[0])
  assert.is(runningPid('sleeper'), pid)
})

test('runningPid: no pid file, a pid file of a dead process, or an empty one → undefined', async () => {
  assert.is(runningPid('never-started'), undefined)
  mkdirSync(join(dirs.run, 'pids'), { recursive: true })
  writeFileSync(pidFile('empty'), '\n')
  writeFileSync(`${pidFile('empty')}.bin`, `${process.execPath}\n`)
  assert.is(runningPid('empty'), undefined)
  const pid = startProc(spec('short-lived', 'process.exit(0)'), () => {})
  started.push(pid)
  await until('short-lived exits', () => !pidAlive(pid))
  assert.is(runningPid('short-lived'), undefined)
})

test('runningPid: a live pid running another program than the recorded binary (a recycled pid) → undefined; the same program → the pid', () => {
  mkdirSync(join(dirs.run, 'pids'), { recursive: true })
  // this test process is alive; its program is node, not containerd
  writeFileSync(pidFile('recycled'), `${process.pid}\n`)
  writeFileSync(`${pidFile('recycled')}.bin`, '/usr/bin/containerd\n')
  assert.is(runningPid('recycled'), undefined)
  writeFileSync(`${pidFile('recycled')}.bin`, `${process.execPath}\n`)
  assert.is(runningPid('recycled'), process.pid)
  // no .bin file: cannot tell it is ours
  writeFileSync(pidFile('no-bin'), `${process.pid}\n`)
  assert.is(runningPid('no-bin'), undefined)
})

test('stopProc: SIGTERM stops the process, its pid files go, the kill is logged, and it reports true', async () => {
  const pid = startProc(spec('stoppable'), () => {})
  started.push(pid)
  await ready('stoppable')
  const lines: string[] = []
  assert.is(await stopProc('stoppable', (l) => lines.push(l)), true)
  assert.not.ok(pidAlive(pid))
  assert.equal(lines, [`$ kill ${pid}  # stoppable`])
  assert.not.ok(existsSync(pidFile('stoppable')))
  assert.not.ok(existsSync(`${pidFile('stoppable')}.bin`))
  assert.is(runningPid('stoppable'), undefined)
})

test('stopProc: a process that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
  const pid = startProc(spec('stubborn', "process.on('SIGTERM', () => console.log('ignored TERM'))"), () => {})
  started.push(pid)
  await ready('stubborn')
  const lines: string[] = []
  assert.is(await stopProc('stubborn', (l) => lines.push(l), 300), true)
  await until('stubborn is gone', () => !pidAlive(pid))
  assert.equal(lines, [`$ kill ${pid}  # stubborn`, `$ kill -9 ${pid}  # stubborn ignored SIGTERM`])
  assert.ok(readFileSync(logFile('stubborn'), 'utf8').includes('ignored TERM'))
})

test('stopProc: nothing running under that name → false, no signal, and stale pid files are removed', async () => {
  mkdirSync(join(dirs.run, 'pids'), { recursive: true })
  writeFileSync(pidFile('stale'), `${process.pid}\n`)
  writeFileSync(`${pidFile('stale')}.bin`, '/usr/bin/etcd\n')
  const lines: string[] = []
  assert.is(await stopProc('stale', (l) => lines.push(l)), false)
  assert.equal(lines, [])
  assert.not.ok(existsSync(pidFile('stale')))
  assert.not.ok(existsSync(`${pidFile('stale')}.bin`))
  assert.is(await stopProc('never-started', () => {}), false)
})

test('logTail: the last lines of the log (5 by default), trimmed; "(no log)" when there is none', () => {
  mkdirSync(join(dirs.state, 'logs'), { recursive: true })
  writeFileSync(logFile('chatty'), `${Array.from({ length: 8 }, (_, i) => `line ${i + 1}`).join('\n')}\n\n`)
  assert.is(logTail('chatty'), 'line 4\nline 5\nline 6\nline 7\nline 8')
  assert.is(logTail('chatty', 2), 'line 7\nline 8')
  assert.is(logTail('silent'), '(no log)')
})

test.run()
