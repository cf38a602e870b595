/** tasks/steps/teardown.ts: only what exists is deleted, the context namespace comes back, skip when clean. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TimeoutError, type Ref } from '../../../../tasks/lib/kube.ts'
import { readState, writeState } from '../../../../tasks/lib/state.ts'
import { LEFTOVERS, previousNamespace, stopCluster, teardown } from '../../../../tasks/steps/teardown.ts'
import { evalSkip, fakeDeps, fakeKube, fakeProvider, fakeShell, runStep, testCtx } from '../../fakes.ts'

const dirs: string[] = []
/** A kubeconfig (never contacted) with two contexts; its current-context is what each test says. */
function kubeconfig(current: string): string {
  dirs.push(mkdtempSync(join(tmpdir(), 'teardown-kc-')))
  const f = join(dirs[dirs.length - 1]!, 'config')
  writeFileSync(
    f,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: mk, cluster: {server: "https://127.0.0.1:1"}}, {name: prod, cluster: {server: "https://10.255.255.1:6443"}}]',
      'users: [{name: u, user: {token: not-a-real-token}}]',
      'contexts: [{name: minikube, context: {cluster: mk, user: u, namespace: hellogopher}}, {name: prod, context: {cluster: prod, user: u, namespace: payments}}]',
      `current-context: ${current}`,
    ].join('\n'),
  )
  return f
}
const savedKubeconfig = process.env.KUBECONFIG
test.before.each(() => {
  process.env.KUBECONFIG = kubeconfig('minikube')
})
test.after(() => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG
  else process.env.KUBECONFIG = savedKubeconfig
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }))
})
const stateFile = (prev?: string) => {
  dirs.push(mkdtempSync(join(tmpdir(), 'teardown-')))
  const f = join(dirs[dirs.length - 1]!, 'state.json')
  if (prev) writeState({ previousNamespace: prev }, f)
  return f
}

interface World {
  /** `Kind/name` (namespaced in default) or `Namespace/hellogopher`. */
  exists: string[]
  terminating?: boolean
  contextNamespace: string
}

function world(w: World) {
  const deleted: Ref[] = []
  const kube = fakeKube({
    contextNamespace: w.contextNamespace,
    contextName: 'minikube',
    read: async (ref: Ref) => {
      if (ref.kind === 'Namespace') {
        return w.exists.includes(`Namespace/${ref.name}`) ? { metadata: { name: ref.name, ...(w.terminating ? { deletionTimestamp: new Date() } : {}) } } : undefined
      }
      assert.is(ref.namespace, 'default')
      return w.exists.includes(`${ref.kind}/${ref.name}`) ? { metadata: { name: ref.name } } : undefined
    },
    waitForDeletion: async (ref: Ref, o: { timeoutMs: number }) => {
      deleted.push({ ...ref, timeoutMs: o.timeoutMs } as Ref)
    },
  })
  return { kube, deleted }
}

test('the leftovers in default are the early lessons\' objects', () => {
  assert.equal(
    LEFTOVERS.map((l) => `${l.kind}:${l.names.join(',')}`),
    ['Deployment:hellogopher', 'Service:hellogopher', 'ConfigMap:hellogopher-config,database-configs', 'Secret:database-secrets'],
  )
})

test('skip: nothing of the tutorial is left', async () => {
  const { kube } = world({ exists: [], contextNamespace: 'default' })
  assert.is(await evalSkip(teardown(fakeDeps({ kube }), { stateFile: stateFile() }), testCtx()), 'nothing of the tutorial is left')
})

test('skip: not while the context still points at hellogopher', async () => {
  const { kube } = world({ exists: [], contextNamespace: 'hellogopher' })
  assert.is(await evalSkip(teardown(fakeDeps({ kube }), { stateFile: stateFile() }), testCtx()), false)
})

test('skip: not while anything is left', async () => {
  for (const thing of ['Namespace/hellogopher', 'Deployment/hellogopher', 'ConfigMap/database-configs']) {
    const { kube } = world({ exists: [thing], contextNamespace: 'default' })
    assert.is(await evalSkip(teardown(fakeDeps({ kube }), { stateFile: stateFile() }), testCtx()), false, thing)
  }
})

test('task: deletes only what exists, one kubectl delete per kind; waits for the namespace; restores the context', async () => {
  const f = stateFile('team-a')
  const { kube, deleted } = world({
    exists: ['Namespace/hellogopher', 'Deployment/hellogopher', 'ConfigMap/database-configs', 'ConfigMap/hellogopher-config'],
    contextNamespace: 'hellogopher',
  })
  const deps = fakeDeps({ kube })
  const t = await runStep(teardown(deps, { stateFile: f, timeoutMs: 60_000 }), testCtx())
  assert.equal(deps.sh.commands(), [
    'kubectl delete deployment hellogopher -n default --ignore-not-found',
    'kubectl delete configmap hellogopher-config database-configs -n default --ignore-not-found',
    'kubectl delete namespace hellogopher --wait=false',
    'kubectl config set-context --current --namespace=team-a',
  ])
  assert.equal(deleted, [{ apiVersion: 'v1', kind: 'Namespace', name: 'hellogopher', timeoutMs: 60_000 } as Ref])
  assert.equal(readState(f), {}, 'the saved namespace has served its purpose')
  assert.is(t.title, 'Nothing of the tutorial is left')
  assert.ok(t.outputs.includes('namespace/hellogopher is gone'))
})

test('task: context namespace already restored → no set-context; no state → default', async () => {
  const { kube } = world({ exists: ['Service/hellogopher'], contextNamespace: 'default' })
  const deps = fakeDeps({ kube })
  await runStep(teardown(deps, { stateFile: stateFile() }), testCtx())
  assert.equal(deps.sh.commands(), ['kubectl delete service hellogopher -n default --ignore-not-found'])
})

test('task: only the context is left → only set-context (back to default when nothing was saved)', async () => {
  const { kube, deleted } = world({ exists: [], contextNamespace: 'hellogopher' })
  const deps = fakeDeps({ kube })
  await runStep(teardown(deps, { stateFile: stateFile() }), testCtx())
  assert.equal(deps.sh.commands(), ['kubectl config set-context --current --namespace=default'])
  assert.equal(deleted, [])
})

test('task: a namespace already terminating is waited for, not deleted again', async () => {
  const { kube, deleted } = world({ exists: ['Namespace/hellogopher'], terminating: true, contextNamespace: 'default' })
  const deps = fakeDeps({ kube })
  await runStep(teardown(deps, { stateFile: stateFile() }), testCtx())
  assert.equal(deps.sh.commands(), [])
  assert.is(deleted.length, 1)
})

test('task: restores the namespace of the context it acted on, by name, when another context is current', async () => {
  // the run acted on minikube; prod is the kubeconfig's current context and must not be touched
  process.env.KUBECONFIG = kubeconfig('prod')
  const { kube } = world({ exists: ['Namespace/hellogopher'], contextNamespace: 'hellogopher' })
  const deps = fakeDeps({ kube, provider: fakeProvider({ target: () => ({ context: 'minikube' }) }) })
  await runStep(teardown(deps, { stateFile: stateFile('default') }), testCtx())
  assert.equal(deps.sh.commands(), ['kubectl --context minikube delete namespace hellogopher --wait=false', 'kubectl config set-context minikube --namespace=default'])
})

test('task: the acted-on context is the current one → the tutorial\'s `set-context --current`', async () => {
  const { kube } = world({ exists: [], contextNamespace: 'hellogopher' })
  const deps = fakeDeps({ kube, provider: fakeProvider({ target: () => ({ context: 'minikube' }) }) })
  await runStep(teardown(deps, { stateFile: stateFile('team-a') }), testCtx())
  assert.equal(deps.sh.commands(), ['kubectl config set-context --current --namespace=team-a'])
})

test('task: a namespace stuck terminating → says why (its conditions) after the deadline', async () => {
  const kube = fakeKube({
    contextNamespace: 'default',
    read: async (ref: Ref) =>
      ref.kind === 'Namespace'
        ? {
            metadata: { name: 'hellogopher' },
            status: {
              phase: 'Terminating',
              conditions: [
                { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', message: 'All resources successfully discovered' },
                { type: 'NamespaceContentRemaining', status: 'True', message: 'Some resources are remaining: pods. has 1 resource instances' },
              ],
            },
          }
        : undefined,
    waitForDeletion: async () => {
      throw new TimeoutError(120, 'namespace/hellogopher to be deleted', 'last state did not match')
    },
  })
  try {
    await runStep(teardown(fakeDeps({ kube }), { stateFile: stateFile() }), testCtx())
    assert.unreachable()
  } catch (e) {
    assert.is(
      (e as Error).message,
      'namespace/hellogopher is still terminating after 120s: NamespaceContentRemaining: Some resources are remaining: pods. has 1 resource instances — see kubectl get all -n hellogopher',
    )
  }
})

test('task: --dry-run shows every command teardown can run and reads nothing (state file only)', async () => {
  const f = stateFile('team-a')
  const deps = fakeDeps({ sh: fakeShell({ dryRun: true }) })
  await runStep(teardown(deps, { stateFile: f }), testCtx({ dryRun: true }))
  assert.equal(deps.sh.commands(), [
    'kubectl delete deployment hellogopher -n default --ignore-not-found',
    'kubectl delete service hellogopher -n default --ignore-not-found',
    'kubectl delete configmap hellogopher-config database-configs -n default --ignore-not-found',
    'kubectl delete secret database-secrets -n default --ignore-not-found',
    'kubectl delete namespace hellogopher --wait=false',
    'kubectl config set-context --current --namespace=team-a',
  ])
  assert.equal(readState(f), { previousNamespace: 'team-a' }, 'dry-run leaves the state alone')
})

const prevCases: Array<[string, string | undefined, string | undefined, string]> = [
  ['nothing saved', undefined, undefined, 'default'],
  ['saved in the state file', undefined, 'team-a', 'team-a'],
  ['ctx wins over the file', 'team-b', 'team-a', 'team-b'],
  ['never back to the tutorial\'s own namespace', undefined, 'hellogopher', 'default'],
]
for (const [name, fromCtx, fromFile, want] of prevCases) {
  test(`previousNamespace: ${name}`, () => {
    assert.is(previousNamespace({ namespace: 'hellogopher', previousNamespace: fromCtx }, stateFile(fromFile)), want)
  })
}

test('stop-cluster: skip when already stopped; otherwise provider.stop', async () => {
  const stopped = fakeProvider({ status: async () => ({ running: false, detail: 'minikube: host Stopped' }) })
  assert.is(await evalSkip(stopCluster(fakeDeps({ provider: stopped })), testCtx()), 'the cluster is already stopped')
  const provider = fakeProvider()
  const deps = fakeDeps({ provider })
  assert.is(await evalSkip(stopCluster(deps), testCtx()), false)
  await runStep(stopCluster(deps), testCtx())
  assert.is(provider.stopped, 1)
  assert.equal(deps.sh.commands(), ['fake-cluster stop'])
})

test.run()
