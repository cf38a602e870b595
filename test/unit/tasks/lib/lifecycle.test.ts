/**
 * tasks/lib/lifecycle.ts: one run at a time (the run lock), and a killed run really stops — tried on real
 * processes: a run sent SIGINT/SIGTERM removes its secret temp file and kills the command it started; a run
 * whose launcher (`npx`) gets SIGKILL stops too, with its command, instead of running on as an orphan.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { acquireRunLock, launcherChain, launcherKind, LOCK_HOLDER_ENV, pidAlive, procStat, releaseRunLock, RunLockedError, sweepStaleTemp, tempPrefix } from '../../../../tasks/lib/lifecycle.ts'
import { ROOT } from '../../../../tasks/lib/tutorial.ts'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifecycle-test-'))
  dirs.push(d)
  return d
}
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
test.after.each(() => releaseRunLock())

/** Alive and not a zombie (a killed child whose parent died lingers as one until init reaps it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** Poll until cond holds or the bound passes (a bound on a wait, not a timing assertion). */
async function until(cond: () => boolean, boundMs = 20_000): Promise<boolean> {
  const end = Date.now() + boundMs
  while (Date.now() < end) {
    if (cond()) return true
    await delay(100)
  }
  return cond()
}

/** A pid that is certainly dead: a process that already exited. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' })
  return Number(r.stdout.trim())
}

// ── the run lock ─────────────────────────────────────────────────────────────
test('lock: taken, written with pid, context and command; released on release', () => {
  const file = join(tmp(), 'run.lock')
  acquireRunLock({ context: 'kind-dev', command: 'tasks/up.ts' }, file)
  const start = procStat(process.pid)?.start
  assert.ok(start, 'this Linux machine has /proc: the start time is recorded')
  assert.equal(JSON.parse(readFileSync(file, 'utf8')), { pid: process.pid, start, context: 'kind-dev', command: 'tasks/up.ts' })
  releaseRunLock()
  assert.not.ok(existsSync(file))
})

test('lock: held by another live run → "another run (pid N) is acting on context X"', async () => {
  const file = join(tmp(), 'run.lock')
  const other = spawn('sleep', ['30'])
  try {
    writeFileSync(file, JSON.stringify({ pid: other.pid, context: 'learn-k8s-lab', command: 'tasks/teardown.ts' }))
    assert.throws(
      () => acquireRunLock({ context: 'learn-k8s-lab', command: 'tasks/up.ts' }, file),
      (e: Error) => e instanceof RunLockedError && e.message.startsWith(`another run (pid ${other.pid}, tasks/teardown.ts) is acting on context learn-k8s-lab`),
    )
    assert.is(JSON.parse(readFileSync(file, 'utf8')).pid, other.pid, 'the holder keeps its lock')
  } finally {
    other.kill('SIGKILL')
  }
})

test('lock: a stale lock (its pid is dead) is taken over', () => {
  const file = join(tmp(), 'run.lock')
  writeFileSync(file, JSON.stringify({ pid: deadPid(), context: 'minikube', command: 'tasks/up.ts' }))
  acquireRunLock({ context: 'minikube', command: 'tasks/rollout.ts' }, file)
  assert.is(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid)
})

test('lock: a holder that is a zombie (killed, not yet reaped by PID 1) is dead: its lock is taken over', async () => {
  const file = join(tmp(), 'run.lock')
  // the short sleep ends after its parent has exec'd into the long one, which never reaps it: a real zombie
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'])
  try {
    const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))))
    assert.ok(await until(() => procStat(zombie)?.state === 'Z'), 'the test made no zombie')
    writeFileSync(file, JSON.stringify({ pid: zombie, context: 'learn-k8s-lab', command: 'tasks/up.ts' }))
    acquireRunLock({ context: 'learn-k8s-lab', command: 'tasks/up.ts' }, file)
    assert.is(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid)
    releaseRunLock()
  } finally {
    parent.kill('SIGKILL')
  }
})

test('lock: a pid reused by a newer process (start time differs) is not the holder: the lock is taken over', () => {
  const file = join(tmp(), 'run.lock')
  const other = spawn('sleep', ['30'])
  try {
    writeFileSync(file, JSON.stringify({ pid: other.pid, start: '1', context: 'learn-k8s-lab', command: 'tasks/up.ts' }))
    acquireRunLock({ context: 'learn-k8s-lab', command: 'tasks/up.ts' }, file)
    assert.is(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid)
    releaseRunLock()
  } finally {
    other.kill('SIGKILL')
  }
})

test('pidAlive: from /proc state and start time; signal 0 only where there is no /proc', () => {
  const stat = (state: string, start = '100') => () => ({ state, ppid: 1, start })
  assert.ok(pidAlive(7, undefined, stat('S')))
  assert.ok(pidAlive(7, '100', stat('R')))
  assert.not.ok(pidAlive(7, undefined, stat('Z')), 'a zombie')
  assert.not.ok(pidAlive(7, undefined, stat('X')), 'dead')
  assert.not.ok(pidAlive(7, '99', stat('S')), 'the pid was reused')
  assert.not.ok(pidAlive(7, undefined, () => undefined), 'no /proc entry')
  assert.ok(pidAlive(process.pid, undefined, () => null), 'no /proc at all: signal 0 finds this process')
  assert.not.ok(pidAlive(deadPid(), undefined, () => null), 'no /proc at all: signal 0 finds no dead process')
})

test('lock: a half-written lock (a run killed while writing it) is taken over', () => {
  const file = join(tmp(), 'run.lock')
  writeFileSync(file, '{"pid": 12')
  acquireRunLock({ context: 'minikube', command: 'tasks/up.ts' }, file)
  assert.is(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid)
})

test('lock: a run started by the holder (LEARN_K8S_RUN_LOCK_PID) runs under its lock', async () => {
  const file = join(tmp(), 'run.lock')
  const holder = spawn('sleep', ['30'])
  const saved = process.env[LOCK_HOLDER_ENV]
  try {
    writeFileSync(file, JSON.stringify({ pid: holder.pid, context: 'learn-k8s-lab', command: 'tasks/up.ts' }))
    process.env[LOCK_HOLDER_ENV] = String(holder.pid)
    acquireRunLock({ context: 'learn-k8s-lab', command: 'tasks/build-images.ts' }, file)
    assert.is(JSON.parse(readFileSync(file, 'utf8')).pid, holder.pid)
  } finally {
    holder.kill('SIGKILL')
    if (saved === undefined) delete process.env[LOCK_HOLDER_ENV]
    else process.env[LOCK_HOLDER_ENV] = saved
  }
})

// ── temp files of a run killed with SIGKILL ──────────────────────────────────
test('sweepStaleTemp: removes what a dead run left (its pid in the name), keeps a live run\'s and anything else', () => {
  const dir = tmp()
  const dead = deadPid()
  const stale = join(dir, `${tempPrefix('learn-k8s-patch', dead)}abc`)
  const live = join(dir, `${tempPrefix('learn-k8s-manifests')}def`)
  const tar = join(dir, `${tempPrefix('lab-image', dead)}programmingpercy_hellogopher_5.0.tar`)
  const other = join(dir, 'learn-k8s-patch-XXXXXX')
  for (const d of [stale, live, other]) mkdirSync(d)
  writeFileSync(join(stale, 'patch.json'), '[]')
  writeFileSync(tar, '')
  assert.equal(sweepStaleTemp(dir).sort(), [`${tempPrefix('lab-image', dead)}programmingpercy_hellogopher_5.0.tar`, `${tempPrefix('learn-k8s-patch', dead)}abc`])
  assert.equal([stale, live, tar, other].map((p) => existsSync(p)), [false, true, false, true])
})

// ── the launcher chain ───────────────────────────────────────────────────────
test('launcherKind: npm/npx (also renamed `npm exec …`) are the top; sh -c tsx and tsx are in between; a shell is not', () => {
  assert.is(launcherKind(['npm exec tsx tasks/up.ts']), 'top')
  assert.is(launcherKind(['node', '/usr/lib/node_modules/npm/bin/npx-cli.js', 'tsx', 'tasks/up.ts']), 'top')
  assert.is(launcherKind(['sh', '-c', 'tsx', 'tasks/up.ts']), 'middle')
  assert.is(launcherKind(['node', '/repo/node_modules/.bin/tsx', 'tasks/up.ts']), 'middle')
  assert.is(launcherKind(['-bash']), undefined)
  assert.is(launcherKind(['/usr/bin/bash']), undefined)
  assert.is(launcherKind(['node', 'test/run.ts']), undefined)
})

test('launcherChain: walks up through tsx and sh to npx, and stops there', () => {
  const procs: Record<number, { ppid: number; argv: string[] }> = {
    40: { ppid: 30, argv: ['node', '/r/node_modules/.bin/tsx', 'tasks/up.ts'] },
    30: { ppid: 20, argv: ['sh', '-c', 'tsx', 'tasks/up.ts'] },
    20: { ppid: 10, argv: ['npm exec tsx tasks/up.ts'] },
    10: { ppid: 1, argv: ['node', '/ci/runner.js'] },
  }
  assert.equal(launcherChain(40, (pid) => procs[pid]), [40, 30, 20])
  assert.equal(launcherChain(10, (pid) => procs[pid]), [])
})

// ── real processes ───────────────────────────────────────────────────────────
const FIXTURE = join(ROOT, 'test', 'unit', 'fixtures', 'lifecycle-run.ts')

interface Run {
  proc: ChildProcess
  worker: number
  command: number
  dir: string
  exit: Promise<number | null>
}

async function startRun(bin: string, args: string[]): Promise<Run> {
  const proc = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const exit = new Promise<number | null>((r) => proc.on('exit', (code, sig) => r(code ?? (sig ? 128 : null))))
  let out = ''
  proc.stdout!.on('data', (d) => (out += d))
  proc.stderr!.on('data', (d) => (out += d))
  assert.ok(await until(() => /^ready \d+ \d+ \S+$/m.test(out), 60_000), `the run never got ready: ${out}`)
  const [, worker, command, dir] = /^ready (\d+) (\d+) (\S+)$/m.exec(out)!
  return { proc, worker: Number(worker), command: Number(command), dir: dir!, exit }
}

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${sig} to a run: exit ${code}, its secret temp file removed, the command it started killed`, async () => {
    const run = await startRun(process.execPath, ['--import', 'tsx', FIXTURE])
    assert.ok(existsSync(join(run.dir, 'patch.json')))
    assert.ok(running(run.command))
    run.proc.kill(sig)
    assert.is(await run.exit, code)
    assert.not.ok(existsSync(run.dir), 'temp dir removed')
    assert.ok(await until(() => !running(run.command)), `command ${run.command} still runs`)
  })
}

test('a task whose end is a signal (signalsEndNormally): SIGINT still cleans up, and the exit is 0', async () => {
  const run = await startRun(process.execPath, ['--import', 'tsx', FIXTURE, '--normal-end'])
  run.proc.kill('SIGINT')
  assert.is(await run.exit, 0)
  assert.not.ok(existsSync(run.dir), 'temp dir removed')
  assert.ok(await until(() => !running(run.command)), `command ${run.command} still runs`)
})

test('SIGKILL of the launcher (npx tsx …): the worker notices, kills its command, removes the temp file, exits', async () => {
  const run = await startRun('npx', ['tsx', FIXTURE])
  assert.is(run.proc.pid === run.worker, false, 'npx is not the worker: the orphan case')
  run.proc.kill('SIGKILL')
  await run.exit
  const stopped = await until(() => !running(run.worker) && !running(run.command))
  if (!stopped) {
    // do not leave them behind for the next test
    for (const pid of [run.worker, run.command]) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
  }
  assert.ok(stopped, `worker ${run.worker} or command ${run.command} still runs after its launcher was killed`)
  assert.not.ok(existsSync(run.dir), 'temp dir removed')
})

test.run()
