/**
 * tasks/lib/kube-state.ts: the pure judgements of cluster objects — rollout progress as `kubectl rollout status` sees
 * it, pod one-liners, pod and node readiness, the NodePort pick, event times, the volatile fields stripped, stable
 * JSON — and the typed errors (KubeError's problem and hint, TimeoutError's fields, both redacted).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { CoreV1Event, V1Deployment, V1Node, V1Pod, V1Service } from '@kubernetes/client-node'
import {
  eventTime,
  isNodeReady,
  isPodReady,
  KubeError,
  pickNodePort,
  podSummary,
  readyCondition,
  rolloutStatus,
  stableJson,
  stripVolatile,
  TimeoutError,
} from '../../../../tasks/lib/kube-state.ts'
import { registerSecret } from '../../../../tasks/lib/redact.ts'

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

test('TimeoutError: one line "timed out after Ns waiting for <what>; last seen: <…>", what and lastSeen as fields (redacted); a KubeError', () => {
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

// ── event times, volatile fields ─────────────────────────────────────────────
test('eventTime: lastTimestamp first, then eventTime, firstTimestamp, the creation time; none → 0', () => {
  const at = (iso: string) => new Date(iso).getTime()
  const e = (o: Partial<Record<'lastTimestamp' | 'eventTime' | 'firstTimestamp' | 'created', string>>): CoreV1Event =>
    ({ involvedObject: {}, metadata: o.created ? { creationTimestamp: o.created } : {}, ...(o.lastTimestamp ? { lastTimestamp: o.lastTimestamp } : {}), ...(o.eventTime ? { eventTime: o.eventTime } : {}), ...(o.firstTimestamp ? { firstTimestamp: o.firstTimestamp } : {}) }) as unknown as CoreV1Event
  const all = { lastTimestamp: '2026-01-01T10:00:04Z', eventTime: '2026-01-01T10:00:03Z', firstTimestamp: '2026-01-01T10:00:02Z', created: '2026-01-01T10:00:01Z' }
  assert.is(eventTime(e(all)), at('2026-01-01T10:00:04Z'))
  assert.is(eventTime(e({ ...all, lastTimestamp: undefined })), at('2026-01-01T10:00:03Z'))
  assert.is(eventTime(e({ firstTimestamp: all.firstTimestamp, created: all.created })), at('2026-01-01T10:00:02Z'))
  assert.is(eventTime(e({ created: all.created })), at('2026-01-01T10:00:01Z'))
  assert.is(eventTime(e({})), 0)
})

test('stripVolatile: drops status and the metadata the server changes (managedFields, resourceVersion, generation); keeps the rest', () => {
  const live = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'database-configs', namespace: 'hellogopher', labels: { app: 'x' }, resourceVersion: '42', generation: 3, managedFields: [{ manager: 'kubectl' }], uid: 'u-1' },
    data: { DATABASE_NAME: 'hellogopher' },
    status: { phase: 'x' },
  }
  assert.equal(stripVolatile(live), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'database-configs', namespace: 'hellogopher', labels: { app: 'x' }, uid: 'u-1' },
    data: { DATABASE_NAME: 'hellogopher' },
  })
  // two reads that differ only in volatile fields compare equal after stripping
  const later = { ...live, metadata: { ...live.metadata, resourceVersion: '43', generation: 4 }, status: { phase: 'y' } }
  assert.is(stableJson(stripVolatile(later)), stableJson(stripVolatile(live)))
  assert.equal(stripVolatile({ apiVersion: 'v1', kind: 'Namespace' }), { apiVersion: 'v1', kind: 'Namespace', metadata: {} })
})

test.run()
