/** Lesson 15 on the lab: from the final state, nothing of the tutorial is left and the context namespace is back. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readState } from '../../tasks/lib/state.ts'
import { LEFTOVERS } from '../../tasks/teardown.ts'
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

test('independent: no namespace hellogopher, nothing of the tutorial in default, context namespace restored', async () => {
  const k = kube()
  assert.is(await k.read({ apiVersion: 'v1', kind: 'Namespace', name: 'hellogopher' }), undefined)
  for (const { apiVersion, kind, names } of [...LEFTOVERS, { apiVersion: 'v1', kind: 'Pod', names: [...DEMO_PODS] }]) {
    for (const name of names) assert.is(await k.read({ apiVersion, kind, name, namespace: 'default' }), undefined, `${kind}/${name} left in default`)
  }
  assert.equal((await k.listPods('default', 'app=hellogopher')).map((p) => p.metadata?.name), [])
  const all = await kubectl(['get', 'all', '-n', 'default', '-o', 'name'])
  assert.equal(all.stdout.trim().split('\n'), ['service/kubernetes'])
  const ns = await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'])
  assert.ok(['', 'default'].includes(ns.stdout.trim()), `context namespace '${ns.stdout}'`)
  assert.is(readState().previousNamespace, undefined)
})

test.run()
