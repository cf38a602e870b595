/** tasks/steps/expose.ts: `kubectl expose … --type=NodePort`, skipped when the NodePort Service exists, URL shown after. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { expose } from '../../../../tasks/steps/expose.ts'
import type { Ref } from '../../../../tasks/lib/kube.ts'
import { directEndpoint } from '../../../../tasks/lib/providers/types.ts'
import { evalSkip, fakeDeps, fakeKube, fakeProvider, fakeShell, runStep, testCtx } from '../../fakes.ts'

const service = (type: string, nodePort?: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hellogopher' }, spec: { type, ports: [{ port: 8080, ...(nodePort ? { nodePort } : {}) }] } })

test('skip: the NodePort Service exists → reason with its port', async () => {
  const reads: Ref[] = []
  const kube = fakeKube({ read: async (ref: Ref) => (reads.push(ref), service('NodePort', 31234)) })
  assert.is(await evalSkip(expose(fakeDeps({ kube })), testCtx()), 'service/hellogopher already exposes hellogopher on NodePort 31234')
  assert.equal(reads, [{ apiVersion: 'v1', kind: 'Service', name: 'hellogopher', namespace: 'hellogopher' }])
})

test('not skipped when there is no Service', async () => {
  const kube = fakeKube({ read: async () => undefined })
  assert.is(await evalSkip(expose(fakeDeps({ kube })), testCtx()), false)
})

test('a Service of another type is an error saying what to do (kubectl expose would say AlreadyExists)', async () => {
  const kube = fakeKube({ read: async () => service('ClusterIP') })
  try {
    await evalSkip(expose(fakeDeps({ kube })), testCtx())
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).message, 'service/hellogopher in hellogopher exists but is ClusterIP — delete it (kubectl delete service hellogopher -n hellogopher) and run again')
  }
})

test("task: the tutorial's command, then the URL from the provider", async () => {
  const kube = fakeKube({})
  const deps = fakeDeps({ kube, provider: fakeProvider({ serviceUrl: async (_sh, _k, ns, name) => directEndpoint(`http://10.250.0.1:31234/#${ns}/${name}`) }) })
  const step = expose(deps)
  assert.is(step.title, 'Expose deployment/hellogopher on a NodePort (lesson 4)')
  const t = await runStep(step, testCtx())
  assert.equal(deps.sh.commands(), ['kubectl expose deployment hellogopher --type=NodePort --port=8080 -n hellogopher'])
  assert.equal(t.outputs, [
    '$ kubectl expose deployment hellogopher --type=NodePort --port=8080 -n hellogopher',
    'hellogopher answers at http://10.250.0.1:31234/#hellogopher/hellogopher',
  ])
})

test('a tunnel URL (minikube, docker driver on macOS/Windows) is closed again and the command to reopen it is shown', async () => {
  let closed = 0
  const endpoint = { url: 'http://127.0.0.1:52345', reopen: 'minikube service hellogopher -n hellogopher --url', close: async () => void closed++ }
  const deps = fakeDeps({ kube: fakeKube({}), provider: fakeProvider({ serviceUrl: async () => endpoint }) })
  const t = await runStep(expose(deps), testCtx())
  assert.is(closed, 1)
  assert.is(t.outputs.at(-1), 'hellogopher is reached through a tunnel: minikube service hellogopher -n hellogopher --url opens it (keep it running)')
})

test('the command names the context when the provider has one and no kubeconfig of its own', async () => {
  const deps = fakeDeps({ kube: fakeKube({}), provider: fakeProvider({ name: 'minikube', target: () => ({ context: 'minikube' }) }) })
  await runStep(expose(deps), testCtx())
  assert.equal(deps.sh.commands(), ['kubectl --context minikube expose deployment hellogopher --type=NodePort --port=8080 -n hellogopher'])
})

test('dry-run: the command only; no URL, no cluster', async () => {
  const deps = fakeDeps({ sh: fakeShell({ dryRun: true }), provider: fakeProvider({ serviceUrl: async () => assert.unreachable('no URL') as never }) })
  const t = await runStep(expose(deps), testCtx({ dryRun: true }))
  assert.equal(t.outputs, ['$ kubectl expose deployment hellogopher --type=NodePort --port=8080 -n hellogopher'])
})

test.run()
