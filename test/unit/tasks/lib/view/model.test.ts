/**
 * tasks/lib/view/model.ts: the view built from plain API objects (fixtures shaped like `kubectl get -o json`) —
 * namespace → Deployment → ReplicaSet → pods, Services and the pods they select, the ConfigMap/Secret keys a pod
 * reads (never a value) — and the pod judgements: why a container waits or stopped, unhealthy reasons, trouble Events.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node'
import {
  allPods,
  buildView,
  containerReason,
  envSources,
  eventCount,
  isApiServerService,
  oneLine,
  podEvents,
  podView,
  selects,
  troubleCounts,
  troubleText,
  unhealthyReason,
  type ClusterObjects,
} from '../../../../../tasks/lib/view/model.ts'
import { event, finalState, NOW, pod, troubledDefault } from '../../../fixtures/cluster-objects.ts'

test('an old ReplicaSet scaled to zero is left out; the API server Service in default is not the tutorial’s', () => {
  const v = buildView(finalState())
  assert.equal(v.namespaces[0]!.deployments[0]!.replicaSets.map((r) => r.name), ['hellogopher-7d4b9c'])
  assert.equal(v.namespaces[1]!.services, [])
})

test('unhealthy reasons: wrong readiness port, liveness restarts, CrashLoopBackOff, OOMKilled; a fine pod has none', () => {
  const o = troubledDefault()
  const events = podEvents(o.events)
  const reasons = Object.fromEntries(o.pods.map((p) => [p.metadata!.name!, unhealthyReason(p, events.get(`default/${p.metadata!.name}`))]))
  assert.equal(reasons, {
    'hellogopher-aaa111-wrong': 'not ready (Readiness probe failed)',
    'hellogopher-bbb222-loop': 'not ready (failed liveness probe, will be restarted)',
    'oom-demo': 'OOMKilled',
    crasher: 'CrashLoopBackOff',
  })
  const fine = finalState().pods.map((p) => unhealthyReason(p))
  assert.equal(fine, [undefined, undefined])
  // OOMKilled behind a CrashLoopBackOff says both
  const oomLoop = pod({ ns: 'default', name: 'x', app: 'x', image: 'i', ready: false, waiting: 'CrashLoopBackOff', lastTerminated: { reason: 'OOMKilled', exitCode: 137 } })
  assert.is(unhealthyReason(oomLoop), 'CrashLoopBackOff (OOMKilled)')
  // OOMKilled once, ready again: not marked (the last exit is still shown)
  const recovered = pod({ ns: 'default', name: 'z', app: 'z', image: 'i', ready: true, restarts: 1, lastTerminated: { reason: 'OOMKilled', exitCode: 137 } })
  assert.is(unhealthyReason(recovered), undefined)
  // a pod going away on purpose is not unhealthy
  const going = pod({ ns: 'default', name: 'y', app: 'y', image: 'i', ready: false })
  going.metadata!.deletionTimestamp = new Date(NOW)
  assert.is(unhealthyReason(going), undefined)
})

test('env sources: envFrom a ConfigMap lists its keys; secretKeyRef names the key; envFrom a Secret says every key; missing ConfigMap', () => {
  const p = pod({
    ns: 'hellogopher',
    name: 'p',
    app: 'p',
    image: 'i',
    envFrom: [{ configMapRef: { name: 'database-configs' } }, { secretRef: { name: 'database-secrets' } }, { configMapRef: { name: 'gone' } }],
    env: [
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'database-configs', key: 'DATABASE_NAME' } } },
      { name: 'B', valueFrom: { secretKeyRef: { name: 'database-secrets', key: 'DATABASE_PASSWORD' } } },
      { name: 'C', value: 'VALUE-of-C' },
    ],
  })
  const r = envSources(p, finalState().configMaps)
  assert.equal(r.literal, ['C'])
  assert.equal(r.sources, [
    { kind: 'ConfigMap', name: 'database-configs', from: 'envFrom', keys: ['DATABASE_NAME', 'DATABASE_USERNAME'], exists: true },
    { kind: 'Secret', name: 'database-secrets', from: 'envFrom', keys: [] },
    { kind: 'ConfigMap', name: 'gone', from: 'envFrom', keys: [], exists: false },
    { kind: 'ConfigMap', name: 'database-configs', from: 'keys', keys: ['DATABASE_NAME'], exists: true },
    { kind: 'Secret', name: 'database-secrets', from: 'keys', keys: ['DATABASE_PASSWORD'] },
  ])
  assert.not.ok(JSON.stringify(r).includes('VALUE-of-C'), 'a literal value was kept')
})

test('all pods of a namespace: the Deployment-owned ones, then the others', () => {
  const v = buildView(troubledDefault())
  assert.equal(allPods(v.namespaces[0]!).map((p) => p.name), ['hellogopher-bbb222-loop', 'hellogopher-aaa111-wrong', 'crasher', 'oom-demo'])
})

// ── the pieces ───────────────────────────────────────────────────────────────
test('oneLine: whitespace runs become one space, trimmed; longer than max → cut with …; undefined → empty', () => {
  assert.is(oneLine('  a\n\tb   c  '), 'a b c')
  assert.is(oneLine('abcdef', 4), 'abc…')
  assert.is(oneLine('abcd', 4), 'abcd')
  assert.is(oneLine(undefined), '')
  assert.is(oneLine('x'.repeat(100)).length, 90)
})

test('podEvents: only Events about pods, keyed namespace/name (the object’s namespace, else the Event’s), each list oldest first', () => {
  const newer = event('hellogopher', 'p', 'Started', 'started', 10)
  const older = event('hellogopher', 'p', 'Pulled', 'pulled', 60)
  const noNs = { ...event('team', 'q', 'Scheduled', 's', 5), involvedObject: { kind: 'Pod', name: 'q' } } as CoreV1Event
  const aboutNode = { ...event('hellogopher', 'n', 'NodeReady', 'r', 5), involvedObject: { kind: 'Node', name: 'n' } } as CoreV1Event
  const m = podEvents([newer, aboutNode, older, noNs])
  assert.equal([...m.keys()].sort(), ['hellogopher/p', 'team/q'])
  assert.equal(m.get('hellogopher/p')!.map((e) => e.reason), ['Pulled', 'Started'])
})

test('eventCount: count, else series.count, else 1', () => {
  assert.is(eventCount({ count: 4, involvedObject: {}, metadata: {} }), 4)
  assert.is(eventCount({ series: { count: 7 }, involvedObject: {}, metadata: {} } as CoreV1Event), 7)
  assert.is(eventCount({ involvedObject: {}, metadata: {} }), 1)
})

test('troubleCounts: only trouble reasons, summed by reason with their aggregated counts, in the order reasons first came', () => {
  const evs = [
    event('d', 'p', 'Unhealthy', 'Liveness probe failed', 30, 3),
    event('d', 'p', 'Started', 'Started container', 25, 5),
    event('d', 'p', 'Killing', 'will be restarted', 20, 1),
    event('d', 'p', 'Unhealthy', 'Liveness probe failed', 10, 2),
  ]
  assert.equal(troubleCounts(evs), [{ reason: 'Unhealthy', count: 5 }, { reason: 'Killing', count: 1 }])
  assert.equal(troubleCounts([event('d', 'p', 'Pulled', 'ok', 1)]), [])
})

test('troubleText: an Event message cut to what it says (before the first ": ", without "Container <name> ")', () => {
  assert.is(troubleText('Readiness probe failed: Get "http://10.244.0.9:8081/": dial tcp'), 'Readiness probe failed')
  assert.is(troubleText('Container hellogopher failed liveness probe, will be restarted'), 'failed liveness probe, will be restarted')
  assert.is(troubleText(undefined), '')
  assert.is(troubleText('x'.repeat(60)), `${'x'.repeat(43)}…`)
})

const withStatus = (containerStatuses: NonNullable<V1Pod['status']>['containerStatuses']): V1Pod => ({ metadata: { name: 'p' }, status: { phase: 'Running', containerStatuses } })
const cs = (state: object, lastState?: object) => ({ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state, ...(lastState ? { lastState } : {}) })

test('containerReason: as `kubectl get pods` STATUS puts it — a waiting reason (with the last exit), a termination (with its code), a last exit', () => {
  assert.is(containerReason(withStatus([cs({ waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { reason: 'OOMKilled', exitCode: 137 } })])), 'CrashLoopBackOff (last exit: OOMKilled 137)')
  assert.is(containerReason(withStatus([cs({ waiting: { reason: 'ErrImageNeverPull' } })])), 'ErrImageNeverPull')
  assert.is(containerReason(withStatus([cs({ terminated: { reason: 'OOMKilled', exitCode: 137 } })])), 'OOMKilled (exit 137)')
  assert.is(containerReason(withStatus([cs({ running: {} }, { terminated: { reason: 'Error', exitCode: 2 } })])), 'last exit: Error 2')
})

test('containerReason: ContainerCreating / PodInitializing and a container that simply runs say nothing; the first container with a reason wins', () => {
  assert.is(containerReason(withStatus([cs({ waiting: { reason: 'ContainerCreating' } })])), undefined)
  assert.is(containerReason(withStatus([cs({ waiting: { reason: 'PodInitializing' } })])), undefined)
  assert.is(containerReason(withStatus([cs({ running: {} })])), undefined)
  assert.is(containerReason({ metadata: { name: 'p' } }), undefined)
  assert.is(containerReason(withStatus([cs({ running: {} }), cs({ waiting: { reason: 'ImagePullBackOff' } }), cs({ terminated: { reason: 'Error', exitCode: 1 } })])), 'ImagePullBackOff')
})

test('unhealthyReason: Failed (with the pod’s reason), unschedulable Pending, a bad image; a plain Pending pod is not marked', () => {
  const failed: V1Pod = { metadata: { name: 'p' }, status: { phase: 'Failed', reason: 'Evicted' } }
  assert.is(unhealthyReason(failed), 'Failed (Evicted)')
  const pending: V1Pod = { metadata: { name: 'p' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } }
  assert.is(unhealthyReason(pending), 'unschedulable')
  assert.is(unhealthyReason(withStatus([cs({ waiting: { reason: 'ErrImageNeverPull' } })])), 'ErrImageNeverPull')
  assert.is(unhealthyReason({ metadata: { name: 'p' }, status: { phase: 'Pending' } }), undefined)
})

test('selects: every selector label must match; an empty selector selects nothing', () => {
  assert.ok(selects({ app: 'hellogopher' }, { app: 'hellogopher', 'pod-template-hash': 'x' }))
  assert.not.ok(selects({ app: 'hellogopher', tier: 'web' }, { app: 'hellogopher' }))
  assert.not.ok(selects({ app: 'mysql' }, { app: 'hellogopher' }))
  assert.not.ok(selects({}, { app: 'hellogopher' }))
})

test('isApiServerService: only `kubernetes` in `default`', () => {
  assert.ok(isApiServerService({ metadata: { namespace: 'default', name: 'kubernetes' } }))
  assert.not.ok(isApiServerService({ metadata: { namespace: 'hellogopher', name: 'kubernetes' } }))
  assert.not.ok(isApiServerService({ metadata: { namespace: 'default', name: 'hellogopher' } }))
})

test('podView: a pod being deleted is Terminating; images, owner ReplicaSet, labels, restarts, the last Event (one line, counted)', () => {
  const p = pod({ ns: 'hellogopher', name: 'hellogopher-7d-a', app: 'hellogopher', image: 'programmingpercy/hellogopher:5.0', owner: 'hellogopher-7d', restarts: 2 })
  p.metadata!.deletionTimestamp = new Date(NOW)
  const v = podView(p, [event('hellogopher', 'hellogopher-7d-a', 'Killing', 'Stopping container\n  hellogopher', 3, 2)], [])
  assert.is(v.phase, 'Terminating')
  assert.ok(v.deleting)
  assert.equal([v.namespace, v.name, v.owner, v.images, v.restarts, v.ready, v.containers], ['hellogopher', 'hellogopher-7d-a', 'hellogopher-7d', ['programmingpercy/hellogopher:5.0'], 2, 1, 1])
  assert.equal(v.labels, { app: 'hellogopher' })
  assert.equal(v.lastEvent, { reason: 'Killing', message: 'Stopping container hellogopher', count: 2 })
  assert.is(v.unhealthy, undefined, 'a pod going away on purpose is not unhealthy')
  assert.is(v.createdMs, NOW - 300_000)
})

// ── the whole view ───────────────────────────────────────────────────────────
test('buildView: ReplicaSets newest revision first; a Service selects only pods not being deleted; its URL from opts.urls', () => {
  const o = finalState()
  o.replicaSets[1]!.spec!.replicas = 1 // the old revision still wants a pod
  o.pods.push(pod({ ns: 'hellogopher', name: 'hellogopher-5f6a1b-old', app: 'hellogopher', image: 'programmingpercy/hellogopher:4.0', owner: 'hellogopher-5f6a1b' }))
  o.pods[2]!.metadata!.deletionTimestamp = new Date(NOW)
  const ns = buildView(o, { urls: new Map([['hellogopher/hellogopher', 'http://10.250.0.1:31234']]) }).namespaces[0]!
  const hg = ns.deployments.find((d) => d.name === 'hellogopher')!
  assert.equal(hg.replicaSets.map((r) => [r.name, r.revision, r.pods.map((p) => p.name)]), [
    ['hellogopher-7d4b9c', '1', ['hellogopher-7d4b9c-x2x7q']],
    ['hellogopher-5f6a1b', '0', ['hellogopher-5f6a1b-old']],
  ])
  const svc = ns.services.find((s) => s.name === 'hellogopher')!
  assert.equal(svc.pods, ['hellogopher-7d4b9c-x2x7q'])
  assert.is(svc.url, 'http://10.250.0.1:31234')
  assert.equal(svc.ports, [{ port: 8080, targetPort: '8080', nodePort: 31234, protocol: 'TCP' }])
  assert.is(ns.services.find((s) => s.name === 'mysql')!.url, undefined)
})

test('buildView: each namespace gets only its own objects; exists only when existence is known; Deployments and Services by name', () => {
  const o: ClusterObjects = { ...finalState(), namespaces: ['default', 'hellogopher'] }
  const v = buildView(o)
  assert.equal(v.namespaces.map((n) => [n.name, n.exists, n.deployments.length, n.services.length]), [['default', true, 0, 0], ['hellogopher', true, 2, 2]])
  assert.equal(v.namespaces[1]!.deployments.map((d) => d.name), ['hellogopher', 'mysql'])
  const { existing: _e, ...unknown } = finalState()
  assert.not.ok('exists' in buildView(unknown).namespaces[0]!)
})

test('buildView: a Deployment view carries its counts, images and rollout judgement', () => {
  const d = buildView(troubledDefault()).namespaces[0]!.deployments[0]!
  assert.equal([d.name, d.desired, d.ready, d.updated, d.available, d.images], ['hellogopher', 1, 0, 1, 0, ['programmingpercy/hellogopher:2.0']])
  assert.equal(d.rollout, { done: false, message: '1 old replicas pending termination' })
})

test.run()
