/** Lesson 1 on the lab: one node, Ready — in the lesson's output, in kubectl's, and in the API. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isNodeReady } from '../../tasks/lib/kube.ts'
import { expectOk, kube, kubectl, lesson } from './helpers.ts'

test('lesson 1 starts (or finds) the cluster and sees one node, Ready', async () => {
  const r = await lesson(1)
  await expectOk(r, 'lesson 1')
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?get nodes/)
  assert.match(r.stdout, /\s+\S+\s+Ready\s/)
  assert.match(r.stdout, /Seen: one node, node\/\S+, Ready/)
})

test('independent: kubectl get nodes and the API both show exactly one Ready node', async () => {
  const r = await kubectl(['get', 'nodes', '--no-headers'])
  await expectOk(r, 'kubectl get nodes')
  const rows = r.stdout.trim().split('\n')
  assert.is(rows.length, 1, r.stdout)
  assert.match(rows[0]!, /\sReady\s/)
  const nodes = await kube().listNodes()
  assert.is(nodes.length, 1)
  assert.ok(isNodeReady(nodes[0]!))
})

test.run()
