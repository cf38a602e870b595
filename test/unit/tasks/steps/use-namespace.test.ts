/** tasks/steps/use-namespace.ts: lesson 10's set-context, skipped when already done, remembering the namespace teardown restores. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readState } from '../../../../tasks/lib/state.ts'
import { useNamespace } from '../../../../tasks/steps/use-namespace.ts'
import { twoContextKubeconfig as kubeconfigFile, evalSkip, fakeDeps, fakeKube, fakeProvider, runStep, testCtx } from '../../fakes.ts'

test('useNamespace: skipped when the context already uses hellogopher', async () => {
  const kube = fakeKube({ contextName: 'learn-k8s-lab', contextNamespace: 'hellogopher' })
  assert.is(await evalSkip(useNamespace(fakeDeps({ kube })), testCtx()), 'context learn-k8s-lab already uses namespace hellogopher')
})

test('useNamespace: remembers the previous namespace for teardown, then `set-context --current`', async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'up-state-')), 'state.json')
  const kube = fakeKube({ contextName: 'learn-k8s-lab', contextNamespace: 'default' })
  const provider = fakeProvider({ target: () => ({ kubeconfig: kubeconfigFile('learn-k8s-lab'), context: 'learn-k8s-lab' }) })
  const deps = fakeDeps({ kube, provider })
  const ctx = testCtx()
  assert.is(await evalSkip(useNamespace(deps, stateFile), ctx), false)
  const t = await runStep(useNamespace(deps, stateFile), ctx)
  assert.equal(deps.sh.commands(), ['kubectl config set-context --current --namespace=hellogopher'])
  assert.is(ctx.previousNamespace, 'default')
  assert.equal(readState(stateFile), { previousNamespace: 'default' })
  assert.match(t.outputs[0]!, /^previous namespace 'default' kept in .*state\.json \(teardown restores it\)$/)
})

test('useNamespace: an earlier saved namespace (teardown not run yet) is kept', async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'up-state-')), 'state.json')
  writeFileSync(stateFile, JSON.stringify({ previousNamespace: 'team-a' }))
  const kube = fakeKube({ contextName: 'learn-k8s-lab', contextNamespace: 'other' })
  const provider = fakeProvider({ target: () => ({ kubeconfig: kubeconfigFile('learn-k8s-lab'), context: 'learn-k8s-lab' }) })
  const ctx = testCtx()
  await runStep(useNamespace(fakeDeps({ kube, provider }), stateFile), ctx)
  assert.equal(readState(stateFile), { previousNamespace: 'team-a' })
  assert.is(ctx.previousNamespace, 'team-a')
})

test.run()
