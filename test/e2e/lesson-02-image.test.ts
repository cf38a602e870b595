/** Lesson 2 on the lab: hellogopher:1.0 is built where the cluster's runtime sees it. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createShell } from '../../tasks/lib/shell.ts'
import { E2E_PROVIDER, expectOk, kube, lesson, provider } from './helpers.ts'

const IMAGE = 'programmingpercy/hellogopher:1.0'

test('lesson 2 builds (or finds) 1.0 and sees it in the runtime', async () => {
  const r = await lesson(2)
  await expectOk(r, 'lesson 2')
  assert.match(r.stdout, /docker endpoint: /)
  assert.match(r.stdout, /\$ docker image ls programmingpercy\/hellogopher:1\.0/)
  assert.match(r.stdout, /programmingpercy\/hellogopher\s+1\.0\s+[0-9a-f]{12}/)
  assert.match(r.stdout, /Seen: programmingpercy\/hellogopher:1\.0 is in the cluster's runtime/)
})

test("independent: the runtime has it (same image ID as docker's), and the kubelet lists it on the node", async () => {
  assert.ok(await provider().imageInRuntime(createShell(), IMAGE), `${IMAGE} not in the ${E2E_PROVIDER} runtime`)
  const images = (await kube().listNodes())[0]?.status?.images ?? []
  assert.ok(images.some((i) => (i.names ?? []).some((n) => n.endsWith(IMAGE))), `node.status.images: ${images.flatMap((i) => i.names ?? []).join(', ')}`)
})

test.run()
