/**
 * tasks/lib/kube-watch.ts: the waits. waitFor{Rollout,Pod,Event,Deletion} — which collection each watches, with
 * which selector, what ends it and what it says it saw last — over a scripted Kube; watchUntil, openWatch, waitForLog
 * and recordPods against a stand-in API server on a loopback port (client-node's Watch and the log follow speak real HTTP).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KubeConfig, type CoreV1Event, type V1Deployment, type V1Pod } from '@kubernetes/client-node'
import { Kube, type Ref } from '../../../../tasks/lib/kube.ts'
import { KubeError, TimeoutError } from '../../../../tasks/lib/kube-state.ts'
import { openWatch, recordPods, waitForDeletion, waitForEvent, waitForLog, waitForPod, waitForRollout, watchUntil } from '../../../../tasks/lib/kube-watch.ts'
import { fakeKube } from '../../fakes.ts'

// ── the waits over a scripted Kube.watchUntil ────────────────────────────────
interface WatchUntilCall {
  path: string
  query: Record<string, unknown>
  check: (obj: unknown, phase: string) => unknown
  opts: { what: string; timeoutMs: number; describe?: (last: unknown) => string }
}
/** A Kube whose watchUntil records what it was asked and resolves with nothing: the test drives check/describe. */
function recordingKube(extra: Record<string, unknown> = {}) {
  const asked: WatchUntilCall[] = []
  const kube = fakeKube({ watchUntil: async (path: string, query: Record<string, unknown>, check: WatchUntilCall['check'], opts: WatchUntilCall['opts']) => void asked.push({ path, query, check, opts }), ...extra })
  return { kube, asked }
}

const deploymentAt = (updated: number, available: number): V1Deployment => ({
  metadata: { name: 'hellogopher', generation: 2 },
  spec: { replicas: 1, selector: {}, template: {} },
  status: { observedGeneration: 2, replicas: 1, updatedReplicas: updated, availableReplicas: available },
})

test('waitForRollout: watches the Deployment by name; done when rolled out; each state and the last one said as rollout status words', async () => {
  const { kube, asked } = recordingKube()
  const progress: string[] = []
  await waitForRollout(kube, 'hellogopher', 'hellogopher', { timeoutMs: 120_000, onProgress: (l) => progress.push(l) })
  const w = asked[0]!
  assert.is(w.path, '/apis/apps/v1/namespaces/hellogopher/deployments')
  assert.equal(w.query, { fieldSelector: 'metadata.name=hellogopher' })
  assert.is(w.opts.what, 'deployment/hellogopher to roll out')
  assert.is(w.opts.timeoutMs, 120_000)
  assert.is(w.check(deploymentAt(1, 0), 'MODIFIED'), undefined)
  const done = deploymentAt(1, 1)
  assert.is(w.check(done, 'MODIFIED'), done)
  assert.equal(progress, ['0 of 1 updated replicas available', 'hellogopher rolled out (1/1 available)'])
  assert.is(w.opts.describe!(deploymentAt(0, 0)), '0 of 1 new replicas updated')
  assert.is(w.opts.describe!(undefined), 'deployment not seen')
})

const podIn = (phase: string, ready: boolean): V1Pod => ({
  metadata: { name: 'hellogopher-abc' },
  spec: { containers: [{ name: 'hellogopher' }] },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: 'hellogopher', image: 'i', imageID: '', ready, restartCount: 0 }] },
})

test('waitForPod: watches pods by label selector; the first that satisfies `ready` ends it; DELETED events are ignored; pod one-liners as progress', async () => {
  const { kube, asked } = recordingKube()
  const progress: string[] = []
  const isReady = (p: V1Pod) => !!p.status?.containerStatuses?.[0]?.ready
  await waitForPod(kube, 'default', 'app=hellogopher', isReady, { timeoutMs: 1000, what: 'a ready hellogopher pod', onProgress: (l) => progress.push(l) })
  const w = asked[0]!
  assert.is(w.path, '/api/v1/namespaces/default/pods')
  assert.equal(w.query, { labelSelector: 'app=hellogopher' })
  assert.is(w.opts.what, 'a ready hellogopher pod')
  assert.is(w.check(podIn('Pending', false), 'ADDED'), undefined)
  assert.is(w.check(podIn('Running', true), 'DELETED'), undefined, 'a deleted pod ended the wait')
  const ready = podIn('Running', true)
  assert.is(w.check(ready, 'MODIFIED'), ready)
  assert.equal(progress, ['pod/hellogopher-abc Pending 0/1 ready, 0 restarts', 'pod/hellogopher-abc Running 1/1 ready, 0 restarts'])
  assert.is(w.opts.describe!(undefined), 'no pod matching app=hellogopher')
  assert.is(w.opts.describe!(podIn('Running', false)), 'pod/hellogopher-abc Running 0/1 ready, 0 restarts')
})

test('waitForEvent: watches Events about the object (kind and name); the first that matches ends it, DELETED ones never do', async () => {
  const { kube, asked } = recordingKube()
  const unhealthy = (e: CoreV1Event) => e.reason === 'Unhealthy'
  await waitForEvent(kube, 'default', 'Pod', 'wrong-port', unhealthy, { timeoutMs: 1000, what: 'a failed readiness probe' })
  const w = asked[0]!
  assert.is(w.path, '/api/v1/namespaces/default/events')
  assert.equal(w.query, { fieldSelector: 'involvedObject.kind=Pod,involvedObject.name=wrong-port' })
  const ev = (reason: string): CoreV1Event => ({ involvedObject: {}, metadata: {}, reason, message: ' Readiness probe failed: connection refused\n' })
  assert.is(w.check(ev('Scheduled'), 'ADDED'), undefined)
  assert.is(w.check(ev('Unhealthy'), 'DELETED'), undefined)
  const hit = ev('Unhealthy')
  assert.is(w.check(hit, 'MODIFIED'), hit)
  assert.is(w.opts.describe!(ev('Started')), 'last event Started: Readiness probe failed: connection refused')
  assert.is(w.opts.describe!(undefined), 'no event about pod/wrong-port')
})

/** A Kube whose list (through must and the generic objects API) answers `items`, and whose watchUntil is recorded. */
function deletionKube(items: unknown[]) {
  const listed: unknown[][] = []
  const musts: string[] = []
  const objects = { list: async (...args: unknown[]) => (listed.push(args), { items, metadata: { resourceVersion: '77' } }) }
  const rec = recordingKube({ must: async (what: string, call: () => Promise<unknown>) => (musts.push(what), call()), client: async () => ({ objects }) })
  return { ...rec, listed, musts }
}

test('waitForDeletion: an object already gone → no watch at all', async () => {
  const k = deletionKube([])
  await waitForDeletion(k.kube, { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default' }, { timeoutMs: 1000 })
  assert.equal(k.listed, [['v1', 'Pod', 'default', undefined, undefined, undefined, 'metadata.name=p']])
  assert.equal(k.musts, ['list pod/p'])
  assert.equal(k.asked, [])
})

const deletionCases: Array<[string, Ref, string]> = [
  ['a core object in a namespace', { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default' }, '/api/v1/namespaces/default/pods'],
  ['a group object', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hellogopher', namespace: 'hellogopher' }, '/apis/apps/v1/namespaces/hellogopher/deployments'],
  ['a cluster-scoped object', { apiVersion: 'v1', kind: 'Namespace', name: 'hellogopher' }, '/api/v1/namespaces'],
]
for (const [name, ref, path] of deletionCases) {
  test(`waitForDeletion: ${name} → watched at ${path} by name from the list's version, until DELETED`, async () => {
    const k = deletionKube([{ metadata: { name: ref.name } }])
    await waitForDeletion(k.kube, ref, { timeoutMs: 1000 })
    const w = k.asked[0]!
    assert.is(w.path, path)
    assert.equal(w.query, { fieldSelector: `metadata.name=${ref.name}`, resourceVersion: '77' })
    assert.is(w.opts.what, `${ref.kind.toLowerCase()}/${ref.name} to be deleted`)
    assert.is(w.check({}, 'MODIFIED'), undefined)
    assert.is(w.check({}, 'DELETED'), true)
  })
}

// ── against a stand-in API server ────────────────────────────────────────────
type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void

/** An HTTP server on a loopback port answering `handler` (n: the request's number, from 0), and a real Kube pointed at it. */
function withApiServer(handler: Handler, fn: (kube: Kube, urls: string[]) => Promise<void>): () => Promise<void> {
  return async () => {
    const urls: string[] = []
    const server = createServer((req, res) => handler(req, res, urls.push(req.url ?? '') - 1))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const kc = new KubeConfig()
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'test', cluster: 'c', user: 'u' }],
      currentContext: 'test',
    })
    try {
      await fn(new Kube(kc), urls)
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  }
}

/** Write watch events as the API server does: one JSON object per line. */
const send = (res: ServerResponse, ...events: Array<[string, unknown]>) => {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/json' })
  for (const [type, object] of events) res.write(`${JSON.stringify({ type, object })}\n`)
}
const pod = (name: string, o: { ready?: boolean; deleting?: boolean; image?: string } = {}) => ({
  metadata: { name, ...(o.deleting ? { deletionTimestamp: '2026-11-30T14:00:00Z' } : {}) },
  spec: { containers: [{ name: 'c', image: o.image ?? 'programmingpercy/hellogopher:5.0' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }] },
})
const ready = (p: ReturnType<typeof pod>) => (p.status.conditions[0]!.status === 'True' ? p.metadata.name : undefined)

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}

test('watchUntil: GETs path?watch=true with the query and no bookmarks; resolves with the value check returns', withApiServer(
  (_req, res) => send(res, ['ADDED', pod('a')], ['MODIFIED', pod('a', { ready: true })]),
  async (kube, urls) => {
    const got = await watchUntil(kube, '/api/v1/namespaces/default/pods', { labelSelector: 'app=a', resourceVersion: undefined }, ready, { timeoutMs: 10_000, what: 'pod a ready' })
    assert.is(got, 'a')
    const u = new URL(urls[0]!, 'http://x')
    assert.is(u.pathname, '/api/v1/namespaces/default/pods')
    assert.equal(Object.fromEntries(u.searchParams), { watch: 'true', labelSelector: 'app=a', allowWatchBookmarks: 'false' })
  },
))

test('watchUntil: a watch the server closes is opened again; the wait goes on until check matches', withApiServer(
  (_req, res, n) => {
    if (n === 0) {
      send(res, ['ADDED', pod('a')])
      res.end()
    } else send(res, ['MODIFIED', pod('a', { ready: true })])
  },
  async (kube, urls) => {
    assert.is(await watchUntil(kube, '/api/v1/namespaces/default/pods', {}, ready, { timeoutMs: 10_000, what: 'pod a ready' }), 'a')
    assert.is(urls.length, 2)
  },
))

test('watchUntil: at the deadline, a TimeoutError saying what it waited for and (describe) what it saw last', withApiServer(
  (_req, res) => send(res, ['ADDED', pod('a')]),
  async (kube) => {
    const e = await rejection(watchUntil(kube, '/api/v1/namespaces/default/pods', {}, ready, { timeoutMs: 200, what: 'pod a ready', describe: (p) => `last: ${p?.metadata.name} not ready` }))
    assert.instance(e, TimeoutError)
    assert.equal([(e as TimeoutError).what, (e as TimeoutError).lastSeen], ['pod a ready', 'last: a not ready'])
    const plain = await rejection(watchUntil(kube, '/api/v1/namespaces/default/pods', {}, ready, { timeoutMs: 200, what: 'pod a ready' }))
    assert.is((plain as TimeoutError).lastSeen, 'last state did not match')
  },
))

test('watchUntil: nothing seen by the deadline says so', withApiServer(
  (_req, res) => send(res),
  async (kube) => {
    const e = await rejection(watchUntil(kube, '/api/v1/namespaces/default/pods', {}, ready, { timeoutMs: 200, what: 'pod a ready' }))
    assert.is((e as TimeoutError).lastSeen, 'nothing seen')
  },
))

test('watchUntil: a refusal the watch cannot ride out (403) ends the wait at once with a KubeError naming the watch', withApiServer(
  (_req, res) => res.writeHead(403).end(),
  async (kube) => {
    const e = await rejection(watchUntil(kube, '/api/v1/namespaces/default/pods', {}, ready, { timeoutMs: 600_000, what: 'pod a ready' }))
    assert.instance(e, KubeError)
    assert.not.instance(e, TimeoutError)
    assert.is(e.message, 'watch pod a ready: Forbidden')
  },
))

test('watchUntil: check throwing ends the wait with that error', withApiServer(
  (_req, res) => send(res, ['ADDED', pod('a')]),
  async (kube) => {
    const boom = new Error('bad object')
    const e = await rejection(watchUntil(kube, '/api/v1/namespaces/default/pods', {}, () => { throw boom }, { timeoutMs: 600_000, what: 'x' }))
    assert.is(e, boom)
  },
))

test('watchUntil: an API server that does not answer is ridden out until the deadline — said once as progress, and in the TimeoutError', async () => {
  const kc = new KubeConfig()
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 't', cluster: 'c', user: 'u' }], currentContext: 't' })
  const progress: string[] = []
  const e = await rejection(watchUntil(new Kube(kc), '/api/v1/namespaces/default/pods', {}, ready, { timeoutMs: 300, what: 'pod a ready', onProgress: (l) => progress.push(l) }))
  assert.instance(e, TimeoutError)
  assert.match((e as TimeoutError).lastSeen, /^nothing seen; the API server was not answering: watch pod a ready: cannot reach http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/)
  assert.is(progress.length, 1)
  assert.match(progress[0]!, /^the API server is not answering \(.*ECONNREFUSED.*\); watching again every 1s until the deadline$/)
})

test('openWatch: events of the collection reach onEvent; abort() of the handle ends it (done called once)', withApiServer(
  (_req, res) => send(res, ['ADDED', pod('a')], ['ADDED', pod('b')]),
  async (kube) => {
    const seen: string[] = []
    let dones = 0
    let two: () => void = () => {}
    const both = new Promise<void>((r) => (two = r))
    const h = await openWatch<ReturnType<typeof pod>>(kube, '/api/v1/namespaces/default/pods', {}, (type, o) => (seen.push(`${type} ${o.metadata.name}`), seen.length === 2 && two()), () => dones++)
    await both
    h.abort()
    await new Promise((r) => setImmediate(r))
    assert.equal(seen, ['ADDED a', 'ADDED b'])
    assert.is(dones, 1)
  },
))

// ── the log follow ───────────────────────────────────────────────────────────
const logServer = (chunks: string[], end = true): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' })
  for (const c of chunks) res.write(c)
  if (end) res.end()
}

test('waitForLog: follows the container’s log (follow=true) and returns the first line that matches; earlier lines are progress', withApiServer(
  logServer(['starting\nwaiting for conn', 'ections\n', 'ready for connections. port: 3306\nmore\n'], false),
  async (kube, urls) => {
    const progress: string[] = []
    const line = await waitForLog(kube, 'hellogopher', 'mysql-1', 'mysql', /ready for connections/, { timeoutMs: 10_000, what: 'MySQL to accept connections', onProgress: (l) => progress.push(l) })
    assert.is(line, 'ready for connections. port: 3306')
    assert.equal(progress.slice(0, 2), ['starting', 'waiting for connections'])
    const u = new URL(urls[0]!, 'http://x')
    assert.is(u.pathname, '/api/v1/namespaces/hellogopher/pods/mysql-1/log')
    assert.equal(Object.fromEntries(u.searchParams), { container: 'mysql', follow: 'true' })
  },
))

test('waitForLog: a last line without a newline still matches when the log ends', withApiServer(logServer(['a\n', 'ready for connections']), async (kube) => {
  assert.is(await waitForLog(kube, 'ns', 'p', 'c', /ready/, { timeoutMs: 10_000, what: 'x' }), 'ready for connections')
}))

test('waitForLog: the log ending first (container stopped) is a KubeError with the last line', withApiServer(logServer(['starting\n', 'fatal: no database\n']), async (kube) => {
  const e = await rejection(waitForLog(kube, 'ns', 'p', 'c', /ready/, { timeoutMs: 10_000, what: 'MySQL to accept connections' }))
  assert.instance(e, KubeError)
  assert.is(e.message, 'the log of pod/p ended (its container stopped) before MySQL to accept connections; last log line: fatal: no database')
}))

test('waitForLog: an HTTP error is a KubeError with the status and the server’s message', withApiServer(
  (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', message: 'container "c" in pod "p" is waiting to start: ContainerCreating' })),
  async (kube) => {
    const e = await rejection(waitForLog(kube, 'ns', 'p', 'c', /ready/, { timeoutMs: 10_000, what: 'x' }))
    assert.instance(e, KubeError)
    assert.is(e.message, 'read the log of pod/p in ns: HTTP 400 container "c" in pod "p" is waiting to start: ContainerCreating')
    assert.is((e as KubeError).status, 400)
  },
))

test('waitForLog: at the deadline, a TimeoutError naming the last log line', withApiServer(logServer(['starting\n', 'still starting\n'], false), async (kube) => {
  const e = await rejection(waitForLog(kube, 'ns', 'p', 'c', /ready/, { timeoutMs: 200, what: 'MySQL to accept connections' }))
  assert.instance(e, TimeoutError)
  assert.equal([(e as TimeoutError).what, (e as TimeoutError).lastSeen], ['MySQL to accept connections', 'still starting'])
  assert.match(e.message, /; last log line: still starting$/)
}))

// ── the pod recorder ─────────────────────────────────────────────────────────
test('recordPods: each pod once, in the order first seen, with its images; going away when it gets a deletionTimestamp or is DELETED', withApiServer(
  (_req, res) =>
    send(res, ['ADDED', pod('old', { image: 'programmingpercy/hellogopher:4.0' })], ['ADDED', pod('new')], ['MODIFIED', pod('old', { deleting: true })], ['MODIFIED', pod('new', { ready: true })], ['ADDED', pod('gone')], ['DELETED', pod('gone')]),
  async (kube, urls) => {
    const r = await recordPods(kube, 'hellogopher', 'app=hellogopher')
    for (let i = 0; i < 200 && r.sightings().length < 3; i++) await new Promise((res) => setTimeout(res, 5))
    for (let i = 0; i < 200 && r.sightings()[2]?.goingAway === undefined; i++) await new Promise((res) => setTimeout(res, 5))
    r.stop()
    const s = r.sightings()
    assert.equal(s.map((x) => [x.name, x.images, x.goingAway !== undefined]), [
      ['old', ['programmingpercy/hellogopher:4.0'], true],
      ['new', ['programmingpercy/hellogopher:5.0'], false],
      ['gone', ['programmingpercy/hellogopher:5.0'], true],
    ])
    assert.ok(s[0]!.goingAway! >= s[0]!.firstSeen)
    assert.is(r.error(), undefined)
    assert.equal(Object.fromEntries(new URL(urls[0]!, 'http://x').searchParams), { watch: 'true', labelSelector: 'app=hellogopher', allowWatchBookmarks: 'false' })
  },
))

test('recordPods: a watch that breaks is reported by error() (the sightings may be incomplete)', withApiServer(
  (_req, res) => res.writeHead(403).end(),
  async (kube) => {
    const r = await recordPods(kube, 'hellogopher', 'app=hellogopher')
    for (let i = 0; i < 200 && !r.error(); i++) await new Promise((res) => setTimeout(res, 5))
    r.stop()
    assert.is(r.error(), 'watch pods in hellogopher: Forbidden')
    assert.equal(r.sightings(), [])
  },
))

test.run()
