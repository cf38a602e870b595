/**
 * tasks/lib/kube.ts: the pure helpers (rollout judgement, pod one-liners, pod and node readiness, the NodePort pick,
 * stable JSON, the typed errors), and the named reads over scripted API calls (404 → undefined, errors name the read).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiException } from '@kubernetes/client-node'
import { isNodeReady, isPodReady, KubeError, pickNodePort, podSummary, readyCondition, rolloutStatus, stableJson, TimeoutError, type V1Deployment, type V1Node, type V1Pod, type V1Service } from '../../../../tasks/lib/kube.ts'
import { registerSecret } from '../../../../tasks/lib/redact.ts'
import { kubeOver } from '../../fakes.ts'
import { RestError, type RestRequest } from '../../../../tasks/lib/kube-rest.ts'

function deployment(o: { replicas?: number; generation?: number; status?: V1Deployment['status'] }): V1Deployment {
  return { metadata: { name: 'hellogopher', generation: o.generation ?? 2 }, spec: { replicas: o.replicas, selector: {}, template: {} }, status: o.status }
}

const rolloutCases: Array<[string, V1Deployment, boolean, string]> = [
  ['spec not observed yet', deployment({ generation: 3, status: { observedGeneration: 2 } }), false, 'waiting for hellogopher spec update to be observed'],
  ['no status at all', deployment({ generation: 1 }), false, 'waiting for hellogopher spec update to be observed'],
  [
    'progress deadline exceeded',
    deployment({ status: { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "hellogopher-7d" has timed out progressing.' }] } }),
    false,
    'hellogopher exceeded its progress deadline: ReplicaSet "hellogopher-7d" has timed out progressing.',
  ],
  ['no new replica yet', deployment({ replicas: 1, status: { observedGeneration: 2, replicas: 1, updatedReplicas: 0 } }), false, '0 of 1 new replicas updated'],
  ['old pod still terminating', deployment({ replicas: 1, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 } }), false, '1 old replicas pending termination'],
  ['new pod not available', deployment({ replicas: 1, status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 0 } }), false, '0 of 1 updated replicas available'],
  ['rolled out', deployment({ replicas: 1, status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }), true, 'hellogopher rolled out (1/1 available)'],
  ['replicas default to 1', deployment({ status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }), true, 'hellogopher rolled out (1/1 available)'],
  ['scaled to 3, 2 available', deployment({ replicas: 3, status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 } }), false, '2 of 3 updated replicas available'],
  ['observed newer than generation', deployment({ generation: 2, status: { observedGeneration: 3, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }), true, 'hellogopher rolled out (1/1 available)'],
]
for (const [name, d, done, message] of rolloutCases) {
  test(`rolloutStatus: ${name}`, () => {
    assert.equal(rolloutStatus(d), { done, message })
  })
}

function pod(o: Partial<{ name: string; phase: string; ready: boolean; restarts: number; waiting: string; terminated: string; lastTerminated: string; deleting: boolean; conditions: boolean; containers: number }>): V1Pod {
  const statuses = o.containers === 0 ? undefined : [
    {
      name: 'hellogopher',
      image: 'programmingpercy/hellogopher:2.0',
      imageID: '',
      ready: !!o.ready,
      restartCount: o.restarts ?? 0,
      state: o.waiting ? { waiting: { reason: o.waiting } } : o.terminated ? { terminated: { reason: o.terminated, exitCode: 137 } } : { running: {} },
      ...(o.lastTerminated ? { lastState: { terminated: { reason: o.lastTerminated, exitCode: 1 } } } : {}),
    },
  ]
  return {
    metadata: { name: o.name ?? 'hellogopher-abc', ...(o.deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: { containers: [{ name: 'hellogopher' }] },
    status: {
      phase: o.phase ?? 'Running',
      containerStatuses: statuses,
      conditions: o.conditions === false ? undefined : [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
    },
  }
}

const summaryCases: Array<[string, V1Pod, string]> = [
  ['healthy', pod({ ready: true }), 'pod/hellogopher-abc Running 1/1 ready, 0 restarts'],
  ['not ready (readiness probe on the wrong port)', pod({ ready: false }), 'pod/hellogopher-abc Running 0/1 ready, 0 restarts'],
  ['crash loop', pod({ restarts: 4, waiting: 'CrashLoopBackOff', lastTerminated: 'Error' }), 'pod/hellogopher-abc Running 0/1 ready, 4 restarts, CrashLoopBackOff'],
  ['image never pulled', pod({ phase: 'Pending', waiting: 'ErrImageNeverPull' }), 'pod/hellogopher-abc Pending 0/1 ready, 0 restarts, ErrImageNeverPull'],
  ['OOMKilled now', pod({ terminated: 'OOMKilled', restarts: 1 }), 'pod/hellogopher-abc Running 0/1 ready, 1 restarts, OOMKilled'],
  ['running again after OOMKilled', pod({ ready: true, restarts: 2, lastTerminated: 'OOMKilled' }), 'pod/hellogopher-abc Running 1/1 ready, 2 restarts, OOMKilled'],
  ['no container status yet (counts spec containers)', pod({ phase: 'Pending', containers: 0 }), 'pod/hellogopher-abc Pending 0/1 ready, 0 restarts'],
  ['no status at all', { metadata: { name: 'x' } }, 'pod/x Unknown 0/0 ready, 0 restarts'],
]
for (const [name, p, want] of summaryCases) {
  test(`podSummary: ${name}`, () => {
    assert.is(podSummary(p), want)
  })
}

const readyCases: Array<[string, V1Pod, boolean]> = [
  ['Running and Ready', pod({ ready: true }), true],
  ['Running, not Ready', pod({ ready: false }), false],
  ['Pending', pod({ phase: 'Pending', ready: true }), false],
  ['Ready but being deleted', pod({ ready: true, deleting: true }), false],
  ['no conditions', pod({ conditions: false }), false],
  ['Succeeded', pod({ phase: 'Succeeded', ready: true }), false],
]
for (const [name, p, want] of readyCases) {
  test(`isPodReady: ${name}`, () => {
    assert.is(isPodReady(p), want)
  })
}

test('stableJson: key order does not matter, at any depth', () => {
  assert.is(stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 2 } }), stableJson({ a: { c: 2, d: [3, { y: 2, z: 1 }] }, b: 1 }))
  assert.is(stableJson({ b: 1, a: 2 }), '{"a":2,"b":1}')
})

test('stableJson: array order does matter; values differ', () => {
  assert.is.not(stableJson([1, 2]), stableJson([2, 1]))
  assert.is.not(stableJson({ a: 1 }), stableJson({ a: '1' }))
  assert.is(stableJson(null), 'null')
  assert.is(stableJson('x'), '"x"')
})

test('KubeError: the message is the problem, then " — " and the hint; .problem is the first part alone', () => {
  const e = new KubeError('context x: cannot reach https://10.0.0.1:6443 (ECONNREFUSED)', undefined, 'is the cluster running?')
  assert.is(e.message, 'context x: cannot reach https://10.0.0.1:6443 (ECONNREFUSED) — is the cluster running?')
  assert.is(e.problem, 'context x: cannot reach https://10.0.0.1:6443 (ECONNREFUSED)')
  assert.is(new KubeError('no hint').message, 'no hint')
})

test('TimeoutError: the same one-line message as before, and what it waited for and saw last as fields (redacted)', () => {
  const w = new TimeoutError(120, 'deployment/hellogopher to roll out', '0 of 1 updated replicas available')
  assert.instance(w, KubeError)
  assert.is(w.name, 'KubeError')
  assert.is(w.message, 'timed out after 120s waiting for deployment/hellogopher to roll out; last seen: 0 of 1 updated replicas available')
  assert.equal([w.seconds, w.what, w.lastSeen], [120, 'deployment/hellogopher to roll out', '0 of 1 updated replicas available'])
  const l = new TimeoutError(5, 'MySQL in pod/m to accept connections', 'no log line yet', 'last log line')
  assert.is(l.message, 'timed out after 5s waiting for MySQL in pod/m to accept connections; last log line: no log line yet')
  registerSecret('s3cr3t-kube-test')
  const r = new TimeoutError(1, 'x', 'password s3cr3t-kube-test')
  assert.not.match(r.message + r.lastSeen, /s3cr3t-kube-test/)
})

// ── node readiness ───────────────────────────────────────────────────────────
const node = (ready: 'True' | 'False' | undefined, reason?: string): V1Node => ({
  metadata: { name: 'learn-k8s-lab' },
  status: { conditions: ready ? [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready, reason }] : [] },
})
for (const [n, want] of [[node('True'), true], [node('False', 'KubeletNotReady'), false], [node(undefined), false], [{}, false], [undefined, false]] as Array<[V1Node | undefined, boolean]>) {
  test(`isNodeReady(${JSON.stringify(n?.status?.conditions ?? null)}) = ${want}`, () => assert.is(isNodeReady(n), want))
}

test('readyCondition: the Ready condition among the others, or none', () => {
  assert.equal(readyCondition(node('False', 'KubeletNotReady')), { type: 'Ready', status: 'False', reason: 'KubeletNotReady' })
  assert.is(readyCondition(node(undefined)), undefined)
  assert.is(readyCondition(undefined), undefined)
})

// ── the NodePort pick ────────────────────────────────────────────────────────
const svc = (...ports: Array<{ name?: string; port: number; nodePort?: number }>): V1Service => ({ spec: { type: 'NodePort', ports } })
const pickCases: Array<[string, V1Service, number | string | undefined, number | undefined]> = [
  ['one port: its NodePort', svc({ port: 8080, nodePort: 30080 }), undefined, 30080],
  ['no port asked: the first port that has one', svc({ name: 'metrics', port: 9090 }, { name: 'http', port: 8080, nodePort: 31234 }), undefined, 31234],
  ['by number', svc({ name: 'http', port: 8080, nodePort: 31234 }, { name: 'admin', port: 9000, nodePort: 32000 }), 9000, 32000],
  ['by name', svc({ name: 'http', port: 8080, nodePort: 31234 }, { name: 'admin', port: 9000, nodePort: 32000 }), 'http', 31234],
  ['a number is not a name', svc({ name: '8080', port: 80, nodePort: 30001 }), 8080, undefined],
  ['the asked port has no NodePort (another has)', svc({ port: 8080 }, { port: 9000, nodePort: 32000 }), 8080, undefined],
  ['no such port', svc({ port: 8080, nodePort: 30080 }), 'http', undefined],
  ['a ClusterIP Service', { spec: { type: 'ClusterIP', ports: [{ port: 8080 }] } }, undefined, undefined],
  ['no spec at all', {}, undefined, undefined],
]
for (const [name, s, port, want] of pickCases) {
  test(`pickNodePort: ${name}`, () => assert.is(pickNodePort(s, port), want))
}

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
