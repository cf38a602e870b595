/**
 * The fault suite (npm run test:faults), on the lab cluster: does the tutorial converge when runs are killed and
 * the cluster misbehaves, and does every bad input fail cleanly without touching the cluster? A report script:
 * it prints one table (case, result, seconds) and ends with `N passed, N failed`; exit 1 when any case failed.
 *
 *   R1  `up` killed at random moments (SIGINT to its process group like Ctrl-C, SIGKILL to the npx a CI runner
 *       holds), spread over its steps by first giving it work (teardown / an image removed / nothing), then re-run:
 *       the re-run exits 0, the final state equals the first converged one (no duplicate objects), no process of
 *       the killed run is left, no secret temp file is left, the context namespace and the saved state are right;
 *       at the end teardown restores the original context namespace (then `up` converges the cluster again).
 *   R2  faults while `up`/`rollout` run: a hellogopher pod deleted mid-rollout, the MySQL pod killed, kube-apiserver
 *       restarted, an image missing from the lab's dockerd → converges, or fails with one clear line and a re-run
 *       converges.
 *   R3  bad inputs across every task: exit code, one line on stderr, no stack trace, no secret echoed, and the
 *       tutorial's objects unchanged (resourceVersions before/after).
 *
 *   npx tsx test/faults/run.ts                 # R1 R2 R3 (R1: 20 trials)
 *   npx tsx test/faults/run.ts R3              # one group
 *   npx tsx test/faults/run.ts R1 --trials 30 --seed 1234
 *
 * It needs the lab (it brings it up with tasks/lab/up.ts when it is not) and changes it: R1 and R2 run up,
 * teardown and rollout on it. R3 changes nothing when every case passes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { parse } from 'yaml'
import { ROOT } from '../../tasks/lib/tutorial.ts'
import { rolloutStatus } from '../../tasks/lib/kube-state.ts'
import { LOCK_FILE, pidAlive } from '../../tasks/lib/lifecycle.ts'
import { STATE_FILE } from '../../tasks/lib/state.ts'
import { DOCKER_HOST, KUBECONFIG, LAB_CONTEXT } from '../../tasks/lab/engine/paths.ts'
import { runningPid } from '../../tasks/lab/engine/procs.ts'
import { api, kube, labEnv, serviceGet, sh, task, type Ran } from '../e2e/helpers.ts'
import { fakeKubeconfig } from '../support/testkit.ts'

// ── the report ───────────────────────────────────────────────────────────────
interface Row {
  name: string
  ok: boolean
  seconds: number
  detail: string
}
const rows: Row[] = []

async function check(name: string, fn: () => Promise<string | void>): Promise<boolean> {
  const t0 = Date.now()
  let ok = true
  let detail = ''
  try {
    detail = (await fn()) ?? ''
  } catch (e) {
    ok = false
    detail = (e as Error).message
  }
  const row = { name, ok, seconds: (Date.now() - t0) / 1000, detail }
  rows.push(row)
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${name} (${row.seconds.toFixed(1)} s)${detail ? ` — ${detail.split('\n')[0]}` : ''}\n`)
  if (!ok && detail.includes('\n')) process.stdout.write(`${detail.split('\n').slice(1, 40).map((l) => `    ${l}`).join('\n')}\n`)
  return ok
}

function printTable(): void {
  const w = Math.max(4, ...rows.map((r) => r.name.length))
  const lines = ['', `${'case'.padEnd(w)}  result  seconds`, `${'-'.repeat(w)}  ------  -------`]
  for (const r of rows) lines.push(`${r.name.padEnd(w)}  ${(r.ok ? 'pass' : 'FAIL').padEnd(6)}  ${r.seconds.toFixed(1).padStart(7)}`)
  const passed = rows.filter((r) => r.ok).length
  lines.push('', `${passed} passed, ${rows.length - passed} failed`)
  process.stdout.write(`${lines.join('\n')}\n`)
}

function fail(msg: string): never {
  throw new Error(msg)
}

function expectRan(r: Ran, what: string): void {
  if (r.code !== 0) fail(`${what} exited ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}\n--- stdout tail\n${r.stdout.slice(-2500)}\n--- stderr\n${r.stderr.slice(-1500)}`)
}

/** A deterministic PRNG (mulberry32): the same seed gives the same kill moments. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// ── the cluster, read ────────────────────────────────────────────────────────
const NS = 'hellogopher'
const TUTORIAL_IMAGE = (tag: string) => `programmingpercy/hellogopher:${tag}`
/** What a run puts in the temp dir (secret patches and rendered manifests, image tars, build contexts). */
const SECRET_TEMP = /^(learn-k8s-patch-|learn-k8s-manifests-|lab-image-|hellogopher-base-)/

/** Every tutorial object's name → resourceVersion (namespace hellogopher and what early lessons leave in default). */
async function resourceVersions(): Promise<Map<string, string>> {
  const k = kube()
  const a = api()
  const out = new Map<string, string>()
  const ns = await k.read({ apiVersion: 'v1', kind: 'Namespace', name: NS })
  if (ns) out.set(`namespace/${NS}`, ns.metadata?.resourceVersion ?? '?')
  for (const namespace of [NS, 'default']) {
    const lists = await Promise.all([
      a.apps.listNamespacedDeployment({ namespace }).then((l) => l.items.map((o) => ['deployment', o.metadata] as const)),
      a.core.listNamespacedService({ namespace }).then((l) => l.items.map((o) => ['service', o.metadata] as const)),
      a.core.listNamespacedConfigMap({ namespace }).then((l) => l.items.map((o) => ['configmap', o.metadata] as const)),
      a.core.listNamespacedSecret({ namespace }).then((l) => l.items.map((o) => ['secret', o.metadata] as const)),
    ])
    for (const [kind, m] of lists.flat()) {
      if (namespace === 'default' && kind === 'service' && m?.name === 'kubernetes') continue // the apiserver's own
      out.set(`${kind}/${namespace}/${m?.name}`, m?.resourceVersion ?? '?')
    }
  }
  return out
}

function diffVersions(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()])
  return [...keys].filter((k) => before.get(k) !== after.get(k)).map((k) => `${k}: ${before.get(k) ?? '(absent)'} → ${after.get(k) ?? '(absent)'}`)
}

/** The names of the tutorial's objects (what must be the same after every convergence: no duplicates, nothing missing). */
async function objectNames(): Promise<string[]> {
  return [...(await resourceVersions()).keys()].sort()
}

function labContextNamespace(): string {
  const doc = parse(readFileSync(KUBECONFIG, 'utf8')) as { contexts?: Array<{ name: string; context?: { namespace?: string } }> }
  return doc.contexts?.find((c) => c.name === LAB_CONTEXT)?.context?.namespace ?? 'default'
}

function savedPreviousNamespace(): string | undefined {
  try {
    return (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { previousNamespace?: string }).previousNamespace
  } catch {
    return undefined
  }
}

function lockHolder(): { pid?: number; start?: string } | undefined {
  try {
    return JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as { pid?: number; start?: string }
  } catch {
    return undefined
  }
}

function secretTempFiles(): string[] {
  return readdirSync(tmpdir()).filter((f) => SECRET_TEMP.test(f))
}

/** Processes (other than this one) running a task file of this project: what a killed run must not leave behind. */
function taskProcesses(file: string): number[] {
  const found: number[] = []
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ')
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue
      if (cmd.includes(file) && !cmd.includes('test/faults/run.ts')) found.push(Number(p))
    } catch {
      // gone meanwhile
    }
  }
  return found
}

async function until(cond: () => boolean | Promise<boolean>, boundMs: number, stepMs = 250): Promise<boolean> {
  const end = Date.now() + boundMs
  while (Date.now() < end) {
    if (await cond()) return true
    await delay(stepMs)
  }
  return await cond()
}

/** The converged final state of `up`: 5.0 rolled out, MySQL rolled out, the NodePort answers, same objects as before. */
async function assertConverged(baseline?: string[]): Promise<void> {
  const k = kube()
  const d = await k.getDeployment(NS, 'hellogopher')
  if (!d) fail('deployment/hellogopher is missing')
  const image = d.spec?.template?.spec?.containers?.[0]?.image ?? ''
  if (!image.endsWith(':5.0')) fail(`deployment/hellogopher runs ${image}, not 5.0`)
  if (!rolloutStatus(d).done) fail(`deployment/hellogopher: ${rolloutStatus(d).message}`)
  const mysql = await k.getDeployment(NS, 'mysql')
  if (!mysql || !rolloutStatus(mysql).done) fail(`deployment/mysql: ${mysql ? rolloutStatus(mysql).message : 'missing'}`)
  const rs = await api().apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=hellogopher' })
  const live = rs.items.filter((r) => (r.status?.replicas ?? 0) > 0)
  if (live.length !== 1) fail(`${live.length} hellogopher ReplicaSets have pods (want 1): ${live.map((r) => r.metadata?.name).join(', ')}`)
  const body = (await serviceGet(NS, 'hellogopher')).body
  if (!body.includes('Hello gopher')) fail(`the NodePort answered ${body.slice(0, 80)}`)
  if (labContextNamespace() !== NS) fail(`the lab context's namespace is ${labContextNamespace()}, not ${NS}`)
  if (baseline) {
    const now = await objectNames()
    if (now.join(',') !== baseline.join(',')) fail(`objects differ from the first converged state: +[${now.filter((n) => !baseline.includes(n)).join(', ')}] -[${baseline.filter((n) => !now.includes(n)).join(', ')}]`)
  }
}

// ── running tasks ────────────────────────────────────────────────────────────
interface Started {
  proc: ChildProcess
  done: Promise<Ran>
}

/** `npx tsx tasks/<file>` in its own process group (as a terminal runs a foreground job), not awaited. */
function start(file: string, args: string[] = [], env: NodeJS.ProcessEnv = labEnv()): Started {
  const t0 = Date.now()
  const proc = spawn('npx', ['tsx', `tasks/${file}`, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let stdout = ''
  let stderr = ''
  proc.stdout!.on('data', (d) => (stdout += d))
  proc.stderr!.on('data', (d) => (stderr += d))
  const done = new Promise<Ran>((resolve) => proc.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - t0 })))
  return { proc, done }
}

const labDocker = (args: string[]) => sh('docker', args, { env: { ...labEnv(), DOCKER_HOST } })

/** One clean line on stderr, no stack trace. */
function oneCleanLine(r: Ran): string | undefined {
  const lines = r.stderr.trim().split('\n').filter(Boolean)
  if (lines.length !== 1) return `expected one stderr line, got ${lines.length}:\n${r.stderr.slice(-1500)}`
  if (/\n\s+at |^\s+at /m.test(r.stderr)) return 'a stack trace was printed'
  return undefined
}

// ── R1: up killed at random moments ──────────────────────────────────────────
type Work = 'teardown' | 'image' | 'none'

async function giveWork(work: Work, seedRng: () => number): Promise<void> {
  if (work === 'teardown') expectRan(await task('teardown.ts'), 'teardown (to give up work)')
  if (work === 'image') {
    const tag = ['1.0', '2.0', '3.0', '4.0', '5.0'][Math.floor(seedRng() * 5)]!
    await labDocker(['rmi', '-f', TUTORIAL_IMAGE(tag)])
  }
}

async function r1(trials: number, seed: number): Promise<void> {
  process.stdout.write(`\nR1: up killed at ${trials} random moments (seed ${seed})\n`)
  const originalNs = savedPreviousNamespace() ?? labContextNamespace()
  const restoreTo = originalNs === NS ? 'default' : originalNs
  const tempBefore = new Set(secretTempFiles())
  let baseline: string[] | undefined
  const durations: Partial<Record<Work, number>> = {}
  const ok0 = await check('R1 converge before the trials (and time up for each kind of work)', async () => {
    expectRan(await task('up.ts'), 'up')
    await assertConverged()
    baseline = await objectNames()
    for (const work of ['teardown', 'image', 'none'] as Work[]) {
      await giveWork(work, rng(seed))
      const r = await task('up.ts')
      expectRan(r, `up after ${work}`)
      durations[work] = r.ms
    }
    await assertConverged(baseline)
    return `up takes ${Object.entries(durations).map(([w, ms]) => `${w}: ${(ms! / 1000).toFixed(0)} s`).join(', ')}`
  })
  if (!ok0) return
  const works: Work[] = ['teardown', 'image', 'none']
  for (let i = 0; i < trials; i++) {
    const trialSeed = seed + i
    const random = rng(trialSeed)
    const signal: NodeJS.Signals = i % 2 === 0 ? 'SIGINT' : 'SIGKILL'
    const work = works[i % works.length]!
    const killAt = Math.round(300 + random() * 0.9 * (durations[work] ?? 20_000))
    await check(`R1 #${String(i + 1).padStart(2, '0')} seed ${trialSeed}: ${work}, ${signal} at ${(killAt / 1000).toFixed(1)} s`, async () => {
      await giveWork(work, random)
      const run = start('up.ts')
      const finished = await Promise.race([run.done.then(() => true), delay(killAt).then(() => false)])
      let how = 'finished before the kill moment'
      if (!finished) {
        if (signal === 'SIGINT') process.kill(-run.proc.pid!, 'SIGINT') // Ctrl-C: the whole foreground group
        else process.kill(run.proc.pid!, 'SIGKILL') // a CI runner killing the process it holds (npx)
        how = `killed (${signal})`
      }
      // bounded: an orphan holding the output pipes would keep 'close' from ever coming (reported just below)
      await Promise.race([run.done, delay(60_000)])
      // nothing of the killed run may go on acting on the cluster
      const gone = await until(() => taskProcesses('tasks/up.ts').length === 0, 30_000)
      if (!gone) {
        const left = taskProcesses('tasks/up.ts')
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL') // do not let them race the next trial
          } catch {
            // gone meanwhile
          }
        }
        fail(`processes of the killed run still ran 30 s later: ${left.join(', ')}`)
      }
      // the killed run's lock is released, or stale (its pid dead — a zombie not yet reaped counts as dead — or
      // reused by a newer process) so the re-run takes it over
      const holder = lockHolder()
      if (holder?.pid && pidAlive(holder.pid, holder.start)) fail(`the run lock is still held by a live pid ${holder.pid}`)
      const again = await task('up.ts')
      expectRan(again, 're-run of up')
      await assertConverged(baseline)
      const leftover = secretTempFiles().filter((f) => !tempBefore.has(f))
      if (leftover.length) fail(`temp files left in ${tmpdir()}: ${leftover.join(', ')}`)
      const saved = savedPreviousNamespace()
      if (saved !== restoreTo && !(saved === undefined && restoreTo === 'default')) fail(`the saved previous namespace is ${saved ?? '(none)'}, not ${restoreTo}`)
      return `${how}; re-run converged in ${(again.ms / 1000).toFixed(0)} s`
    })
  }
  await check('R1 teardown restores the original context namespace; up converges again', async () => {
    expectRan(await task('teardown.ts'), 'teardown')
    if (labContextNamespace() !== restoreTo) fail(`context namespace after teardown: ${labContextNamespace()}, want ${restoreTo}`)
    expectRan(await task('up.ts'), 'up')
    await assertConverged(baseline)
  })
}

// ── R2: faults while up/rollout run ──────────────────────────────────────────
/** Converged, or one clean line and a re-run that converges. */
async function convergesOrRetryable(r: Ran, rerun: () => Promise<Ran>, what: string): Promise<string> {
  if (r.code === 0) return `${what} converged through the fault`
  const bad = oneCleanLine(r)
  if (bad) fail(`${what} failed without one clear line (exit ${r.code}): ${bad}`)
  const again = await rerun()
  expectRan(again, `re-run of ${what}`)
  return `${what} failed once (${r.stderr.trim()}); the re-run converged`
}

async function newPodWithImage(image: string, boundMs: number): Promise<string | undefined> {
  let name: string | undefined
  await until(async () => {
    const pods = await kube().listPods(NS, 'app=hellogopher')
    name = pods.find((p) => p.spec?.containers?.[0]?.image?.endsWith(image) && !p.metadata?.deletionTimestamp)?.metadata?.name
    return !!name
  }, boundMs, 300)
  return name
}

async function r2(): Promise<void> {
  process.stdout.write('\nR2: faults during up and rollout\n')
  await check('R2 converge first', async () => {
    expectRan(await task('up.ts'), 'up')
    await assertConverged()
  })
  await check('R2 a hellogopher pod deleted mid-rollout', async () => {
    const run = start('rollout.ts', ['--tag', '4.0'])
    const pod = await newPodWithImage(':4.0', 60_000)
    if (pod) await sh('kubectl', ['delete', 'pod', pod, '-n', NS, '--wait=false'])
    const detail = await convergesOrRetryable(await run.done, () => task('rollout.ts', ['--tag', '4.0']), 'rollout --tag 4.0')
    expectRan(await task('up.ts'), 'up back to 5.0')
    await assertConverged()
    return `${pod ? `deleted ${pod}` : 'no new pod seen to delete'}; ${detail}`
  })
  await check('R2 the MySQL pod killed while up runs', async () => {
    expectRan(await task('teardown.ts'), 'teardown (so up has work)')
    const run = start('up.ts')
    let killed = ''
    await until(async () => {
      const pods = await kube().listPods(NS, 'app=mysql').catch(() => [])
      const p = pods.find((x) => x.status?.phase === 'Running')
      if (p) {
        killed = p.metadata!.name!
        await sh('kubectl', ['delete', 'pod', killed, '-n', NS, '--grace-period=0', '--force', '--wait=false'])
      }
      return !!p
    }, 300_000, 500)
    const detail = await convergesOrRetryable(await run.done, () => task('up.ts'), 'up')
    await assertConverged()
    return `${killed ? `killed ${killed}` : 'MySQL never ran to be killed'}; ${detail}`
  })
  await check('R2 kube-apiserver restarted mid-rollout', async () => {
    const run = start('rollout.ts', ['--tag', '1.0'])
    await newPodWithImage(':1.0', 60_000)
    const pid = runningPid('kube-apiserver')
    if (!pid) fail('kube-apiserver is not running (no pid)')
    process.kill(pid, 'SIGTERM')
    // its graceful shutdown may take a while; lab up starts it again only once it is gone
    if (!(await until(() => !pidAlive(pid), 90_000))) process.kill(pid, 'SIGKILL')
    await until(() => !pidAlive(pid), 10_000)
    expectRan(await task('lab/up.ts'), 'lab up (starts kube-apiserver again)')
    const detail = await convergesOrRetryable(await run.done, () => task('rollout.ts', ['--tag', '1.0']), 'rollout --tag 1.0')
    expectRan(await task('up.ts'), 'up back to 5.0')
    await assertConverged()
    return `kube-apiserver pid ${pid} stopped and started again; ${detail}`
  })
  await check("R2 an image missing from the lab's dockerd", async () => {
    await labDocker(['rmi', '-f', TUTORIAL_IMAGE('5.0')])
    const r = await task('up.ts')
    const detail = await convergesOrRetryable(r, () => task('up.ts'), 'up')
    await assertConverged()
    const inspect = await labDocker(['image', 'inspect', TUTORIAL_IMAGE('5.0')])
    if (inspect.code !== 0) fail('the image was not built again')
    return detail
  })
}

// ── R3: bad inputs ───────────────────────────────────────────────────────────
interface BadInput {
  name: string
  args: string[]
  code: number
  /** What the one stderr line must say. */
  says: RegExp
  env?: Record<string, string>
  input?: string
  /** Must not appear anywhere in the output (a value typed where it must not be echoed). */
  secret?: string
}



function badInputs(dir: string, lockFile: string): BadInput[] {
  const empty = join(dir, 'empty.yml')
  writeFileSync(empty, '# nothing\n---\n')
  const malformed = join(dir, 'malformed.yml')
  writeFileSync(malformed, 'apiVersion: v1\nkind: [unclosed\n')
  const notK8s = join(dir, 'not-k8s.yml')
  writeFileSync(notK8s, 'just: a mapping\n')
  const emptyKc = join(dir, 'empty-kubeconfig')
  writeFileSync(emptyKc, '')
  const badKc = join(dir, 'bad-kubeconfig')
  writeFileSync(badKc, 'clusters: [unclosed')
  // servers nothing may be sent to (TEST-NET) or where nothing listens: the cases fail before any request
  const kindProd = fakeKubeconfig(dir, 'kind-prod', 'kind-prod', 'https://192.0.2.10:6443')
  const minikubeRemote = fakeKubeconfig(dir, 'minikube-remote', 'minikube', 'https://203.0.113.7:8443')
  const labImpostor = fakeKubeconfig(dir, 'lab-impostor', 'learn-k8s-lab', 'https://198.51.100.4:6443')
  const prod = fakeKubeconfig(dir, 'prod', 'prod-eu', 'https://192.0.2.20:6443')
  writeFileSync(lockFile, '') // replaced by the lock case
  const usage = (name: string, args: string[], says: RegExp, extra: Partial<BadInput> = {}): BadInput => ({ name, args, code: 2, says, ...extra })
  const error = (name: string, args: string[], says: RegExp, extra: Partial<BadInput> = {}): BadInput => ({ name, args, code: 1, says, ...extra })
  return [
    usage('up --tag 9.9', ['up.ts', '--tag', '9.9'], /unknown tag '9\.9'/),
    usage('up --provider nope', ['up.ts', '--provider', 'nope'], /--provider must be one of/),
    usage('up --bogus', ['up.ts', '--bogus'], /unknown flag --bogus/),
    usage('up --provider remote without --registry', ['up.ts', '--provider', 'remote', '--context', LAB_CONTEXT], /pass --registry/),
    usage('up --registry with a scheme', ['up.ts', '--registry', 'http://127.0.0.1:5000/learn'], /must not have a scheme/),
    usage('up --registry with capitals in the repo', ['up.ts', '--registry', '127.0.0.1:5000/Learn'], /invalid repository part/),
    usage('up --image without =', ['up.ts', '--image', 'mysql:8.0'], /--image takes FROM=TO/),
    usage('up --provider lab --context minikube', ['up.ts', '--provider', 'lab', '--context', 'minikube'], /is not the lab cluster's context/),
    usage('up --provider kind --registry', ['up.ts', '--provider', 'kind', '--registry', '127.0.0.1:5000/learn'], /--registry is for the remote provider/),
    usage('up --tag with no value', ['up.ts', '--tag'], /--tag needs a value/),
    usage('rollout without --tag', ['rollout.ts'], /tag/),
    usage('rollout --tag 0.1', ['rollout.ts', '--tag', '0.1'], /--tag must be one of/),
    usage('rollout --via nope', ['rollout.ts', '--tag', '2.0', '--via', 'nope'], /--via must be one of/),
    usage('rollout --timeout abc', ['rollout.ts', '--tag', '2.0', '--timeout', 'abc'], /timeout/),
    usage('rollout --namespace Bad_NS', ['rollout.ts', '--tag', '2.0', '--namespace', 'Bad_NS'], /namespace/),
    usage('rollout stray argument', ['rollout.ts', '--tag', '2.0', 'extra'], /unexpected argument 'extra'/),
    usage('relabel with nothing to label', ['relabel.ts'], /give the pods to label/),
    usage('relabel --pod and --selector', ['relabel.ts', '--pod', 'p', '--selector', 'app=x', '--set', 'a=b'], /not both/),
    usage('relabel --delete --pod', ['relabel.ts', '--delete', '--pod', 'p'], /--delete deletes pods by label/),
    usage('relabel bad selector', ['relabel.ts', '--selector', 'app===x', '--set', 'a=b'], /not a label selector/),
    usage('relabel bad label', ['relabel.ts', '--pod', 'p', '--set', 'bad key=v'], /label|key/),
    usage('relabel --delete --set', ['relabel.ts', '--delete', '--set', 'a=b'], /--delete does not take --set/),
    usage('patch-secret without a source', ['patch-secret.ts'], /give the new value with --from-stdin/),
    usage('patch-secret --from-env hunter2 (unset)', ['patch-secret.ts', '--from-env', 'hunter2'], /the variable named by --from-env is not set/, { secret: 'hunter2' }),
    usage('patch-secret --from-env with a value typed', ['patch-secret.ts', '--from-env', 'my hunter2'], /takes the NAME of an environment variable/, { secret: 'hunter2' }),
    usage('patch-secret with the value as an argument', ['patch-secret.ts', 'hunter2'], /takes no arguments/, { secret: 'hunter2' }),
    usage('patch-secret empty stdin', ['patch-secret.ts', '--from-stdin'], /the new value is empty/, { input: '\n' }),
    usage('patch-secret --base64 not base64', ['patch-secret.ts', '--from-stdin', '--base64'], /not valid base64/, { input: 'hunter2!\n', secret: 'hunter2!' }),
    usage('patch-secret --from-file missing', ['patch-secret.ts', '--from-file', join(dir, 'no-such-file')], /cannot read --from-file/),
    usage('patch-secret bad --key', ['patch-secret.ts', '--from-stdin', '--key', 'a/b'], /is not a valid Secret key/, { input: 'x\n' }),
    usage('patch-secret two sources', ['patch-secret.ts', '--from-stdin', '--from-env', 'HOME'], /exactly one of/),
    usage('patch-secret --no-wait without --restart', ['patch-secret.ts', '--from-stdin', '--no-wait'], /--no-wait only applies with --restart/),
    usage('lesson without a number', ['lesson.ts'], /which lesson/),
    usage('lesson 99', ['lesson.ts', '99'], /lesson/),
    usage('lesson two at once', ['lesson.ts', '3', '4'], /one lesson at a time/),
    usage('lesson --list with a lesson', ['lesson.ts', '--list', '3'], /--list takes no lesson/),
    usage('build-images --tag 7.0', ['build-images.ts', '--tag', '7.0'], /tag/),
    usage('expose stray argument', ['expose.ts', 'now'], /unexpected argument 'now'/),
    usage('doctor --provider nope', ['doctor.ts', '--provider', 'nope'], /--provider must be one of/),
    usage('start-cluster --bogus', ['start-cluster.ts', '--bogus'], /unknown flag --bogus/),
    usage('docker-env --bogus', ['docker-env.ts', '--bogus'], /unknown flag --bogus/),
    usage('teardown --bogus', ['teardown.ts', '--bogus'], /unknown flag --bogus/),
    usage('lab up --bogus', ['lab/up.ts', '--bogus'], /unknown flag --bogus/),
    usage('lab down --bogus (nothing stopped)', ['lab/down.ts', '--bogus'], /unknown flag --bogus/),
    usage('lab status stray argument', ['lab/status.ts', 'now'], /unexpected argument 'now'/),
    error('apply --file missing', ['apply.ts', '--file', join(dir, 'nope.yml')], /cannot read manifests at .*nope\.yml: ENOENT/),
    error('apply --file empty manifest', ['apply.ts', '--file', empty], /empty\.yml is empty/),
    error('apply --file malformed YAML', ['apply.ts', '--file', malformed], /malformed\.yml:\d+: malformed YAML/),
    error('apply --file not a Kubernetes object', ['apply.ts', '--file', notK8s], /not a Kubernetes object/),
    error('teardown --context prod-eu without --yes', ['teardown.ts', '--context', 'prod-eu'], /without --yes/, { env: { KUBECONFIG: prod } }),
    error('teardown on a current prod-eu', ['teardown.ts'], /refusing to change context 'prod-eu'/, { env: { KUBECONFIG: prod } }),
    error('relabel --delete on kind-prod at a remote server', ['relabel.ts', '--delete'], /context 'kind-prod': its name says local but its server https:\/\/192\.0\.2\.10:6443/, { env: { KUBECONFIG: kindProd } }),
    error('rollout with KIND_CLUSTER_NAME=prod --provider kind', ['rollout.ts', '--tag', '2.0', '--provider', 'kind'], /context 'kind-prod'.*192\.0\.2\.10/, { env: { KUBECONFIG: kindProd, KIND_CLUSTER_NAME: 'prod' } }),
    error('expose on a minikube context at a remote server', ['expose.ts', '--provider', 'minikube'], /context 'minikube': its name says local but its server https:\/\/203\.0\.113\.7:8443/, { env: { KUBECONFIG: minikubeRemote } }),
    error('apply on a learn-k8s-lab impostor (KUBECONFIG) ', ['apply.ts', '--provider', 'remote', '--context', 'learn-k8s-lab'], /its name says local but its server https:\/\/198\.51\.100\.4:6443/, { env: { KUBECONFIG: labImpostor } }),
    error('KUBECONFIG naming a missing file', ['expose.ts'], /KUBECONFIG names .*missing-kubeconfig, which does not exist/, { env: { KUBECONFIG: join(dir, 'missing-kubeconfig') } }),
    error('KUBECONFIG empty', ['expose.ts'], /kubeconfig .*empty-kubeconfig is empty/, { env: { KUBECONFIG: emptyKc } }),
    error('KUBECONFIG malformed', ['teardown.ts'], /kubeconfig .*bad-kubeconfig is not valid YAML/, { env: { KUBECONFIG: badKc } }),
    error('a second run while one holds the lock', ['expose.ts'], /^error: another run \(pid \d+, tasks\/up\.ts\) is acting on context learn-k8s-lab/, { env: { LEARN_K8S_LOCK_FILE: lockFile } }),
  ]
}

async function r3(): Promise<void> {
  process.stdout.write('\nR3: bad inputs\n')
  const dir = mkdtempSync(join(tmpdir(), 'faults-r3-'))
  const lockFile = join(dir, 'held.lock')
  const holder = spawn('sleep', ['3600'])
  try {
    const cases = badInputs(dir, lockFile)
    writeFileSync(lockFile, JSON.stringify({ pid: holder.pid, context: LAB_CONTEXT, command: 'tasks/up.ts' }))
    let before = await resourceVersions()
    for (const c of cases) {
      await check(`R3 ${c.name}`, async () => {
        // a private run lock, unless the case is about the lock
        const env = { ...labEnv(), LEARN_K8S_LOCK_FILE: join(dir, 'private.lock'), KIND_CLUSTER_NAME: '', ...c.env }
        const r = await task(c.args[0]!, c.args.slice(1), { env, input: c.input })
        const problems: string[] = []
        if (r.code !== c.code) problems.push(`exit ${r.code}, want ${c.code}`)
        const bad = oneCleanLine(r)
        if (bad) problems.push(bad)
        else if (!c.says.test(r.stderr.trim())) problems.push(`said: ${r.stderr.trim()}`)
        if (c.secret && (r.stdout + r.stderr).includes(c.secret)) problems.push(`echoed ${c.secret}`)
        const after = await resourceVersions()
        const changed = diffVersions(before, after)
        if (changed.length) problems.push(`the cluster changed: ${changed.join('; ')}`)
        before = after
        if (problems.length) fail(problems.join(' | '))
        return r.stderr.trim()
      })
    }
    if (cases.length < 40) await check('R3 has at least 40 cases', async () => fail(`only ${cases.length}`))
  } finally {
    holder.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

// ── main ─────────────────────────────────────────────────────────────────────
async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const flag = (name: string, def: number) => {
    const i = argv.indexOf(`--${name}`)
    const v = i >= 0 ? Number(argv[i + 1]) : def
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} takes a whole number`)
    return v
  }
  const trials = flag('trials', 20)
  const seed = flag('seed', Date.now() % 100_000)
  const groups = argv.filter((a) => /^R[123]$/.test(a))
  const want = (g: string) => !groups.length || groups.includes(g)
  process.stdout.write(`fault suite: ${groups.length ? groups.join(' ') : 'R1 R2 R3'}; seed ${seed} (re-run the same moments with --seed ${seed})\n`)
  const lab = await check('lab cluster up (tasks/lab/up.ts)', async () => expectRan(await task('lab/up.ts'), 'lab up'))
  if (lab) {
    if (want('R3')) await r3()
    if (want('R1')) await r1(trials, seed)
    if (want('R2')) await r2()
  }
  printTable()
  process.exitCode = rows.every((r) => r.ok) ? 0 : 1
}

await main()
