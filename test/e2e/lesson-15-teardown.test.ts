/** Lesson 15 on the lab: from the final state, nothing of the tutorial is left and the context namespace is back. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readState } from '../../tasks/lib/state.ts'
import { DEMO_PODS } from '../../tasks/lessons/common.ts'
import { expectOk, kube, kubectl, lesson } from './helpers.ts'

test('lesson 15: the final state is built, then torn down', async () => {
  const r = await lesson(15)
  await expectOk(r, 'lesson 15', 'default')
  assert.match(r.stdout, /\$ kubectl config set-context --current --namespace=hellogopher/)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?delete namespace hellogopher --wait=false/)
  assert.match(r.stdout, /\$ kubectl config set-context --current --namespace=default/)
  assert.match(r.stdout, /Seen: nothing of the tutorial is left; the context namespace is default/)
})

/**
 * What the tutorial creates (TUTORIAL.md lessons 3–13 and "Final state"): Deployments and Services hellogopher and
 * mysql, ConfigMaps hellogopher-config (lesson 12's literal) and database-configs, Secret database-secrets,
 * namespace hellogopher. Lessons 3–9 work in default, so none of it may be left there either.
 */
const TUTORIAL_OBJECTS = [
  { apiVersion: 'apps/v1', kind: 'Deployment', names: ['hellogopher', 'mysql'] },
  { apiVersion: 'v1', kind: 'Service', names: ['hellogopher', 'mysql'] },
  { apiVersion: 'v1', kind: 'ConfigMap', names: ['hellogopher-config', 'database-configs'] },
  { apiVersion: 'v1', kind: 'Secret', names: ['database-secrets'] },
]

test('independent: no namespace hellogopher, nothing of the tutorial in default, context namespace restored', async () => {
  const k = kube()
  assert.is(await k.read({ apiVersion: 'v1', kind: 'Namespace', name: 'hellogopher' }), undefined)
  // the project's own demo pods (lessons 3 and 8) must be gone too
  for (const { apiVersion, kind, names } of [...TUTORIAL_OBJECTS, { apiVersion: 'v1', kind: 'Pod', names: [...DEMO_PODS] }]) {
    for (const name of names) assert.is(await k.read({ apiVersion, kind, name, namespace: 'default' }), undefined, `${kind}/${name} left in default`)
  }
  assert.equal((await k.listPods('default', 'app=hellogopher')).map((p) => p.metadata?.name), [])
  assert.equal((await k.listPods('default', 'app=mysql')).map((p) => p.metadata?.name), [])
  const all = await kubectl(['get', 'all', '-n', 'default', '-o', 'name'])
  await expectOk(all, 'kubectl get all', 'default')
  assert.equal(all.stdout.trim().split('\n'), ['service/kubernetes'])
  const ns = await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'])
  await expectOk(ns, 'kubectl config view')
  assert.ok(['', 'default'].includes(ns.stdout.trim()), `context namespace '${ns.stdout}'`)
  assert.is(readState().previousNamespace, undefined)
})

test.run()
