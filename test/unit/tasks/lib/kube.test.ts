/**
 * tasks/lib/kube.ts: the named reads over scripted API calls (404 → undefined, errors name the read). The pure
 * judgements it re-exports are tested in kube-state.test.ts, the error translation in kube-errors.test.ts.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiException } from '@kubernetes/client-node'
import { KubeError, type V1Node, type V1Service } from '../../../../tasks/lib/kube.ts'
import { kubeOver } from '../../fakes.ts'
import { RestError, type RestRequest } from '../../../../tasks/lib/kube-rest.ts'

const node = (ready: 'True' | 'False' | undefined, reason?: string): V1Node => ({
  metadata: { name: 'learn-k8s-lab' },
  status: { conditions: ready ? [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready, reason }] : [] },
})
const svc = (...ports: Array<{ name?: string; port: number; nodePort?: number }>): V1Service => ({ spec: { type: 'NodePort', ports } })

// ── named reads over scripted API calls ──────────────────────────────────────
const apiError = (code: number, message: string) => new ApiException(code, message, JSON.stringify({ kind: 'Status', message }), {})
const rejects = async (p: Promise<unknown>): Promise<KubeError> => {
  try {
    await p
  } catch (e) {
    assert.instance(e, KubeError)
    return e as KubeError
  }
  throw new Error('expected a KubeError')
}

const restError = (code: number, message: string) => new RestError(code, JSON.stringify({ kind: 'Status', message }), 'GET /x')
/** A REST fake answering `reply(req)` and recording every request. */
const restOf = (reply: (req: RestRequest) => unknown) => {
  const asked: RestRequest[] = []
  const rest = async (req: RestRequest) => (asked.push(req), reply(req))
  return { asked, rest }
}

test('podLog: asks for the container, the previous instance and the tail; returns the text', async () => {
  const { asked, rest } = restOf(() => 'line 1\nline 2\n')
  const kube = kubeOver({ rest })
  assert.is(await kube.podLog('hellogopher', 'hellogopher-1', { container: 'hellogopher', previous: true, tailLines: 20 }), 'line 1\nline 2\n')
  assert.is(await kube.podLog('default', 'p'), 'line 1\nline 2\n')
  assert.equal(asked, [
    { path: '/api/v1/namespaces/hellogopher/pods/hellogopher-1/log', query: { container: 'hellogopher', previous: true, tailLines: 20 }, text: true },
    { path: '/api/v1/namespaces/default/pods/p/log', query: { container: undefined, previous: undefined, tailLines: undefined }, text: true },
  ])
})

test('podLog: a pod (or previous instance) that is not there → undefined; any other failure names the read', async () => {
  const kube = kubeOver({ rest: async () => Promise.reject(restError(404, 'pods "p" not found')) })
  assert.is(await kube.podLog('default', 'p', { previous: true }), undefined)
  const waiting = kubeOver({ rest: async () => Promise.reject(restError(400, 'container "hellogopher" in pod "p" is waiting to start: ContainerCreating')) })
  const e = await rejects(waiting.podLog('default', 'p', { container: 'hellogopher' }))
  assert.is(e.message, 'read the log of pod/p: HTTP 400 container "hellogopher" in pod "p" is waiting to start: ContainerCreating')
  assert.is(e.status, 400)
  assert.match((await rejects(waiting.podLog('default', 'p', { what: 'read logs of pod/p' }))).message, /^read logs of pod\/p: HTTP 400 /)
})

test('nodePort: reads the Service once and picks its NodePort (by port number or name when asked)', async () => {
  const { asked, rest } = restOf(() => svc({ name: 'http', port: 8080, nodePort: 31234 }, { name: 'admin', port: 9000, nodePort: 32000 }))
  const kube = kubeOver({ rest })
  assert.is(await kube.nodePort('hellogopher', 'hellogopher'), 31234)
  assert.is(await kube.nodePort('hellogopher', 'hellogopher', 9000), 32000)
  assert.is(await kube.nodePort('hellogopher', 'hellogopher', 'admin'), 32000)
  assert.equal(asked.map((r) => r.path), Array(3).fill('/api/v1/namespaces/hellogopher/services/hellogopher'))
})

test('nodePort: a missing Service, a Service without NodePort and a refused read are KubeErrors naming the Service', async () => {
  const missing = kubeOver({ rest: async () => Promise.reject(restError(404, 'services "hellogopher" not found')) })
  const gone = await rejects(missing.nodePort('hellogopher', 'hellogopher'))
  assert.is(gone.message, 'service/hellogopher in hellogopher does not exist')
  assert.is(gone.status, 404)
  const clusterIp = kubeOver({ rest: async () => ({ spec: { type: 'ClusterIP', ports: [{ port: 8080 }] } }) })
  assert.is((await rejects(clusterIp.nodePort('hellogopher', 'hellogopher'))).message, 'service/hellogopher in hellogopher has no NodePort')
  assert.is((await rejects(clusterIp.nodePort('hellogopher', 'hellogopher', 8080))).message, 'service/hellogopher in hellogopher has no NodePort for port 8080')
  const forbidden = kubeOver({ rest: async () => Promise.reject(restError(403, 'services "hellogopher" is forbidden')) })
  assert.is(
    (await rejects(forbidden.nodePort('hellogopher', 'hellogopher'))).message,
    'read service/hellogopher in hellogopher: HTTP 403 services "hellogopher" is forbidden — your user lacks permission for this; use a context with more rights',
  )
})

test('readNode: the node, or undefined when it is not registered; other failures name the read', async () => {
  const n = node('True')
  assert.equal(await kubeOver({ rest: async (r) => ({ ...n, metadata: { name: r.path.split('/').pop() } }) }).readNode('learn-k8s-lab'), n)
  assert.is(await kubeOver({ rest: async () => Promise.reject(restError(404, 'nodes "x" not found')) }).readNode('x'), undefined)
  assert.match((await rejects(kubeOver({ rest: async () => Promise.reject(restError(500, 'etcdserver: request timed out')) }).readNode('x'))).message, /^read node: HTTP 500 etcdserver/)
})

test('read: a kind the tutorial names is one GET of its path (the context namespace when none is given)', async () => {
  const { asked, rest } = restOf(() => ({ kind: 'ConfigMap', metadata: { name: 'c' } }))
  const kube = kubeOver({ rest })
  assert.equal(await kube.read({ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'hellogopher' }), { kind: 'ConfigMap', metadata: { name: 'c' } })
  await kube.read({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' })
  await kube.read({ apiVersion: 'v1', kind: 'Namespace', name: 'hellogopher' })
  assert.equal(asked.map((r) => r.path), ['/api/v1/namespaces/hellogopher/configmaps/c', '/apis/apps/v1/namespaces/default/deployments/d', '/api/v1/namespaces/hellogopher'])
})

test('applyWouldChange: a server-side dry-run apply (field manager kubectl, no force) compared with the live object', async () => {
  const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', resourceVersion: '1', managedFields: [{}] }, data: { a: '1' } }
  const same = { ...live, metadata: { ...live.metadata, resourceVersion: '2' } }
  const drifted = { ...live, data: { a: '2' } }
  for (const [dry, want] of [[same, false], [drifted, true]] as const) {
    const { asked, rest } = restOf((r) => (r.method === 'PATCH' ? dry : live))
    const desired = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { a: '1' } }
    assert.is(await kubeOver({ rest }).applyWouldChange(desired), want)
    assert.equal(asked[1], {
      method: 'PATCH',
      path: '/api/v1/namespaces/n/configmaps/c',
      query: { dryRun: 'All', fieldManager: 'kubectl', force: false },
      body: desired,
      contentType: 'application/apply-patch+yaml',
    })
  }
  // not there yet: it would change, and no dry run is needed
  const { asked, rest } = restOf(() => Promise.reject(restError(404, 'configmaps "c" not found')))
  assert.is(await kubeOver({ rest }).applyWouldChange({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } }), true)
  assert.is(asked.length, 1)
})

test('listEvents and the listings: items, the version to watch from, and errors that say which list', async () => {
  const ev = { metadata: { name: 'e1' }, involvedObject: {}, reason: 'Started' }
  const kube = kubeOver({
    core: {
      listNamespacedEvent: async () => ({ items: [ev], metadata: { resourceVersion: '42' } }),
      listNamespace: async (req: unknown) => ({ items: [req], metadata: { resourceVersion: '7' } }),
      listNamespacedConfigMap: async () => Promise.reject(apiError(403, 'configmaps is forbidden')),
    },
    apps: { listNamespacedReplicaSet: async (req: unknown) => ({ items: [req], metadata: {} }) },
  })
  assert.equal(await kube.listEvents('hellogopher'), [ev])
  assert.equal(await kube.eventList('hellogopher'), { items: [ev], resourceVersion: '42' })
  assert.equal(await kube.namespaceList('hellogopher'), { items: [{ fieldSelector: 'metadata.name=hellogopher' }], resourceVersion: '7' })
  assert.equal(await kube.replicaSetList('hellogopher', 'app=hellogopher'), { items: [{ namespace: 'hellogopher', labelSelector: 'app=hellogopher' }], resourceVersion: undefined })
  assert.match((await rejects(kube.configMapList('hellogopher'))).message, /^list config maps in hellogopher: HTTP 403 configmaps is forbidden/)
})

test.run()
