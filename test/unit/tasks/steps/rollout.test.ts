/** tasks/steps/rollout.ts with fakes: skip reasons, the exact commands, the missing-image error, the timeout diagnosis. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parse } from 'yaml'
import { ROOT } from '../../../../tasks/lib/tutorial.ts'
import { KubeError, TimeoutError, type CoreV1Event, type V1Deployment, type V1Pod } from '../../../../tasks/lib/kube.ts'
import { alreadyRuns, crashInPreviousLog, renderDeployment, rollout, selectorOf } from '../../../../tasks/steps/rollout.ts'
import { evalSkip, fakeDeps, fakeKube, fakeProvider, fakeShell, runStep, testCtx } from '../../fakes.ts'
import { changesOnly } from '../../../../tasks/lib/task.ts'

const REPO = 'programmingpercy/hellogopher'

function deployment(tag: string, rolledOut = true): V1Deployment {
  return {
    metadata: { name: 'hellogopher', namespace: 'hellogopher', generation: 3 },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'hellogopher' } },
      template: { metadata: { labels: { app: 'hellogopher' } }, spec: { containers: [{ name: 'hellogopher', image: `${REPO}:${tag}` }] } },
    },
    status: rolledOut
      ? { observedGeneration: 3, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }
      : { observedGeneration: 3, replicas: 2, updatedReplicas: 1, availableReplicas: 1 },
  }
}

function pod(name: string, tag: string, o: { ready?: boolean; created?: string; restarts?: number; waiting?: string } = {}): V1Pod {
  const ready = o.ready ?? true
  return {
    metadata: { name, labels: { app: 'hellogopher' }, creationTimestamp: new Date(o.created ?? '2025-01-01T00:00:00Z') },
    spec: { containers: [{ name: 'hellogopher', image: `${REPO}:${tag}` }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        { name: 'hellogopher', image: `${REPO}:${tag}`, imageID: '', ready, restartCount: o.restarts ?? 0, state: o.waiting ? { waiting: { reason: o.waiting } } : { running: {} } },
      ],
    },
  }
}

// ── alreadyRuns ──────────────────────────────────────────────────────────────
const runsCases: Array<[string, V1Deployment, V1Pod[], boolean]> = [
  ['template, rollout and pods on 2.0', deployment('2.0'), [pod('a', '2.0')], true],
  ['template on 1.0', deployment('1.0'), [pod('a', '1.0')], false],
  ['template on 2.0 but still rolling', deployment('2.0', false), [pod('a', '2.0'), pod('b', '1.0')], false],
  ['a ready pod still runs 1.0', deployment('2.0'), [pod('a', '2.0'), pod('b', '1.0')], false],
  ['an unready old pod does not count', deployment('2.0'), [pod('a', '2.0'), pod('b', '1.0', { ready: false })], true],
]
for (const [name, d, pods, want] of runsCases) {
  test(`alreadyRuns: ${name}`, () => {
    assert.is(alreadyRuns(d, pods, `${REPO}:2.0`), want)
  })
}

test('selectorOf: the deployment\'s matchLabels, else app=hellogopher', () => {
  assert.is(selectorOf(deployment('1.0')), 'app=hellogopher')
  assert.is(selectorOf({ spec: { selector: { matchLabels: { app: 'x', tier: 'web' } }, template: {} } }), 'app=x,tier=web')
  assert.is(selectorOf(undefined), 'app=hellogopher')
})

// ── skip ─────────────────────────────────────────────────────────────────────
test('skip: deployment/hellogopher already runs 2.0', async () => {
  const kube = fakeKube({ getDeployment: async () => deployment('2.0'), listPods: async () => [pod('a', '2.0')] })
  const step = rollout(fakeDeps({ kube }))
  assert.is(await evalSkip(step, testCtx({ tag: '2.0' })), 'deployment/hellogopher already runs 2.0')
  assert.equal(kube.calls.map((c) => [c.method, ...c.args]), [
    ['getDeployment', 'hellogopher', 'hellogopher'],
    ['listPods', 'hellogopher', 'app=hellogopher'],
  ])
})

test('skip: not when on another tag, or when the deployment is absent', async () => {
  let kube = fakeKube({ getDeployment: async () => deployment('1.0'), listPods: async () => [pod('a', '1.0')] })
  assert.is(await evalSkip(rollout(fakeDeps({ kube })), testCtx({ tag: '2.0' })), false)
  kube = fakeKube({ getDeployment: async () => undefined })
  assert.is(await evalSkip(rollout(fakeDeps({ kube })), testCtx({ tag: '2.0' })), false)
})

test('skip: a read error propagates (absent is not broken, broken is not absent)', async () => {
  const kube = fakeKube({ getDeployment: async () => Promise.reject(new KubeError('read deployment/hellogopher in hellogopher: HTTP 403 forbidden', 403)) })
  try {
    await evalSkip(rollout(fakeDeps({ kube })), testCtx({ tag: '2.0' }))
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, 'HTTP 403')
  }
})

// ── task ─────────────────────────────────────────────────────────────────────
test('task: a provider that serves images from a registry gets the registry ref in set image and in the skip check', async () => {
  const kube = fakeKube({
    getDeployment: async () => deployment('1.0'),
    listPods: async () => [],
    waitForRollout: async () => deployment('2.0'),
  })
  const provider = fakeProvider({ imageOverrides: () => ({ [`${REPO}:2.0`]: 'reg.local:5000/learn/hellogopher:2.0' }) })
  const deps = fakeDeps({ kube, provider })
  await runStep(rollout(deps), testCtx({ tag: '2.0' }))
  assert.equal(deps.sh.commands(), ['kubectl set image deployment/hellogopher hellogopher=reg.local:5000/learn/hellogopher:2.0 -n hellogopher'])
})

test('task: kubectl set image, then the watch-based wait with progress', async () => {
  const waits: unknown[][] = []
  const kube = fakeKube({
    getDeployment: async () => deployment('1.0'),
    waitForRollout: async (ns: string, name: string, o: { timeoutMs: number; onProgress?: (l: string) => void }) => {
      waits.push([ns, name, o.timeoutMs])
      o.onProgress?.('0 of 1 updated replicas available')
      return deployment('2.0')
    },
  })
  const images: string[] = []
  const provider = fakeProvider({ imageInRuntime: async (_sh, image) => (images.push(image), true) })
  const deps = fakeDeps({ kube, provider })
  const t = await runStep(rollout(deps), testCtx({ tag: '2.0' }))
  assert.equal(deps.sh.commands(), ['kubectl set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:2.0 -n hellogopher'])
  assert.equal(images, [`${REPO}:2.0`])
  assert.equal(waits, [['hellogopher', 'hellogopher', 120_000]])
  assert.ok(t.outputs.includes('$ kubectl set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:2.0 -n hellogopher'))
  assert.ok(t.outputs.includes('0 of 1 updated replicas available'))
  assert.is(t.title, 'deployment/hellogopher runs 2.0')
})

test('task: the provider context goes on kubectl (minikube: --context minikube)', async () => {
  const kube = fakeKube({ getDeployment: async () => deployment('1.0'), waitForRollout: async () => deployment('3.0') })
  const deps = fakeDeps({ kube, provider: fakeProvider({ target: () => ({ context: 'minikube' }) }) })
  await runStep(rollout(deps, { timeoutMs: 5000 }), testCtx({ tag: '3.0', namespace: 'default' }))
  assert.equal(deps.sh.commands(), ['kubectl --context minikube set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:3.0 -n default'])
})

test('task: image missing from the runtime → one line naming the build command; nothing changed', async () => {
  const kube = fakeKube({ getDeployment: async () => deployment('1.0') })
  const deps = fakeDeps({ kube, provider: fakeProvider({ imageInRuntime: async () => false }) })
  try {
    await runStep(rollout(deps), testCtx({ tag: '2.0' }))
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).message, "image programmingpercy/hellogopher:2.0 is not in the cluster's runtime — build it: npx tsx tasks/build-images.ts --tag 2.0")
  }
  assert.equal(deps.sh.calls, [])
})

test('task: no deployment → says how to create it; nothing changed', async () => {
  const deps = fakeDeps({ kube: fakeKube({ getDeployment: async () => undefined }) })
  try {
    await runStep(rollout(deps), testCtx({ tag: '2.0' }))
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, 'deployment/hellogopher does not exist in namespace hellogopher — create it first')
  }
  assert.equal(deps.sh.calls, [])
})

test('task: --dry-run echoes the command and reads nothing (no kube, no image check)', async () => {
  let checked = false
  const deps = fakeDeps({ sh: fakeShell({ dryRun: true }), provider: fakeProvider({ imageInRuntime: async () => ((checked = true), false) }) })
  const t = await runStep(rollout(deps), testCtx({ tag: '2.0', dryRun: true }))
  assert.equal(deps.sh.commands(), ['kubectl set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:2.0 -n hellogopher'])
  assert.is(checked, false)
  assert.equal(t.outputs, ['$ kubectl set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:2.0 -n hellogopher'])
})

test('task: --via apply writes the edited manifest and runs kubectl apply -f from the repo root', async () => {
  const deps = fakeDeps({ sh: fakeShell({ dryRun: true }) })
  await runStep(rollout(deps, { via: 'apply' }), testCtx({ tag: '4.0', dryRun: true }))
  assert.equal(deps.sh.commands(), ['kubectl apply -f .cache/rollout/hellogopher-4.0.yml'])
  assert.is(deps.sh.calls[0]!.opts.cwd, ROOT)
})

test('renderDeployment: only the image (and namespace) change', () => {
  const doc = parse(renderDeployment({ provider: fakeProvider() }, { namespace: 'hellogopher', imageRepo: REPO, tag: '2.0' }))
  assert.is(doc.kind, 'Deployment')
  assert.is(doc.metadata.namespace, 'hellogopher')
  const c = doc.spec.template.spec.containers[0]
  assert.is(c.image, `${REPO}:2.0`)
  assert.is(c.imagePullPolicy, 'Never')
  assert.is(c.livenessProbe.failureThreshold, 3)
  const remote = parse(renderDeployment({ provider: fakeProvider({ pullPolicyOverride: () => 'Always' }) }, { namespace: 'x', imageRepo: 'reg/hg', tag: '1.0' }))
  assert.is(remote.spec.template.spec.containers[0].imagePullPolicy, 'Always')
  assert.is(remote.spec.template.spec.containers[0].image, 'reg/hg:1.0')
})

test('task: on timeout the error names the rollout state, the newest pod and its last Event', async () => {
  const ev = (reason: string, message: string, at: string): CoreV1Event => ({ metadata: {}, involvedObject: {}, reason, message, lastTimestamp: new Date(at) })
  const kube = fakeKube({
    getDeployment: async () => deployment('1.0'),
    waitForRollout: async () => {
      throw new TimeoutError(120, 'deployment/hellogopher to roll out', '0 of 1 updated replicas available')
    },
    listPods: async () => [
      pod('hellogopher-old', '1.0', { created: '2025-01-01T00:00:00Z' }),
      pod('hellogopher-new', '2.0', { created: '2025-01-01T00:05:00Z', ready: false, restarts: 3, waiting: 'CrashLoopBackOff' }),
    ],
    eventsFor: async (_ns: string, kind: string, name: string) => {
      assert.equal([kind, name], ['Pod', 'hellogopher-new'])
      return [ev('Killing', 'Container hellogopher failed liveness probe, will be restarted', '2025-01-01T00:05:30Z'), ev('Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500', '2025-01-01T00:05:40Z')]
    },
  })
  try {
    await runStep(rollout(fakeDeps({ kube })), testCtx({ tag: '2.0' }))
    assert.unreachable()
  } catch (e) {
    assert.is(
      (e as Error).message,
      'deployment/hellogopher did not finish rolling out within 120s (0 of 1 updated replicas available); newest pod/hellogopher-new Running 0/1 ready, 3 restarts, CrashLoopBackOff; last event: Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500',
    )
  }
})

test('task: a wait failure that is not the deadline propagates as is', async () => {
  const kube = fakeKube({
    getDeployment: async () => deployment('1.0'),
    waitForRollout: async () => {
      throw new KubeError('watch deployment/hellogopher to roll out: cannot reach the cluster at https://10.0.0.1:6443 (ECONNREFUSED)')
    },
  })
  try {
    await runStep(rollout(fakeDeps({ kube })), testCtx({ tag: '2.0' }))
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, /^watch deployment\/hellogopher to roll out: cannot reach/)
  }
})

test('task: a failing kubectl is one line naming the command', async () => {
  const sh = fakeShell({ reply: () => ({ exitCode: 1, stderr: 'error: unable to find container named "hellogopher"' }) })
  const deps = fakeDeps({ sh, kube: fakeKube({ getDeployment: async () => deployment('1.0') }) })
  try {
    await runStep(rollout(deps), testCtx({ tag: '2.0' }))
    assert.unreachable()
  } catch (e) {
    assert.is(
      (e as Error).message,
      '`kubectl set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:2.0 -n hellogopher` failed (exit 1): error: unable to find container named "hellogopher"',
    )
  }
})

test('changesOnly: repeated progress lines are dropped', () => {
  const out: string[] = []
  const log = changesOnly((l) => out.push(l))
  for (const l of ['a', 'a', 'b', 'b', 'a']) log(l)
  assert.equal(out, ['a', 'b', 'a'])
})

test('crashInPreviousLog: --previous while the container runs again or waits to; its own log once it has stopped', () => {
  const pod = (state: object, lastState: object = {}) => ({ status: { containerStatuses: [{ name: 'hellogopher', image: '', imageID: '', ready: false, restartCount: 2, state, lastState }] } }) as V1Pod
  const died = { terminated: { exitCode: 1, reason: 'Error' } }
  assert.is(crashInPreviousLog(pod({ waiting: { reason: 'CrashLoopBackOff' } }, died)), true)
  assert.is(crashInPreviousLog(pod({ running: {} }, died)), true)
  // stopped again: the instance before may be gone already (kubelet keeps one dead container)
  assert.is(crashInPreviousLog(pod(died, died)), false)
  assert.is(crashInPreviousLog(pod({ running: {} })), false)
  assert.is(crashInPreviousLog({ status: {} } as V1Pod), false)
})

test.run()
