/** Lesson 14 on the lab: the requests and limits on the running pod are manifests/02_hellogopher.yml's. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseAllDocuments } from 'yaml'
import { MANIFESTS_DIR } from '../../tasks/lib/context.ts'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import { expectOk, kube, kubectl, lesson } from './helpers.ts'

const NS = 'hellogopher'

test('lesson 14: the limits are on the pod spec', async () => {
  const r = await lesson(14)
  await expectOk(r, 'lesson 14', NS)
  assert.match(r.stdout, /Limits:\n.*cpu:\s+100m\n.*memory:\s+10Mi/)
  assert.match(r.stdout, /Seen: pod\/hellogopher-\S+: limits\.cpu=100m, limits\.memory=10Mi, requests\.cpu=50m, requests\.memory=1Mi/)
})

test("independent: the running pod's resources equal the manifest's", async () => {
  const doc = parseAllDocuments(readFileSync(join(MANIFESTS_DIR, '02_hellogopher.yml'), 'utf8'))[0]!.toJS() as {
    spec: { template: { spec: { containers: Array<{ resources: unknown }> } } }
  }
  const want = doc.spec.template.spec.containers[0]!.resources
  const pod = (await kube().listPods(NS, 'app=hellogopher')).find(isPodReady)
  assert.ok(pod)
  // through JSON: the client's objects carry unset fields (claims: undefined) the manifest does not have
  assert.equal(JSON.parse(JSON.stringify(pod!.spec?.containers[0]?.resources)), want)
  const r = await kubectl(['get', 'pod', pod!.metadata!.name!, '-n', NS, '-o', 'jsonpath={.spec.containers[0].resources.limits.memory} {.spec.containers[0].resources.limits.cpu}'])
  assert.is(r.stdout.trim(), '10Mi 100m')
})

test.run()
