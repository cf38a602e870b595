/** Pure helpers of tasks/lib/kube.ts: rollout judgement, pod one-liners, readiness, stable JSON, its typed errors. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiException } from '@kubernetes/client-node'
import { isPodReady, isTransient, KubeError, podSummary, rolloutStatus, stableJson, TimeoutError, type V1Deployment, type V1Pod } from '../../tasks/lib/kube.ts'
import { registerSecret } from '../../tasks/lib/redact.ts'

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

test('isTransient: a wait rides out the API server not answering, and stops at once on anything else', () => {
  const sys = (code: string, message = `connect ${code} 10.250.0.1:6443`) => Object.assign(new Error(message), { code })
  assert.ok(isTransient(sys('ECONNREFUSED')), 'kube-apiserver restarting')
  assert.ok(isTransient(sys('ECONNRESET')))
  assert.ok(isTransient(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } })), 'undici wraps the cause')
  assert.ok(isTransient(new Error('socket hang up')))
  assert.ok(isTransient(new ApiException(503, 'Service Unavailable', '', {})))
  assert.ok(isTransient(new ApiException(429, 'Too Many Requests', '', {})))
  assert.not.ok(isTransient(new ApiException(403, 'Forbidden', '', {})))
  assert.not.ok(isTransient(new ApiException(404, 'Not Found', '', {})))
  assert.not.ok(isTransient(new Error('unexpected token in JSON')))
  assert.not.ok(isTransient(sys('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere')), 'a name that does not resolve does not come back by waiting')
})

test.run()
