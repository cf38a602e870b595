/**
 * Learn by doing (tasks/lesson.ts --check / --reset / --explain / --solution / --diff): the modes on the command
 * line, the check runner, and each lesson's checks against a fake cluster in a state where the lesson was done and
 * one where a step was left out (the hint names that step). The explanations and the diffs themselves have their own
 * suites (lessons/explain.test.ts, lessons/diff.test.ts).
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseCli, UsageError } from '../../../tasks/lib/cli.ts'
import { MANIFESTS_DIR, ROOT } from '../../../tasks/lib/tutorial.ts'
import { type Ctx } from '../../../tasks/lib/run.ts'
import type { CoreV1Event, KubernetesObject, V1Pod } from '../../../tasks/lib/kube.ts'
import { loadManifests } from '../../../tasks/lib/manifests.ts'
import { clearSecrets } from '../../../tasks/lib/redact.ts'
import { checksOf, chooseLesson, command, lesson as lessonCommand, notBlocking, resetClosing, resetSteps } from '../../../tasks/lesson.ts'
import { NotSeen } from '../../../tasks/lessons/types.ts'
import { runChecks, summary, type Check, type CheckDeps, type CheckLine } from '../../../tasks/lessons/check.ts'
import { findLesson, LESSONS } from '../../../tasks/lessons/index.ts'
import { fakeDeps, fakeKube, fakeProvider, fakeShell, runStep, SECRET_B64, SECRET_WORD, testCtx } from '../fakes.ts'


test.before.each(() => clearSecrets())

// ── the command line ───────────────────────────────────────────────────────────────────────────────────────

const parse = (...argv: string[]) => chooseLesson(parseCli(command, argv))

test('modes: one at a time; --dry-run and --yes only with a replay or --reset; each a one-line usage error', () => {
  assert.equal(parse('6', '--check'), { lesson: findLesson('6'), mode: 'check' })
  assert.equal(parse('readiness', '--reset', '--dry-run'), { lesson: findLesson('6'), mode: 'reset' })
  assert.equal(parse('7', '--diff'), { lesson: findLesson('7'), mode: 'diff' })
  assert.equal(parse('7', '--solution'), { lesson: findLesson('7'), mode: 'solution' })
  const bad: Array<[string[], RegExp]> = [
    [['6', '--check', '--reset'], /^one of --check, --reset, --explain, --solution, --diff at a time \(got --check and --reset\)$/],
    [['6', '--explain', '--diff'], /^one of .* \(got --explain and --diff\)$/],
    [['--list', '--check'], /^--list takes no --check$/],
    [['6', '--check', '--dry-run'], /^--dry-run goes with a replay or --reset, not --check/],
    [['6', '--explain', '--yes'], /^--yes goes with a replay or --reset, not --explain$/],
    [['--check'], /^which lesson\?/],
    [['6', '7', '--diff'], /^one lesson at a time/],
  ]
  for (const [argv, re] of bad) {
    try {
      parse(...argv)
      assert.unreachable(argv.join(' '))
    } catch (e) {
      assert.instance(e, UsageError, argv.join(' '))
      assert.not.match((e as Error).message, /\n/)
      assert.match((e as Error).message, re, argv.join(' '))
    }
  }
})

test('as a person runs it: a bad combination exits 2 with one line; --diff piped is plain; --help names every mode', async () => {
  const run = promisify(execFile)
  try {
    await run('npx', ['tsx', 'tasks/lesson.ts', '6', '--check', '--diff'], { cwd: ROOT })
    assert.unreachable()
  } catch (e) {
    const err = e as { code: number; stderr: string }
    assert.is(err.code, 2)
    assert.equal(err.stderr.trim().split('\n'), ["tasks/lesson.ts: one of --check, --reset, --explain, --solution, --diff at a time (got --check and --diff) (see --help)"])
  }
  const diff = await run('npx', ['tsx', 'tasks/lesson.ts', '7', '--diff'], { cwd: ROOT })
  assert.not.ok(diff.stdout.includes('\x1b['))
  assert.match(diff.stdout, /^\+ {10}livenessProbe:$/m)
  const help = await run('npx', ['tsx', 'tasks/lesson.ts', '--help'], { cwd: ROOT })
  for (const f of ['--check', '--reset', '--explain', '--solution', '--diff']) assert.match(help.stdout, new RegExp(`^\\s+${f}\\s+\\S`, 'm'), f)
})

// ── --reset ────────────────────────────────────────────────────────────────────────────────────────────────

/** The titles and commands of a list, as runList shows them under --dry-run. */
async function plan(steps: ReturnType<typeof resetSteps>, ctx: Ctx): Promise<string[]> {
  const lines: string[] = []
  for (const s of steps) {
    if (s.enabled === false) continue
    const t = await runStep(s, ctx)
    lines.push(`# ${t.title}`, ...t.outputs)
  }
  return lines
}

test('--reset N: lesson N−1 replayed (it resets first); before lesson 3 followed by the reset; lesson 0: nothing', async () => {
  const sh = fakeShell({ dryRun: true, installed: ['kubectl', 'docker', 'go'], reply: () => ({ stdout: '' }) })
  const deps = fakeDeps({ sh, provider: fakeProvider({ name: 'remote', requiredTools: ['kubectl', 'docker', 'go'] }) })
  assert.equal(resetSteps(findLesson('0'), deps), [])
  const seven = await plan(resetSteps(findLesson('7'), deps), testCtx({ dryRun: true, namespace: 'default' }))
  const at = (re: RegExp) => seven.findIndex((l) => re.test(l))
  assert.ok(at(/^\$ kubectl delete namespace hellogopher/) >= 0, seven.join('\n'))
  assert.ok(at(/^\$ kubectl apply .*06-readiness-wrong-port\.yml$/) > at(/^\$ kubectl delete namespace hellogopher/))
  assert.ok(at(/^\$ kubectl apply .*06-readiness-fixed\.yml$/) > at(/^\$ kubectl apply .*06-readiness-wrong-port\.yml$/))
  assert.is(at(/07-liveness/), -1, 'lesson 7 itself is not done')
  const three = await plan(resetSteps(findLesson('3'), deps), testCtx({ dryRun: true, namespace: 'default' }))
  assert.ok(three.some((l) => /^\$ docker build .*hellogopher:1\.0/.test(l)), three.join('\n'))
  assert.ok(three.findIndex((l) => /^\$ kubectl delete namespace hellogopher/.test(l)) > three.findIndex((l) => /^\$ docker build/.test(l)))
  assert.match(resetClosing(findLesson('7'), false), /lessons 0–6 leave it: lesson 7 \(liveness\) starts here\.\nNow do it by hand: +npx tsx tasks\/lesson\.ts 7 --explain.*\nThen check it: +npx tsx tasks\/lesson\.ts 7 --check\n$/)
  assert.match(resetClosing(findLesson('0'), false), /nothing to reset/)
})

test("--reset: lesson N−1's observable not showing is said and the reset goes on; any other failure stops it", async () => {
  // lesson 9's observation on a cluster without metrics-server, inside --reset 10
  const sh = fakeShell({ reply: (c) => (c.args.includes('top') ? { exitCode: 1, stderr: 'error: Metrics API not available' } : {}) })
  const deps = fakeDeps({ sh, kube: fakeKube({ read: async () => undefined }) })
  const look = resetSteps(findLesson('10'), deps).find((s) => String(s.title).startsWith('Look at how much CPU'))
  assert.ok(look, 'lesson 9 observes kubectl top pods')
  const t = await runStep(look!, testCtx({ namespace: 'default' }))
  assert.match(t.skipped ?? '', /^lesson 9's not seen: kubectl top pods answering — saw: no metrics API on this cluster .* — the reset goes on/)
  // a step that is not an observation is left alone; another failure of an observation still stops the reset
  const broken = notBlocking({ title: 'x', task: () => Promise.reject(new Error('connection refused')) }, 9)
  try {
    await runStep(broken, testCtx())
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).message, 'connection refused')
  }
  const seen = await runStep(notBlocking({ title: 'x', task: () => Promise.reject(new NotSeen('a', 'b')) }, 4), testCtx())
  assert.is(seen.skipped, "lesson 4's not seen: a — saw: b — the reset goes on (npx tsx tasks/lesson.ts 4 --check says more)")
})

// ── the check runner ───────────────────────────────────────────────────────────────────────────────────────

/** A clock the runner's waits move forward (no real time passes). */
function clock() {
  let t = 0
  return { now: () => t, sleep: async (ms: number) => void (t += ms), elapsed: () => t }
}

const check = (observable: string, results: Array<boolean | Error>, extra: Partial<Check> = {}): Check & { reads: number } => {
  const c: Check & { reads: number } = {
    observable,
    hint: `do ${observable}`,
    reads: 0,
    async check() {
      const r: boolean | Error = results[Math.min(c.reads++, results.length - 1)]!
      if (r instanceof Error) throw r
      return { ok: r, seen: `${observable} read ${c.reads}` }
    },
    ...extra,
  }
  return c
}

test('runChecks: ✔/✘ per check, a hint under each ✘; a waiting check says so and re-reads until it passes', async () => {
  const out: string[] = []
  const c = clock()
  const slow = check('restarts', [false, false, true], { wait: { seconds: 60, what: 'the restart count to climb' } })
  const lines = await runChecks([check('a', [true]), slow, check('b', [false])], {} as CheckDeps, { out: (l) => out.push(l), ...c })
  assert.equal(out, ['✔  a — a read 1', '…  waiting up to 60s for the restart count to climb', '✔  restarts — restarts read 3', '✘  b — saw: b read 1', '   hint: do b'])
  assert.is(slow.reads, 3)
  assert.is(c.elapsed(), 4000)
  assert.equal(lines.map((l) => l.status), ['pass', 'pass', 'fail'])
  assert.is(summary(lines), '2 of 3 checks passed')
})

test('runChecks: a wait ends at its deadline with what was seen last; after a ✘ a waiting check is not waited for', async () => {
  const out: string[] = []
  const c = clock()
  const never = check('ready', [false], { wait: { seconds: 10, what: 'the pod to be ready' } })
  const after = check('restarts', [false], { wait: { seconds: 120, what: 'restarts' } })
  const already = check('events', [true], { wait: { seconds: 120, what: 'events' } })
  const lines = await runChecks([never, after, already, check('c', [true])], {} as CheckDeps, { out: (l) => out.push(l), ...c })
  assert.ok(c.elapsed() <= 10_000, String(c.elapsed()))
  assert.match(out[1]!, /^✘ {2}ready — saw: ready read \d+ \(after waiting 10s\)$/)
  assert.is(after.reads, 1)
  assert.equal(lines.map((l) => l.status), ['fail', 'not-checked', 'pass', 'pass'])
  assert.is(out[3], '–  restarts — not waited for: fix the ✘ above first (now: restarts read 1)')
  assert.is(out[4], '✔  events — events read 1')
})

test('runChecks: a ✘ that waiting cannot turn (nothing installed) is not waited for', async () => {
  const out: string[] = []
  const c = clock()
  const never: Check & { reads: number } = { observable: 'metrics', hint: 'install it', reads: 0, wait: { seconds: 60, what: 'metrics' }, async check() {
    never.reads++
    return { ok: false, seen: 'no APIService', final: true }
  } }
  const lines = await runChecks([never], {} as CheckDeps, { out: (l) => out.push(l), ...c })
  assert.is(never.reads, 1)
  assert.is(c.elapsed(), 0)
  assert.equal(out, ['✘  metrics — saw: no APIService', '   hint: install it'])
  assert.is(lines[0]!.status, 'fail')
})

test('runChecks: a read that throws is a ✘ saying why; a failed gate leaves the rest not checked', async () => {
  const out: string[] = []
  const gate = check('the cluster answers', [new Error('cannot reach the cluster at https://127.0.0.1:6443 (ECONNREFUSED)')], { gate: true })
  const rest = check('x', [true])
  const lines: CheckLine[] = await runChecks([gate, rest], {} as CheckDeps, { out: (l) => out.push(l), ...clock() })
  assert.is(out[0], '✘  the cluster answers — saw: could not read it: cannot reach the cluster at https://127.0.0.1:6443 (ECONNREFUSED)')
  assert.is(rest.reads, 0)
  assert.equal(lines.map((l) => l.status), ['fail', 'not-checked'])
  assert.is(summary([{ observable: 'a', status: 'pass', seen: '' }]), 'the 1 check passed')
})

// ── each lesson's checks on a fake cluster: done → all ✔; one step left out → ✘ naming it ─────────────────────

interface Cluster {
  objects?: KubernetesObject[]
  events?: Array<Partial<CoreV1Event> & { ns?: string }>
  /** `ns/pod` (or `ns/pod/previous`) → log text */
  logs?: Record<string, string>
  contextNamespace?: string
  metrics?: Record<string, string[]>
  images?: string[]
  /** Images in the docker the provider builds with (not necessarily in the runtime). */
  built?: string[]
  tools?: string[]
  http?: { status: number; body: string }
  provider?: string
  /** The provider's image swaps. */
  clusterImage?: Record<string, string>
}

const T0 = Date.parse('2026-11-30T10:00:00Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()

function matches(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true
  return selector.split(',').every((term) => {
    const ne = /^(.+)!=(.*)$/.exec(term)
    if (ne) return labels?.[ne[1]!] !== ne[2]
    const [k, v] = term.split('=')
    return labels?.[k!] === v
  })
}

/** Read-only CheckDeps over a list of objects (what the API would return for each read). */
function fakeCluster(c: Cluster): CheckDeps {
  const objs = c.objects ?? []
  const ns = (o: KubernetesObject) => o.metadata?.namespace
  const of = (kind: string, namespace?: string, selector?: string) => objs.filter((o) => o.kind === kind && (namespace === undefined || ns(o) === namespace) && matches(o.metadata?.labels, selector))
  return {
    provider: c.provider ?? 'lab',
    ping: async () => 'v1.34.4',
    read: async <T extends KubernetesObject>(ref: { kind: string; name: string; namespace?: string }) => objs.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name && ns(o) === ref.namespace) as T | undefined,
    list: async <T extends KubernetesObject>(_v: string, kind: string, namespace?: string, selector?: string) => of(kind, namespace, selector) as T[],
    pods: async (namespace, selector) => of('Pod', namespace, selector) as V1Pod[],
    events: async (namespace) => (c.events ?? []).filter((e) => (e.ns ?? 'default') === namespace) as CoreV1Event[],
    log: async (namespace, pod, _c, previous) => c.logs?.[`${namespace}/${pod}${previous ? '/previous' : ''}`],
    contextNamespace: () => c.contextNamespace ?? 'default',
    podMetrics: async (namespace) => (c.metrics?.[namespace] ? ({ items: c.metrics[namespace]!.map((name) => ({ metadata: { name }, containers: [{ name: 'hellogopher', usage: { cpu: '1m', memory: '5Mi' } }] })) } as never) : undefined),
    imageInRuntime: async (image) => (c.images ?? []).includes(image),
    imageBuilt: async (image) => [...(c.built ?? []), ...(c.images ?? [])].includes(image),
    which: async (bin) => ((c.tools ?? ['kubectl', 'docker', 'go']).includes(bin) ? `/usr/bin/${bin}` : undefined),
    requiredTools: () => ['kubectl', 'docker', 'go'],
    clusterImage: (image) => c.clusterImage?.[image] ?? image,
    serviceUrl: async () => 'http://10.250.0.1:30080',
    httpGet: async () => c.http ?? { status: 200, body: 'Hello gopher\n' },
  }
}

type Container = Record<string, unknown> & { name?: string; image?: string }
const app = (tag: string, extra: Record<string, unknown> = {}): Container => ({ name: 'hellogopher', image: `programmingpercy/hellogopher:${tag}`, imagePullPolicy: 'Never', ports: [{ containerPort: 8080 }], ...extra })
const probe = (port: number, extra = {}) => ({ httpGet: { path: '/', port }, initialDelaySeconds: 5, timeoutSeconds: 1, failureThreshold: 3, ...extra })
const deployment = (namespace: string, container: Container, spec: Record<string, unknown> = {}, name = 'hellogopher'): KubernetesObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels: { app: name } }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, strategy: { type: 'RollingUpdate' }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } }, ...spec } }) as KubernetesObject
const replicaSet = (namespace: string, name: string, revision: number, container: Container, created = 0, annotations: Record<string, string> = {}): KubernetesObject =>
  ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: at(created), annotations: { 'deployment.kubernetes.io/revision': String(revision) }, ownerReferences: [{ kind: 'Deployment', name: 'hellogopher' }] }, spec: { template: { metadata: { annotations }, spec: { containers: [container] } } } }) as unknown as KubernetesObject

interface PodOpts {
  ns?: string
  labels?: Record<string, string>
  container?: Container
  ready?: boolean
  phase?: string
  restarts?: number
  created?: number
  rs?: string
  waiting?: string
  terminated?: { reason: string; exitCode: number }
}
function pod(name: string, o: PodOpts = {}): KubernetesObject {
  const ready = o.ready ?? true
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', labels: o.labels ?? { app: 'hellogopher' }, creationTimestamp: at(o.created ?? 0), ownerReferences: o.rs ? [{ kind: 'ReplicaSet', name: o.rs }] : [] },
    spec: { containers: [o.container ?? app('1.0')] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: o.container?.name ?? 'hellogopher', ready, restartCount: o.restarts ?? 0, state: o.waiting ? { waiting: { reason: o.waiting } } : o.terminated ? { terminated: o.terminated } : { running: {} } }],
    },
  } as unknown as KubernetesObject
}
function obj(apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown> = {}): KubernetesObject {
  const { metadata, ...body } = rest as { metadata?: object }
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), creationTimestamp: at(0), ...metadata }, ...body } as unknown as KubernetesObject
}
const nodePort = (namespace: string) => obj('v1', 'Service', 'hellogopher', namespace, { spec: { type: 'NodePort', selector: { app: 'hellogopher' }, ports: [{ port: 8080, nodePort: 30080 }] } })

const H = 'hellogopher'
const dbEnv = [{ name: 'DATABASE_USERNAME', value: 'root' }, { name: 'DATABASE_PASSWORD', value: 'x' }, { name: 'DATABASE_NAME', value: 'test' }]
const mysqlObjects = (): KubernetesObject[] => [
  obj('v1', 'Namespace', H, undefined),
  deployment(H, { name: 'mysql', image: 'mysql:8.0', ports: [{ containerPort: 3306 }] }, { strategy: { type: 'Recreate' } }, 'mysql'),
  obj('v1', 'Service', 'mysql', H, { spec: { selector: { app: 'mysql' }, ports: [{ port: 3306 }], clusterIP: '10.96.0.9' } }),
  pod('mysql-1', { ns: H, labels: { app: 'mysql' }, container: { name: 'mysql', image: 'mysql:8.0' } }),
  nodePort(H),
]
const mysqlLog = { 'hellogopher/mysql-1': "Version: '10.11.6-MariaDB'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12" }
const connectedLog = (p: string) => ({ [`hellogopher/${p}`]: 'hellogopher 5.0 starting\nconnected to database at 10.96.0.9:3306 as root\ncreated database test\nhellogopher 5.0 listening on :8080' })
const RESOURCES = { requests: { memory: '1Mi', cpu: '50m' }, limits: { memory: '10Mi', cpu: '100m' } }
const withFields = (fields: Array<{ manager: string; operation: string }>) => ({ managedFields: fields })

/** For each lesson: the cluster after the lesson was done, and after it was done with one step left out. */
const CASES: Record<number, { done: Cluster; missing: Record<string, { cluster: Cluster; hint: RegExp }> }> = {
  0: { done: {}, missing: { 'docker not installed': { cluster: { tools: ['kubectl', 'go'] }, hint: /tasks\/doctor\.ts/ } } },
  1: {
    done: { objects: [obj('v1', 'Node', 'lab', undefined, { status: { conditions: [{ type: 'Ready', status: 'True' }] } })] },
    missing: { 'the cluster not started': { cluster: { objects: [obj('v1', 'Node', 'lab', undefined, { status: { conditions: [{ type: 'Ready', status: 'False' }] } })] }, hint: /minikube start/ } },
  },
  2: {
    done: { images: ['programmingpercy/hellogopher:1.0'], provider: 'minikube' },
    missing: { 'docker build': { cluster: { images: [], provider: 'minikube' }, hint: /eval \$\(minikube docker-env\).*docker build -t programmingpercy\/hellogopher:1\.0/ } },
  },
  3: {
    done: { objects: [deployment('default', app('1.0')), pod('hellogopher-a')] },
    missing: {
      'kubectl create -f': { cluster: { objects: [] }, hint: /kubectl create -f hellogopher\.yml/ },
      'the image in the runtime (lesson 2)': { cluster: { objects: [deployment('default', app('1.0')), pod('hellogopher-a', { ready: false, phase: 'Pending', waiting: 'ErrImageNeverPull' })] }, hint: /lesson 2's docker build/ },
    },
  },
  4: {
    done: { objects: [deployment('default', app('1.0')), pod('hellogopher-a'), nodePort('default')] },
    missing: {
      'kubectl expose': { cluster: { objects: [deployment('default', app('1.0')), pod('hellogopher-a')] }, hint: /kubectl expose deployment hellogopher/ },
      'the app answering (deleted too early)': { cluster: { objects: [nodePort('default')], http: { status: 503, body: 'no endpoints' } }, hint: /check before the article's kubectl delete deployment/ },
    },
  },
  5: {
    done: { objects: [deployment('default', app('1.0')), replicaSet('default', 'hellogopher-rs1', 1, app('1.0'), 0), pod('hellogopher-rs1-new', { rs: 'hellogopher-rs1', created: 40 })] },
    missing: {
      'kubectl delete pods -l': { cluster: { objects: [deployment('default', app('1.0')), replicaSet('default', 'hellogopher-rs1', 1, app('1.0'), 0), pod('hellogopher-rs1-old', { rs: 'hellogopher-rs1', created: 0 })] }, hint: /kubectl delete pods -l app=hellogopher/ },
      'kubectl delete pods -l (Events of an earlier ReplicaSet of the same name do not count)': {
        cluster: {
          objects: [deployment('default', app('1.0')), replicaSet('default', 'hellogopher-rs1', 1, app('1.0'), 0), pod('hellogopher-rs1-old', { rs: 'hellogopher-rs1', created: 1 })],
          events: [1, 2].map((i) => ({ reason: 'SuccessfulCreate', message: `Created pod: hellogopher-rs1-${i}`, involvedObject: { kind: 'ReplicaSet', name: 'hellogopher-rs1', uid: 'uid-of-an-hour-ago' } })),
        },
        hint: /kubectl delete pods -l app=hellogopher/,
      },
      'kubectl label … author-': { cluster: { objects: [deployment('default', app('1.0')), replicaSet('default', 'hellogopher-rs1', 1, app('1.0'), 0), pod('hellogopher-rs1-new', { rs: 'hellogopher-rs1', created: 40, labels: { app: H, author: 'ironman' } })] }, hint: /author-/ },
    },
  },
  6: {
    done: {
      objects: [
        deployment('default', app('1.0', { readinessProbe: probe(8080) })),
        replicaSet('default', 'rs1', 1, app('1.0')),
        replicaSet('default', 'rs2', 2, app('1.0', { readinessProbe: probe(8081) })),
        replicaSet('default', 'rs3', 3, app('1.0', { readinessProbe: probe(8080) })),
        pod('hellogopher-rs3', { container: app('1.0', { readinessProbe: probe(8080) }) }),
      ],
      events: [{ reason: 'Unhealthy', message: 'Readiness probe failed: Get "http://10.244.0.7:8081/": connection refused', involvedObject: { kind: 'Pod', name: 'hellogopher-rs2' } }],
    },
    missing: {
      'the wrong port first': {
        cluster: { objects: [deployment('default', app('1.0', { readinessProbe: probe(8080) })), replicaSet('default', 'rs1', 1, app('1.0')), replicaSet('default', 'rs3', 2, app('1.0', { readinessProbe: probe(8080) })), pod('hellogopher-rs3', { container: app('1.0', { readinessProbe: probe(8080) }) })] },
        hint: /probe on a port the app does not serve/,
      },
      'the port fixed': {
        cluster: { objects: [deployment('default', app('1.0', { readinessProbe: probe(8081) })), replicaSet('default', 'rs2', 1, app('1.0', { readinessProbe: probe(8081) })), pod('hellogopher-rs2', { ready: false, container: app('1.0', { readinessProbe: probe(8081) }) })] },
        hint: /readinessProbe\.httpGet\.port in hellogopher\.yml/,
      },
    },
  },
  7: {
    done: {
      objects: [
        deployment('default', app('2.0', { readinessProbe: probe(8080), livenessProbe: probe(8080) })),
        replicaSet('default', 'hellogopher-one', 1, app('1.0', { readinessProbe: probe(8080) })),
        replicaSet('default', 'hellogopher-two', 2, app('2.0', { readinessProbe: probe(8080), livenessProbe: probe(8080) })),
        pod('hellogopher-two-x', { container: app('2.0'), restarts: 2, ready: false }),
      ],
      events: [
        { reason: 'ScalingReplicaSet', message: 'Scaled up replica set hellogopher-two from 0 to 1', involvedObject: { kind: 'Deployment', name: H, uid: 'uid-default-hellogopher' }, lastTimestamp: new Date(T0 + 1000) },
        { reason: 'ScalingReplicaSet', message: 'Scaled down replica set hellogopher-one from 1 to 0', involvedObject: { kind: 'Deployment', name: H, uid: 'uid-default-hellogopher' }, lastTimestamp: new Date(T0 + 7000) },
        { reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500', involvedObject: { kind: 'Pod', name: 'hellogopher-two-x' } },
        { reason: 'Killing', message: 'Container hellogopher failed liveness probe, will be restarted', involvedObject: { kind: 'Pod', name: 'hellogopher-two-x' } },
      ],
    },
    missing: {
      'the liveness probe': {
        cluster: { objects: [deployment('default', app('2.0', { readinessProbe: probe(8080) })), replicaSet('default', 'hellogopher-one', 1, app('1.0')), replicaSet('default', 'hellogopher-two', 2, app('2.0')), pod('hellogopher-two-x', { container: app('2.0') })] },
        hint: /a livenessProbe .* in hellogopher\.yml/,
      },
      'kubectl set image … 2.0': {
        cluster: { objects: [deployment('default', app('1.0', { livenessProbe: probe(8080) })), replicaSet('default', 'hellogopher-one', 1, app('1.0')), pod('hellogopher-one-x')] },
        hint: /kubectl set image deployment\/hellogopher/,
      },
    },
  },
  8: {
    done: {
      objects: [deployment('default', app('3.0', { livenessProbe: probe(8080) })), pod('hellogopher-c', { container: app('3.0') }), pod('oom-demo', { labels: { app: 'oom-demo' }, container: { name: 'oom-demo', image: 'busybox' }, phase: 'Failed', ready: false, terminated: { reason: 'OOMKilled', exitCode: 137 } })],
      logs: { 'default/hellogopher-c': 'hellogopher 3.0 starting: times out after 100s\nhellogopher 3.0 listening on :8080' },
    },
    missing: {
      'the pod over its memory limit': { cluster: { objects: [deployment('default', app('3.0')), pod('hellogopher-c', { container: app('3.0') })], logs: { 'default/hellogopher-c': 'hellogopher 3.0 starting' } }, hint: /kubectl apply -f manifests\/lessons\/08-oom\.yml/ },
      'kubectl set image … 3.0': { cluster: { objects: [deployment('default', app('2.0')), pod('hellogopher-b', { container: app('2.0') })], logs: { 'default/hellogopher-b': 'hellogopher 2.0 starting\nTimeout triggered after 10s' } }, hint: /kubectl set image deployment\/hellogopher/ },
    },
  },
  9: {
    done: { objects: [obj('apiregistration.k8s.io/v1', 'APIService', 'v1beta1.metrics.k8s.io', undefined, { status: { conditions: [{ type: 'Available', status: 'True' }] } }), deployment('default', app('1.0')), pod('hellogopher-a')], metrics: { default: ['hellogopher-a'] } },
    missing: { 'metrics-server': { cluster: { objects: [deployment('default', app('1.0')), pod('hellogopher-a')] }, hint: /minikube addons enable metrics-server/ } },
  },
  10: {
    done: { objects: [...mysqlObjects(), deployment(H, app('4.0')), pod('hellogopher-d', { ns: H, container: app('4.0') })], contextNamespace: H, logs: mysqlLog },
    missing: {
      'kubectl config set-context': { cluster: { objects: [...mysqlObjects(), deployment(H, app('4.0')), pod('hellogopher-d', { ns: H })], contextNamespace: 'default', logs: mysqlLog }, hint: /kubectl config set-context --current --namespace=/ },
      'an image the cluster has (the lab cannot pull mysql:8.0)': {
        cluster: {
          objects: [...mysqlObjects().filter((o) => o.metadata?.name !== 'mysql-1'), pod('mysql-1', { ns: H, labels: { app: 'mysql' }, container: { name: 'mysql', image: 'mysql:8.0' }, phase: 'Pending', ready: false, waiting: 'ImagePullBackOff' }), deployment(H, app('4.0')), pod('hellogopher-d', { ns: H })],
          contextNamespace: H,
          clusterImage: { 'mysql:8.0': 'localhost/lab/mysql-compat:1' },
        },
        hint: /cannot pull mysql:8\.0 — use image localhost\/lab\/mysql-compat:1 in 01_database\.yml/,
      },
      'deleting what was in default': { cluster: { objects: [...mysqlObjects(), deployment(H, app('4.0')), pod('hellogopher-d', { ns: H }), deployment('default', app('3.0'))], contextNamespace: H, logs: mysqlLog }, hint: /kubectl get all -n default and delete it there/ },
    },
  },
  11: {
    done: { objects: [...mysqlObjects(), deployment(H, app('5.0', { env: dbEnv })), pod('hellogopher-e', { ns: H, container: app('5.0', { env: dbEnv }), created: 60 })], contextNamespace: H, logs: connectedLog('hellogopher-e') },
    missing: {
      'a pod made after the Service (kubectl rollout restart)': { cluster: { objects: [...mysqlObjects(), deployment(H, app('5.0', { env: dbEnv })), pod('hellogopher-e', { ns: H, container: app('5.0', { env: dbEnv }), created: -60 })], logs: connectedLog('hellogopher-e') }, hint: /kubectl rollout restart deployment hellogopher/ },
      'the env: list': { cluster: { objects: [...mysqlObjects(), deployment(H, app('5.0')), pod('hellogopher-e', { ns: H, container: app('5.0'), created: 60 })], logs: connectedLog('hellogopher-e') }, hint: /an env: list in 02_hellogopher\.yml/ },
    },
  },
  12: {
    done: {
      objects: [
        ...mysqlObjects(),
        obj('v1', 'ConfigMap', 'hellogopher-config', H, { data: { log_level: 'debug' } }),
        obj('v1', 'ConfigMap', 'database-configs', H, { data: { DATABASE_USERNAME: 'root', DATABASE_NAME: 'test' }, metadata: withFields([{ manager: 'kubectl', operation: 'Apply' }]) }),
        deployment(H, app('5.0', { envFrom: [{ configMapRef: { name: 'database-configs' } }], env: [{ name: 'DATABASE_PASSWORD', value: 'x' }] })),
        pod('hellogopher-f', { ns: H, container: app('5.0'), created: 60 }),
      ],
      logs: connectedLog('hellogopher-f'),
    },
    missing: {
      'envFrom': {
        cluster: {
          objects: [
            ...mysqlObjects(),
            obj('v1', 'ConfigMap', 'hellogopher-config', H, { data: { log_level: 'debug' } }),
            obj('v1', 'ConfigMap', 'database-configs', H, { data: { DATABASE_USERNAME: 'root', DATABASE_NAME: 'test' }, metadata: withFields([{ manager: 'kubectl', operation: 'Apply' }]) }),
            deployment(H, app('5.0', { env: [{ name: 'DATABASE_USERNAME', valueFrom: { configMapKeyRef: { name: 'database-configs', key: 'DATABASE_USERNAME' } } }, { name: 'DATABASE_NAME', valueFrom: { configMapKeyRef: { name: 'database-configs', key: 'DATABASE_NAME' } } }] })),
            pod('hellogopher-f', { ns: H, container: app('5.0'), created: 60 }),
          ],
          logs: connectedLog('hellogopher-f'),
        },
        hint: /envFrom: - configMapRef: in 02_hellogopher\.yml/,
      },
      'declaring it in 01_database.yml': {
        cluster: {
          objects: [
            ...mysqlObjects(),
            obj('v1', 'ConfigMap', 'hellogopher-config', H, { data: { log_level: 'debug' } }),
            obj('v1', 'ConfigMap', 'database-configs', H, { data: { DATABASE_USERNAME: 'root', DATABASE_NAME: 'test' }, metadata: withFields([{ manager: 'kubectl-create', operation: 'Update' }]) }),
            deployment(H, app('5.0', { envFrom: [{ configMapRef: { name: 'database-configs' } }] })),
            pod('hellogopher-f', { ns: H, container: app('5.0'), created: 60 }),
          ],
          logs: connectedLog('hellogopher-f'),
        },
        hint: /declare it in 01_database\.yml/,
      },
    },
  },
  13: {
    done: {
      objects: [
        ...mysqlObjects(),
        obj('v1', 'Secret', 'database-secrets', H, { data: { DATABASE_PASSWORD: SECRET_B64 }, metadata: withFields([{ manager: 'kubectl', operation: 'Apply' }, { manager: 'kubectl-patch', operation: 'Update' }]) }),
        deployment(H, app('5.0', { env: [{ name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'database-secrets', key: 'DATABASE_PASSWORD' } } }] })),
        replicaSet(H, 'rs1', 1, app('5.0')),
        replicaSet(H, 'rs2', 2, app('5.0'), 30, { 'kubectl.kubernetes.io/restartedAt': at(30) }),
        replicaSet(H, 'rs3', 3, app('5.0'), 90, { 'kubectl.kubernetes.io/restartedAt': at(90) }),
        pod('hellogopher-g', { ns: H, container: app('5.0'), created: 90 }),
      ],
      logs: connectedLog('hellogopher-g'),
    },
    missing: {
      'kubectl rollout restart': {
        cluster: {
          objects: [
            ...mysqlObjects(),
            obj('v1', 'Secret', 'database-secrets', H, { data: { DATABASE_PASSWORD: SECRET_B64 }, metadata: withFields([{ manager: 'kubectl-patch', operation: 'Update' }]) }),
            deployment(H, app('5.0', { env: [{ name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'database-secrets', key: 'DATABASE_PASSWORD' } } }] })),
            replicaSet(H, 'rs1', 1, app('5.0')),
            pod('hellogopher-g', { ns: H, container: app('5.0') }),
          ],
          logs: connectedLog('hellogopher-g'),
        },
        hint: /kubectl rollout restart deployment hellogopher/,
      },
      'kubectl patch secret': {
        cluster: {
          objects: [
            ...mysqlObjects(),
            obj('v1', 'Secret', 'database-secrets', H, { data: { DATABASE_PASSWORD: SECRET_B64 }, metadata: withFields([{ manager: 'kubectl', operation: 'Apply' }]) }),
            deployment(H, app('5.0', { env: [{ name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'database-secrets', key: 'DATABASE_PASSWORD' } } }] })),
            pod('hellogopher-g', { ns: H, container: app('5.0') }),
          ],
          logs: connectedLog('hellogopher-g'),
        },
        hint: /kubectl patch secret database-secrets/,
      },
    },
  },
  14: {
    done: { objects: [deployment(H, app('5.0', { resources: RESOURCES })), pod('hellogopher-h', { ns: H, container: app('5.0', { resources: RESOURCES }) })] },
    missing: { 'resources:': { cluster: { objects: [deployment(H, app('5.0')), pod('hellogopher-h', { ns: H, container: app('5.0') })] }, hint: /resources: requests and limits in 02_hellogopher\.yml/ } },
  },
  15: {
    done: { contextNamespace: 'default' },
    missing: {
      'kubectl delete namespace': { cluster: { objects: [obj('v1', 'Namespace', H, undefined)] }, hint: /kubectl delete namespace/ },
      'kubectl config set-context': { cluster: { contextNamespace: H }, hint: /kubectl config set-context --current --namespace=default/ },
    },
  },
}

async function checkOn(n: number, cluster: Cluster): Promise<{ lines: CheckLine[]; out: string[] }> {
  const out: string[] = []
  const lines = await runChecks(checksOf(findLesson(String(n))), fakeCluster(cluster), { out: (l) => out.push(l), ...clock() })
  return { lines, out }
}

test('every lesson has checks, each with an observable and a hint; lessons from 1 on start with "the cluster answers"', () => {
  for (const l of LESSONS) {
    assert.ok(l.checks.length >= 1, `lesson ${l.number}`)
    for (const c of l.checks) assert.ok(c.observable.length > 5 && c.hint.length > 10, `lesson ${l.number}: ${c.observable}`)
    assert.is(checksOf(l)[0]!.observable === 'the cluster answers', l.number >= 1)
    assert.ok(CASES[l.number], `lesson ${l.number} has no fake-cluster case`)
  }
})

for (const l of LESSONS) {
  test(`lesson ${l.number} --check: done → every check ✔; a step left out → ✘ with a hint naming it`, async () => {
    const c = CASES[l.number]!
    const done = await checkOn(l.number, c.done)
    assert.ok(done.lines.every((x) => x.status === 'pass'), `lesson ${l.number} done:\n${done.out.join('\n')}`)
    for (const [step, { cluster, hint }] of Object.entries(c.missing)) {
      const r = await checkOn(l.number, cluster)
      const failed = r.lines.filter((x) => x.status === 'fail')
      assert.ok(failed.length >= 1, `lesson ${l.number} without ${step} passed:\n${r.out.join('\n')}`)
      assert.ok(failed.some((x) => hint.test(x.hint ?? '')), `lesson ${l.number} without ${step}: no hint matches ${hint}:\n${r.out.join('\n')}`)
      for (const line of r.out) assert.not.ok(line.includes(SECRET_B64), line)
    }
    for (const line of done.out) assert.not.ok(line.includes(SECRET_B64), line)
  })
}

test('lesson 5 --check: a replacement pod made within seconds still counts when its ReplicaSet\'s Events say it made two', async () => {
  const quick: Cluster = {
    objects: [deployment('default', app('1.0')), replicaSet('default', 'hellogopher-rs1', 1, app('1.0'), 0), pod('hellogopher-rs1-new', { rs: 'hellogopher-rs1', created: 1 })],
    events: [{ reason: 'SuccessfulCreate', message: 'Created pod: hellogopher-rs1-old', involvedObject: { kind: 'ReplicaSet', name: 'hellogopher-rs1', uid: 'uid-hellogopher-rs1' } }, { reason: 'SuccessfulCreate', message: 'Created pod: hellogopher-rs1-new', involvedObject: { kind: 'ReplicaSet', name: 'hellogopher-rs1', uid: 'uid-hellogopher-rs1' } }],
  }
  const r = await checkOn(5, quick)
  assert.ok(r.lines.every((x) => x.status === 'pass'), r.out.join('\n'))
  assert.match(r.out.join('\n'), /2 pods created by it/)
})

test('lesson 7 --check: a Deployment using strategy Recreate is no rolling update', async () => {
  const recreate = structuredClone(CASES[7]!.done)
  ;(recreate.objects![0] as { spec: { strategy: { type: string } } }).spec.strategy.type = 'Recreate'
  const r = await checkOn(7, recreate)
  const failed = r.lines.filter((x) => x.status === 'fail')
  assert.equal(failed.map((x) => x.seen), ['the Deployment uses strategy Recreate: old pods go first'])
  assert.match(failed[0]!.hint!, /deleting and re-creating it is no rolling update/)
})

/** A check run on a fake cluster, with how long its waits took on the fake clock. */
async function timedCheck(n: number, cluster: Cluster): Promise<{ lines: CheckLine[]; out: string[]; waited: number }> {
  const out: string[] = []
  const c = clock()
  const lines = await runChecks(checksOf(findLesson(String(n))), fakeCluster(cluster), { out: (l) => out.push(l), now: c.now, sleep: c.sleep })
  return { lines, out, waited: c.elapsed() }
}
const failedHints = (r: { lines: CheckLine[] }) => r.lines.filter((x) => x.status === 'fail').map((x) => x.hint ?? '')

test('lesson 0 --check: the hint names each missing tool with how to get it (the doctor\'s words)', async () => {
  const r = await timedCheck(0, { tools: ['kubectl'] })
  assert.equal(r.lines.map((x) => x.seen), ['not on PATH: docker, go'])
  const [hint] = failedHints(r)
  assert.match(hint!, /^docker: install Docker \(Debian: apt-get install docker\.io\).*; go: install Go ≥ 1\.22 /)
  assert.match(hint!, /command -v docker, command -v go finds it \(npx tsx tasks\/doctor\.ts prints the full report\)$/)
})

test('lesson 2 --check on the lab and kind: the hint says which step was left out — the build, or the load into the runtime', async () => {
  const image = 'programmingpercy/hellogopher:1.0'
  const lab = (built: string[]) => timedCheck(2, { provider: 'lab', images: [], built })
  const [loadOnly] = failedHints(await lab([image]))
  assert.match(loadOnly!, /^it is in the lab's docker but not in its containerd .*: docker save programmingpercy\/hellogopher:1\.0 \| ctr --address \S+containerd\.sock -n k8s\.io images import - /)
  assert.not.match(loadOnly!, /docker build -t/)
  const [both] = failedHints(await lab([]))
  assert.match(both!, /^docker build -t programmingpercy\/hellogopher:1\.0 \. with DOCKER_HOST=unix:\/\/\S+docker\.sock .*, then docker save programmingpercy\/hellogopher:1\.0 \| ctr /)
  const [kindLoad] = failedHints(await timedCheck(2, { provider: 'kind', images: [], built: [image] }))
  assert.match(kindLoad!, /^it is in docker but not in the node: kind load docker-image programmingpercy\/hellogopher:1\.0/)
  const [kindBoth] = failedHints(await timedCheck(2, { provider: 'kind', images: [] }))
  assert.match(kindBoth!, /^docker build -t programmingpercy\/hellogopher:1\.0 \. then kind load docker-image /)
  // minikube builds straight into its runtime: the check's own hint (docker-env in this shell)
  const [mk] = failedHints(await timedCheck(2, { provider: 'minikube', images: [], built: [image] }))
  assert.match(mk!, /^eval \$\(minikube docker-env\) in THIS shell/)
})

test('lesson 9 --check: no Deployment, or one scaled to 0, is a ✘ at once (no pod comes by waiting); a pod still starting is waited for', async () => {
  const metrics = obj('apiregistration.k8s.io/v1', 'APIService', 'v1beta1.metrics.k8s.io', undefined, { status: { conditions: [{ type: 'Available', status: 'True' }] } })
  const scaled = await timedCheck(9, { objects: [metrics, deployment('default', app('3.0'), { replicas: 0 })] })
  assert.is(scaled.waited, 0)
  assert.match(scaled.lines.at(-1)!.seen, /^deployment\/hellogopher is scaled to 0 replicas: no pod of the app for kubectl top pods to list$/)
  assert.match(failedHints(scaled)[0]!, /kubectl scale deployment hellogopher --replicas=1/)
  const none = await timedCheck(9, { objects: [metrics] })
  assert.is(none.waited, 0)
  assert.match(none.lines.at(-1)!.seen, /^no deployment\/hellogopher in default/)
  const starting = await timedCheck(9, { objects: [metrics, deployment('default', app('3.0')), pod('hellogopher-a', { phase: 'Pending', ready: false })] })
  assert.ok(starting.waited >= 140_000, String(starting.waited))
  assert.match(starting.lines.at(-1)!.seen, /^no Running pod with app=hellogopher in default \(after waiting 150s\)$/)
})

test("lesson 14 --check: a pod template without the resources is a ✘ at once; a rollout still bringing them is waited for", async () => {
  const without = await timedCheck(14, CASES[14]!.missing['resources:']!.cluster)
  assert.is(without.waited, 0)
  assert.is(without.lines.at(-1)!.seen, "deployment/hellogopher's pod template has no requests or limits")
  assert.match(failedHints(without)[0]!, /resources: requests and limits in 02_hellogopher\.yml/)
  const rolling = await timedCheck(14, { objects: [deployment(H, app('5.0', { resources: RESOURCES })), pod('hellogopher-h', { ns: H, container: app('5.0') })] })
  assert.ok(rolling.waited >= 50_000, String(rolling.waited))
  assert.match(rolling.lines.at(-1)!.seen, /: no requests or limits \(after waiting 60s\)$/)
})

test('as a person runs it, in-process: --explain, --solution and --diff of every lesson (every pair N−1 → N) print no secret value', async () => {
  // every manifest loaded first: their secrets are registered, as in a run that read them
  loadManifests(MANIFESTS_DIR)
  loadManifests(join(MANIFESTS_DIR, 'lessons'))
  const wrote: string[] = []
  const real = process.stdout.write.bind(process.stdout)
  const printed = async (argv: string[]): Promise<string> => {
    wrote.length = 0
    process.stdout.write = ((chunk: string | Uint8Array) => (wrote.push(String(chunk)), true)) as typeof process.stdout.write
    try {
      assert.is(await lessonCommand.run(argv), 0, argv.join(' '))
    } finally {
      process.stdout.write = real
    }
    return wrote.join('')
  }
  let diffs = 0
  for (const l of LESSONS) {
    for (const mode of ['--explain', '--solution', '--diff']) {
      const text = await printed([String(l.number), mode])
      const what = `lesson ${l.number} ${mode}`
      assert.ok(text.trim().length > 20, `${what} printed nothing`)
      assert.not.ok(text.includes(SECRET_B64), `${what} printed the Secret's base64`)
      assert.not.match(text, SECRET_WORD, `${what} printed the password`)
      if (mode === '--diff' && /^@@ /m.test(text)) diffs++
    }
  }
  // the lessons that change YAML (3, 5–8, 10–14) each printed a real diff
  assert.is(diffs, LESSONS.filter((l) => l.manifests?.length).length)
  assert.match(await printed(['13', '--diff']), /^\+ {2}DATABASE_PASSWORD: ••••••$/m)
})

test.run()
