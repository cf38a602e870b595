/** Lesson 4 on the lab: a NodePort in 30000–32767 and `Hello gopher` through it. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { api, expectOk, lesson, serviceGet } from './helpers.ts'

const NS = 'default'

test('lesson 4 exposes the Deployment and gets Hello gopher through the NodePort', async () => {
  const r = await lesson(4)
  await expectOk(r, 'lesson 4', NS)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?expose deployment hellogopher --type=NodePort --port=8080 -n default/)
  assert.match(r.stdout, /hellogopher\s+NodePort\s+\S+\s+<none>\s+8080:3\d{4}\/TCP/)
  assert.match(r.stdout, /Seen: NodePort 3\d{4}; GET http:\/\/\S+ → 200 Hello gopher/)
})

test('independent: the Service is a NodePort in range, and GET through it says Hello gopher', async () => {
  const svc = await api().core.readNamespacedService({ namespace: NS, name: 'hellogopher' })
  assert.is(svc.spec?.type, 'NodePort')
  const port = svc.spec?.ports?.[0]?.nodePort ?? 0
  assert.ok(port >= 30000 && port <= 32767, `nodePort ${port}`)
  const res = await serviceGet(NS, 'hellogopher')
  assert.is(res.status, 200)
  assert.is(res.body.trim(), 'Hello gopher')
})

test.run()
