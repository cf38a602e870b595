/**
 * tasks/lib/view/source.ts: where status and the diagram get their objects — one list of every collection of each
 * namespace (readCluster), or a reflector per collection kept current by watch (watchCluster), over a scripted Kube.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KubeError } from '../../../../../tasks/lib/kube-state.ts'
import { readCluster, watchCluster } from '../../../../../tasks/lib/view/source.ts'
import { fakeKube } from '../../../fakes.ts'

type Obj = { metadata: { name: string; namespace?: string; uid: string; resourceVersion?: string } }
const obj = (ns: string, name: string, rv = '1'): Obj => ({ metadata: { name, namespace: ns, uid: `${ns}/${name}`, resourceVersion: rv } })

const LISTERS = ['deploymentList', 'replicaSetList', 'podList', 'serviceList', 'eventList', 'configMapList'] as const
const COLLECTION: Record<(typeof LISTERS)[number], string> = {
  deploymentList: 'deployments',
  replicaSetList: 'replicaSets',
  podList: 'pods',
  serviceList: 'services',
  eventList: 'events',
  configMapList: 'configMaps',
}

/** A Kube whose lists answer one object per collection and namespace (named `<collection>-<ns>`), and namespace `gone` is not there. */
function listingKube(extra: Record<string, unknown> = {}) {
  const impl: Record<string, unknown> = {
    namespaceList: async (ns: string) => ({ items: ns === 'gone' ? [] : [obj('', ns)], resourceVersion: '100' }),
    ...extra,
  }
  for (const l of LISTERS) impl[l] ??= async (ns: string) => ({ items: [obj(ns, `${COLLECTION[l]}-${ns}`)], resourceVersion: '100' })
  return fakeKube(impl)
}

const names = (xs: unknown[]) => (xs as Obj[]).map((o) => o.metadata.name)

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r))
  assert.ok(cond(), what)
}

test('readCluster: every collection of every namespace listed once, items gathered per collection; existing = the namespaces that are there', async () => {
  const kube = listingKube()
  const o = await readCluster(kube, ['hellogopher', 'gone'])
  assert.equal(o.namespaces, ['hellogopher', 'gone'])
  assert.equal([...o.existing!], ['hellogopher'])
  for (const l of LISTERS) assert.equal(names(o[COLLECTION[l] as 'pods']).sort(), [`${COLLECTION[l]}-gone`, `${COLLECTION[l]}-hellogopher`], l)
  const calls = kube.calls.map((c) => `${c.method}(${c.args.join(',')})`).sort()
  assert.equal(calls, ['namespaceList', ...LISTERS].flatMap((m) => [`${m}(gone)`, `${m}(hellogopher)`]).sort())
})

test('readCluster: a list that fails fails the read with the error that names it (no partial picture)', async () => {
  const kube = listingKube({ podList: async (ns: string) => Promise.reject(new KubeError(`list pods in ${ns}: HTTP 403 pods is forbidden`, 403)) })
  try {
    await readCluster(kube, ['hellogopher'])
    assert.unreachable('the read went on without the pods')
  } catch (e) {
    assert.instance(e, KubeError)
    assert.is((e as KubeError).message, 'list pods in hellogopher: HTTP 403 pods is forbidden')
  }
})

interface OpenWatch {
  path: string
  query: Record<string, unknown>
  onEvent: (type: string, o: unknown) => void
  aborted: boolean
}

function watchingKube(extra: Record<string, unknown> = {}) {
  const watches: OpenWatch[] = []
  const kube = listingKube({
    watch: async (path: string, query: Record<string, unknown>, onEvent: (type: string, o: unknown) => void, done: (err: unknown) => void) => {
      const w: OpenWatch = { path, query, onEvent, aborted: false }
      watches.push(w)
      return { abort: () => ((w.aborted = true), done(Object.assign(new Error('aborted'), { name: 'AbortError' }))) }
    },
    ...extra,
  })
  return { kube, watches }
}

test('watchCluster: a watch per collection at its API path, from its list’s version, with bookmarks; the namespace watched by name', async () => {
  const { kube, watches } = watchingKube()
  const w = watchCluster(kube, ['hellogopher'], () => {})
  await until(() => watches.length === 7, 'seven watches open')
  assert.equal(watches.map((x) => x.path).sort(), [
    '/api/v1/namespaces',
    '/api/v1/namespaces/hellogopher/configmaps',
    '/api/v1/namespaces/hellogopher/events',
    '/api/v1/namespaces/hellogopher/pods',
    '/api/v1/namespaces/hellogopher/services',
    '/apis/apps/v1/namespaces/hellogopher/deployments',
    '/apis/apps/v1/namespaces/hellogopher/replicasets',
  ])
  for (const x of watches) {
    const selector = x.path === '/api/v1/namespaces' ? { fieldSelector: 'metadata.name=hellogopher' } : {}
    assert.equal(x.query, { ...selector, allowWatchBookmarks: true, resourceVersion: '100' }, x.path)
  }
  await w.stop()
  assert.ok(watches.every((x) => x.aborted), 'stop() left a watch open')
})

test('watchCluster: objects() gathers the lists, then follows the watch events; existing is known once every namespace was listed', async () => {
  const { kube, watches } = watchingKube()
  let changes = 0
  const w = watchCluster(kube, ['hellogopher', 'gone'], () => changes++)
  assert.is(w.objects().existing, undefined, 'existence claimed before the namespaces were listed')
  await until(() => w.synced() && watches.length === 14, 'synced')
  const o = w.objects()
  assert.equal([...o.existing!], ['hellogopher'])
  assert.equal(names(o.pods).sort(), ['pods-gone', 'pods-hellogopher'])
  assert.equal(names(o.deployments).sort(), ['deployments-gone', 'deployments-hellogopher'])
  const before = changes
  const pods = watches.find((x) => x.path === '/api/v1/namespaces/hellogopher/pods')!
  pods.onEvent('ADDED', obj('hellogopher', 'hellogopher-7d4b9c-new', '101'))
  pods.onEvent('DELETED', obj('hellogopher', 'pods-hellogopher', '102'))
  assert.equal(names(w.objects().pods).sort(), ['hellogopher-7d4b9c-new', 'pods-gone'])
  assert.is(changes, before + 2, 'onChange fires on every update')
  assert.equal(w.problems(), [])
  await w.stop()
})

test('watchCluster: a collection whose list fails is a problem line (what, why, when retried) until stop; the others still sync', async () => {
  const { kube } = watchingKube({
    eventList: async (ns: string) => Promise.reject(new KubeError(`list events in ${ns}: HTTP 503 the server is currently unable to handle the request`, 503)),
  })
  const w = watchCluster(kube, ['hellogopher'], () => {})
  await until(() => w.problems().length === 1, 'the failed list reported')
  assert.equal(w.problems(), ['watch of events in hellogopher lost (list events in hellogopher: HTTP 503 the server is currently unable to handle the request); retrying in 1s'])
  await until(() => names(w.objects().pods).length === 1, 'pods listed')
  assert.not.ok(w.synced(), 'synced while the events were never listed')
  await w.stop()
})

test.run()
