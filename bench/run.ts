/**
 * Benchmarks (figures, never assertions), each side by side with its baseline in the same run, on the lab cluster
 * with the tutorial already up (a no-op `up` must have nothing to do):
 *
 * P1  no-op `npx tsx tasks/up.ts` wall time vs the floor (`npx tsx -e 0`) vs bench/naive-tutorial.sh (the article's
 *     commands as a learner scripts them), plus the processes a no-op up starts (strace -f -e trace=execve).
 * P2  `rollout --tag T`: lag from the new pod turning Ready (seen by watch, and its Ready lastTransitionTime) to exit.
 * P3  with --restart (stops and starts the lab): `lab/down` then `lab/up` with cached binaries, node Ready time and
 *     time per step of lab up; without it, read-only: the running lab's last start from its processes' start times.
 * P4  peak RSS of a no-op up (largest process, /usr/bin/time -v) vs the floor's.
 *
 * Every side gets one warm-up run first; figures are medians over --rounds.
 *
 *   npx tsx bench/run.ts [--rounds 5] [--skip-rollout] [--restart] [--only P1,P2,P3,P4]
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_BASE, hellogopherSourceHash } from '../tasks/steps/build-images.ts'
import { ROOT, tagNames } from '../tasks/lib/tutorial.ts'
import { KubeConfig, Watch } from '@kubernetes/client-node'
import { Kube, loadClientNode, type V1Pod } from '../tasks/lib/kube.ts'
import { LAB_CONTEXT, LAB_NODE_IP } from '../tasks/lab/engine/paths.ts'
import { MYSQL_COMPAT_IMAGE } from '../tasks/lab/images/build.ts'
import { BIN_DIR, CONTAINERD_SOCK, DOCKER_HOST, KUBECONFIG, PID_DIR } from '../tasks/lab/engine/paths.ts'
import { bootTimeSec, median, parseExecs, parseMaxRssMb, processStartMs, stepDurations, summarizeExecs, type Stamped } from './measure.ts'

// Kube's named reads may need client-node: loaded once, up front, outside what is measured
await loadClientNode()

/** The lab's context as client-node reads it, for the bench's own watch (not through the project's cluster module). */
function labKubeConfig(): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromFile(KUBECONFIG)
  kc.setCurrentContext(LAB_CONTEXT)
  return kc
}

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, 'skip-rollout': { type: 'boolean' }, restart: { type: 'boolean' }, only: { type: 'string' } },
})
/** `--only P1,P3`: just those figures (P1 includes the process count). */
const want = (p: string) => !values.only || values.only.toUpperCase().split(',').includes(p)
const rounds = Math.max(1, Number(values.rounds) || 5)
const env: NodeJS.ProcessEnv = {
  ...process.env,
  KUBECONFIG,
  PATH: `${BIN_DIR}:${process.env.PATH}`,
  DOCKER_HOST,
  CONTAINERD_ADDRESS: CONTAINERD_SOCK,
  MYSQL_IMAGE: MYSQL_COMPAT_IMAGE,
  NODE_IP: LAB_NODE_IP,
  BASE_IMAGE: DEFAULT_BASE,
  ...Object.fromEntries(tagNames().map((t) => [`SOURCE_LABEL_${t.replace('.', '_')}`, hellogopherSourceHash(t, DEFAULT_BASE)])),
}
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const out = (line = ''): void => void process.stdout.write(`${line}\n`)

function run(bin: string, args: string[]): { ms: number; stdout: string; stderr: string } {
  const t0 = performance.now()
  const r = spawnSync(bin, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20 })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`)
  return { ms, stdout: r.stdout, stderr: r.stderr }
}

const FLOOR = ['npx', ['tsx', '-e', '0']] as const
const UP = ['npx', ['tsx', 'tasks/up.ts']] as const
const NAIVE = ['bash', ['bench/naive-tutorial.sh']] as const

/**
 * P1: medians of the three, interleaved round by round so load changes hit all of them alike. The naive script's
 * client-side `kubectl apply` rewrites each object's last-applied annotation, which the next server-side apply
 * rewrites back: an untimed `up` after it restores the converged state, so the timed `up` is a true no-op.
 */
function p1(): void {
  for (const [bin, args] of [NAIVE, UP, FLOOR, UP]) run(bin, [...args]) // warm-up, one each (and converge after naive)
  const t = { floor: [] as number[], up: [] as number[], naive: [] as number[] }
  for (let i = 0; i < rounds; i++) {
    t.naive.push(run(NAIVE[0], [...NAIVE[1]]).ms)
    run(UP[0], [...UP[1]]) // converge again, untimed
    t.floor.push(run(FLOOR[0], [...FLOOR[1]]).ms)
    t.up.push(run(UP[0], [...UP[1]]).ms)
  }
  const [floor, up, naive] = [median(t.floor), median(t.up), median(t.naive)]
  out(`P1  no-op up            ${s(up).padStart(8)}   floor (npx tsx -e 0) ${s(floor)}   up − floor ${s(up - floor)} (goal ≤ 0.40 s)`)
  out(`    naive tutorial.sh   ${s(naive).padStart(8)}   naive / up ${(naive / up).toFixed(2)}× (goal ≥ 3×)`)
  out(`    all rounds (s): up ${t.up.map((x) => (x / 1000).toFixed(2)).join(' ')} | floor ${t.floor.map((x) => (x / 1000).toFixed(2)).join(' ')} | naive ${t.naive.map((x) => (x / 1000).toFixed(2)).join(' ')}`)
}

/** Processes a no-op up starts, from strace (installed with apt-get when missing). */
function processes(): void {
  if (spawnSync('strace', ['-V']).status !== 0) run('apt-get', ['install', '-y', '-qq', 'strace'])
  const dir = mkdtempSync(join(tmpdir(), 'bench-strace-'))
  try {
    const file = join(dir, 'trace')
    run('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', file, ...[UP[0], ...UP[1]]])
    const sum = summarizeExecs(parseExecs(readFileSync(file, 'utf8')))
    out(`    processes of a no-op up: ${sum.total} execs, ${sum.task} beyond the launcher (npx, sh, node), ${sum.shells} of them bash -c wrappers (goal: 0 for the checks)`)
    out(`    top: ${sum.top.slice(0, 8).map(([k, n]) => `${k} ×${n}`).join(', ') || '(none)'}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** P4: the largest process's peak RSS, for up and for the floor. */
function p4(): void {
  const rss = (bin: string, args: readonly string[]) => parseMaxRssMb(run('/usr/bin/time', ['-v', bin, ...args]).stderr) ?? NaN
  const up: number[] = []
  const floor: number[] = []
  for (let i = 0; i < rounds; i++) {
    up.push(rss(UP[0], UP[1]))
    floor.push(rss(FLOOR[0], FLOOR[1]))
  }
  out(`P4  peak RSS no-op up   ${median(up).toFixed(0).padStart(5)} MB   floor ${median(floor).toFixed(0)} MB   (goal ≤ 150 MB; largest single process, /usr/bin/time -v)`)
}

const readyAt = (p: V1Pod) => (p.metadata?.deletionTimestamp ? undefined : p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True'))
const imageOf = (p: V1Pod) => p.spec?.containers?.find((c) => c.name === 'hellogopher')?.image ?? ''

/** P2: roll to `tag`; returns lag from the last new pod's Ready (by watch / by lastTransitionTime) to the task's exit. */
async function rolloutLag(kube: Kube, tag: string): Promise<{ watchMs: number; ltMs: number; totalMs: number }> {
  const seenReady = new Map<string, number>()
  const ctl = await new Watch(labKubeConfig()).watch('/api/v1/namespaces/hellogopher/pods', { labelSelector: 'app=hellogopher' }, (_phase, p: V1Pod) => {
    if (imageOf(p).endsWith(`:${tag}`) && readyAt(p) && !seenReady.has(p.metadata!.name!)) seenReady.set(p.metadata!.name!, Date.now())
  }, () => {})
  const t0 = Date.now()
  const exit = await new Promise<number>((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'tasks/rollout.ts', '--tag', tag], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => (code === 0 ? resolve(Date.now()) : reject(new Error(`rollout --tag ${tag} failed (exit ${code}): ${err.trim().split('\n').pop()}`))))
  })
  ctl.abort()
  const pods = (await kube.listPods('hellogopher', 'app=hellogopher')).filter((p) => imageOf(p).endsWith(`:${tag}`) && readyAt(p))
  const lastLt = Math.max(...pods.map((p) => new Date(readyAt(p)!.lastTransitionTime as unknown as string).getTime()))
  const lastSeen = Math.max(...pods.map((p) => seenReady.get(p.metadata!.name!) ?? NaN))
  return { watchMs: exit - lastSeen, ltMs: exit - lastLt, totalMs: exit - t0 }
}

async function p2(kube: Kube): Promise<void> {
  const n = Math.min(rounds, 3)
  const lags: Array<{ watchMs: number; ltMs: number; totalMs: number }> = []
  for (let i = 0; i < n; i++) {
    lags.push(await rolloutLag(kube, '4.0'))
    lags.push(await rolloutLag(kube, '5.0')) // back to the manifest's tag: the next no-op up stays a no-op
  }
  const m = (k: 'watchMs' | 'ltMs' | 'totalMs') => median(lags.map((l) => l[k]))
  out(`P2  rollout --tag: new pod Ready (seen by watch) → exit ${s(m('watchMs'))}   (goal ≤ 0.30 s)`)
  out(`    from Ready lastTransitionTime (1 s resolution) → exit ${s(m('ltMs'))}; whole rollout ${s(m('totalMs'))}; ${lags.length} rollouts (4.0 ↔ 5.0)`)
}

/** P3: lab down, then lab up (binaries cached), node Ready time and time per lab-up step. */
async function p3(): Promise<void> {
  run('npx', ['tsx', 'tasks/lab/down.ts'])
  const t0 = performance.now()
  const lines: Stamped[] = []
  let nodeReady: number | undefined
  const poll = setInterval(() => {
    if (nodeReady !== undefined) return
    const r = spawnSync(join(BIN_DIR, 'kubectl'), ['get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}'], { env, encoding: 'utf8', timeout: 2000 })
    if (r.status === 0 && r.stdout.includes('True')) nodeReady = performance.now() - t0
  }, 500)
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'tasks/lab/up.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let partial = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d: string) => {
      const parts = (partial + d).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) lines.push({ ms: performance.now() - t0, line })
    })
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lab/up failed (exit ${code})`))))
  })
  const total = performance.now() - t0
  clearInterval(poll)
  out(`P3  lab restart (cached binaries): node Ready ${nodeReady === undefined ? 'not seen (polled every 0.5 s)' : s(nodeReady)} (goal ≤ 20 s); lab/up exits at ${s(total)}`)
  for (const d of stepDurations(lines)) out(`    ${s(d.ms).padStart(8)}  ${d.step}${d.skipped ? ' (skipped)' : ''}`)
}

/** The lab's processes in the order lab up starts them. */
const LAB_PROCS = ['etcd', 'containerd', 'dockerd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'metrics-server']

/** P3 without a restart (read-only): the running lab's last start, from its processes' start times and the node's Ready time. */
async function p3FromRunning(kube: Kube): Promise<void> {
  const boot = bootTimeSec(readFileSync('/proc/stat', 'utf8'))
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100
  const starts: Array<[string, number]> = []
  for (const name of LAB_PROCS) {
    try {
      const pid = readFileSync(join(PID_DIR, `${name}.pid`), 'utf8').trim()
      const ms = processStartMs(readFileSync(`/proc/${pid}/stat`, 'utf8'), boot ?? NaN, hz)
      if (ms !== undefined) starts.push([name, ms])
    } catch {
      // not running (or not started by the lab tasks): left out
    }
  }
  const node = (await kube.listNodes())[0]
  const ready = node?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime as unknown as string | undefined
  if (!starts.length || !ready) return out('P3  not measured: no lab process start times or no Ready node (run with --restart)')
  const t0 = Math.min(...starts.map(([, ms]) => ms))
  const readyMs = new Date(ready).getTime() - t0
  out(`P3  last lab start, read from the running lab (--restart measures a fresh down + up): node Ready ${s(readyMs)} after its first component started (goal ≤ 20 s; lab up's steps before etcd not included)`)
  for (const [name, ms] of [...starts, ['node Ready (lastTransitionTime, 1 s resolution)', readyMs + t0] as [string, number]].sort((a, b) => a[1] - b[1])) {
    out(`    +${s(ms - t0).padStart(8)}  ${name}`)
  }
}

async function main(): Promise<void> {
  const kube = new Kube({ kubeconfig: KUBECONFIG, context: LAB_CONTEXT })
  await kube.ping()
  if (want('P1') || want('P2') || want('P4')) run(UP[0], [...UP[1]]) // the stack must be converged: this up does whatever is left, untimed
  out(`rounds: ${rounds}  (${new Date().toISOString()}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`)
  if (want('P1')) {
    p1()
    processes()
  }
  if (want('P4')) p4()
  if (want('P2') && !values['skip-rollout']) await p2(kube)
  if (want('P3')) await (values.restart ? p3() : p3FromRunning(kube))
}

await main()
