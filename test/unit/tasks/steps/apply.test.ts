/** tasks/steps/apply.ts: the server-side dry-run skip, the exact apply command with visible overrides, and the rollout waits. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyManifests, providerOverrides, resolveManifestPath } from '../../../../tasks/steps/apply.ts'
import { MANIFESTS_DIR, ROOT } from '../../../../tasks/lib/tutorial.ts'
import { KubeError, type KubernetesObject, type V1Deployment } from '../../../../tasks/lib/kube.ts'
import { ManifestError } from '../../../../tasks/lib/manifests.ts'
import { clearSecrets } from '../../../../tasks/lib/redact.ts'
import { evalSkip, fakeDeps, fakeKube, fakeProvider, fakeShell, runStep, testCtx } from '../../fakes.ts'

const LAB = fakeProvider({ name: 'lab', imageOverrides: () => ({ 'mysql:8.0': 'localhost/lab/mysql-compat:mariadb-10.11' }) })
const PLAIN = fakeProvider({ name: 'minikube' })

const rolledOut = (name: string): V1Deployment => ({
  metadata: { name, generation: 2 },
  spec: { replicas: 1 } as V1Deployment['spec'],
  status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
})
const pending = (name: string): V1Deployment => ({ ...rolledOut(name), status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 0 } })

function clusterKube(o: { changes?: (obj: KubernetesObject) => boolean | Promise<boolean>; deployment?: (name: string) => V1Deployment | undefined } = {}) {
  const waited: Array<{ ns: string; name: string; timeoutMs: number }> = []
  const applied: KubernetesObject[] = []
  const kube = fakeKube({
    contextNamespace: 'default',
    applyWouldChange: async (obj: KubernetesObject) => {
      applied.push(obj)
      return o.changes ? o.changes(obj) : false
    },
    getDeployment: async (_ns: string, name: string) => (o.deployment ? o.deployment(name) : rolledOut(name)),
    waitForRollout: async (ns: string, name: string, opts: { timeoutMs: number; onProgress?: (l: string) => void }) => {
      waited.push({ ns, name, timeoutMs: opts.timeoutMs })
      opts.onProgress?.(`0 of 1 updated replicas available`)
      return rolledOut(name)
    },
  })
  return { kube, waited, applied }
}

test.before.each(() => clearSecrets())

test('skip: nothing would change and every Deployment is rolled out → reason', async () => {
  const { kube, applied } = clusterKube()
  const step = applyManifests(fakeDeps({ kube, provider: LAB }))
  assert.is(step.title, 'Apply manifests/ (00_namespace.yml, 01_database.yml, 02_hellogopher.yml)')
  assert.is(await evalSkip(step, testCtx()), 'all 6 objects in manifests are up to date and rolled out')
  // the dry-run compares what would be applied: the lab's image, not the tutorial's
  const mysql = applied.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'mysql') as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }
  assert.is(mysql.spec.template.spec.containers[0]!.image, 'localhost/lab/mysql-compat:mariadb-10.11')
})

test('not skipped: one object would change', async () => {
  const { kube } = clusterKube({ changes: (o) => o.kind === 'Secret' })
  assert.is(await evalSkip(applyManifests(fakeDeps({ kube, provider: LAB })), testCtx()), false)
})

test('not skipped: a field owned by another manager (409 on the dry-run) means applying changes it', async () => {
  const { kube } = clusterKube({ changes: () => { throw new KubeError('dry-run apply of deployment/hellogopher: HTTP 409 conflict', 409) } })
  assert.is(await evalSkip(applyManifests(fakeDeps({ kube, provider: LAB })), testCtx()), false)
})

test('skip propagates other failures (absent is not broken; broken is broken)', async () => {
  const { kube } = clusterKube({ changes: () => { throw new KubeError('dry-run apply: HTTP 403 forbidden', 403) } })
  try {
    await evalSkip(applyManifests(fakeDeps({ kube, provider: LAB })), testCtx())
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, /403/)
  }
})

test('skip: the dry runs go out together but are judged in manifest order — a change before a failure wins, a failure before a change throws', async () => {
  const order: string[] = []
  const at = (kind: string) => (o: KubernetesObject) => (order.push(o.kind!), o.kind === kind)
  // the Namespace (first) would change; the Secret's dry run fails: not skipped, as one after another would say
  const first = clusterKube({ changes: (o) => (o.kind === 'Secret' ? Promise.reject(new KubeError('dry-run apply: HTTP 403 forbidden', 403)) : at('Namespace')(o)) })
  assert.is(await evalSkip(applyManifests(fakeDeps({ kube: first.kube, provider: LAB })), testCtx()), false)
  assert.is(first.applied.length, 6) // all asked at once
  // the Namespace's dry run fails and a later Deployment would change: the failure is what the run reports
  const failing = clusterKube({ changes: (o) => (o.kind === 'Namespace' ? Promise.reject(new KubeError('dry-run apply: HTTP 403 forbidden', 403)) : o.kind === 'Deployment') })
  try {
    await evalSkip(applyManifests(fakeDeps({ kube: failing.kube, provider: LAB })), testCtx())
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, /403/)
  }
})

test('not skipped: applied but a Deployment is not rolled out (the task waits for it)', async () => {
  const { kube } = clusterKube({ deployment: (n) => (n === 'hellogopher' ? pending(n) : rolledOut(n)) })
  assert.is(await evalSkip(applyManifests(fakeDeps({ kube, provider: LAB })), testCtx()), false)
})

test('task (lab): the override line, the files, `kubectl apply --server-side` on a private temp dir, then rollout waits', async () => {
  const { kube, waited } = clusterKube()
  const sh = fakeShell()
  let renderedDir = ''
  sh.run = ((orig) => async (bin, args, opts) => {
    renderedDir = args.at(-1)!
    // the temp dir exists while kubectl runs, with the swapped image
    assert.match(readFileSync(join(renderedDir, '01_database.yml'), 'utf8'), /image: localhost\/lab\/mysql-compat:mariadb-10\.11/)
    return orig(bin, args, opts)
  })(sh.run.bind(sh))
  const t = await runStep(applyManifests(fakeDeps({ sh, kube, provider: LAB }), { timeoutMs: 5000 }), testCtx())
  assert.equal(sh.commands(), [`kubectl apply --server-side --force-conflicts -f ${renderedDir}`])
  assert.match(renderedDir, /learn-k8s-manifests-/)
  assert.not.ok(existsSync(renderedDir), 'the temp dir is removed afterwards')
  assert.equal(t.outputs.slice(0, 3), [
    'image override (lab): mysql:8.0 → localhost/lab/mysql-compat:mariadb-10.11',
    'manifests: manifests/00_namespace.yml, manifests/01_database.yml, manifests/02_hellogopher.yml',
    `$ kubectl apply --server-side --force-conflicts -f ${renderedDir}`,
  ])
  assert.equal(waited, [
    { ns: 'hellogopher', name: 'mysql', timeoutMs: 5000 },
    { ns: 'hellogopher', name: 'hellogopher', timeoutMs: 5000 },
  ])
  assert.ok(t.outputs.includes('hellogopher rolled out (1/1 available)'))
})

test('task (no overrides): the original manifests/ folder is applied', async () => {
  const { kube } = clusterKube()
  const sh = fakeShell()
  await runStep(applyManifests(fakeDeps({ sh, kube, provider: PLAIN })), testCtx())
  assert.equal(sh.commands(), [`kubectl apply --server-side --force-conflicts -f ${MANIFESTS_DIR}`])
})

test('task: extra overrides (up --tag) are shown with their source', async () => {
  const sh = fakeShell({ dryRun: true })
  const overrides = [{ source: '--tag 2.0', images: { 'programmingpercy/hellogopher:5.0': 'programmingpercy/hellogopher:2.0' } }]
  const t = await runStep(applyManifests(fakeDeps({ sh, provider: PLAIN }), { overrides }), testCtx({ dryRun: true }))
  assert.is(t.outputs[0], 'image override (--tag 2.0): programmingpercy/hellogopher:5.0 → programmingpercy/hellogopher:2.0')
})

test('dry-run: the command is echoed; no cluster read, no wait', async () => {
  const sh = fakeShell({ dryRun: true })
  const t = await runStep(applyManifests(fakeDeps({ sh, provider: LAB })), testCtx({ dryRun: true }))
  assert.match(t.outputs.at(-1)!, /^\$ kubectl apply --server-side --force-conflicts -f \S+learn-k8s-manifests-\S+$/)
})

test('wait: false (a lesson showing a broken probe) applies without waiting', async () => {
  const { kube, waited } = clusterKube()
  await runStep(applyManifests(fakeDeps({ kube, provider: PLAIN }), { wait: false }), testCtx())
  assert.equal(waited, [])
})

test('objects without a namespace are checked and awaited in the context namespace; their file is the title', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apply-test-'))
  const file = join(dir, 'lesson.yml')
  writeFileSync(file, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: web, image: nginx}]}}}\n')
  const { kube, applied, waited } = clusterKube({ changes: () => true })
  const step = applyManifests(fakeDeps({ kube, provider: PLAIN }), { path: file })
  assert.is(step.title, `Apply ${file}`)
  assert.is(await evalSkip(step, testCtx()), false)
  assert.is(applied[0]!.metadata?.namespace, 'default')
  await runStep(step, testCtx())
  assert.equal(waited.map((w) => `${w.ns}/${w.name}`), ['default/web'])
})

test('a malformed lesson file fails when the list is built, before any step runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apply-test-'))
  writeFileSync(join(dir, 'bad.yml'), 'kind: [\n')
  try {
    applyManifests(fakeDeps({ provider: PLAIN }), { path: dir })
    assert.unreachable()
  } catch (e) {
    assert.instance(e, ManifestError)
  }
})

test('providerOverrides: image swaps and pull policy from the provider', () => {
  assert.equal(providerOverrides({ provider: LAB }), [{ source: 'lab', images: { 'mysql:8.0': 'localhost/lab/mysql-compat:mariadb-10.11' }, pullPolicy: undefined, pullPolicyRepo: 'programmingpercy/hellogopher' }])
})

test('resolveManifestPath: default manifests/, relative from cwd or the repo root', () => {
  assert.is(resolveManifestPath(undefined), MANIFESTS_DIR)
  assert.is(resolveManifestPath('/abs/x.yml'), '/abs/x.yml')
  const cwd = process.cwd()
  try {
    process.chdir(tmpdir())
    assert.is(resolveManifestPath('manifests/02_hellogopher.yml'), join(ROOT, 'manifests/02_hellogopher.yml'))
  } finally {
    process.chdir(cwd)
  }
})

test.run()
