/** Lesson 14: the requests and limits on the running pod are the tutorial's (TUTORIAL.md lesson 14). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { expectOk, kube, kubectl, lesson, servingPod } from './helpers.ts'

const NS = 'hellogopher'

test('lesson 14: the limits are on the pod spec', async () => {
  const r = await lesson(14)
  await expectOk(r, 'lesson 14', NS)
  assert.match(r.stdout, /Limits:\n.*cpu:\s+100m\n.*memory:\s+10Mi/)
  assert.match(r.stdout, /Seen: pod\/hellogopher-\S+: limits\.cpu=100m, limits\.memory=10Mi, requests\.cpu=50m, requests\.memory=1Mi/)
})

test("independent: the running pod's resources are the tutorial's", async () => {
  // TUTORIAL.md lesson 14: "cpu: 100m limit, memory limit 10Mi in the article; upstream final: requests 1Mi/50m, limits 10Mi/100m"
  const want = { limits: { cpu: '100m', memory: '10Mi' }, requests: { cpu: '50m', memory: '1Mi' } }
  const name = await servingPod(NS)
  const pod = (await kube().listPods(NS, 'app=hellogopher')).find((p) => p.metadata?.name === name)
  assert.ok(pod)
  // through JSON: the client's objects carry unset fields (claims: undefined) the manifest does not have
  assert.equal(JSON.parse(JSON.stringify(pod!.spec?.containers[0]?.resources)), want)
  const r = await kubectl(['get', 'pod', pod!.metadata!.name!, '-n', NS, '-o', 'jsonpath={.spec.containers[0].resources.limits.memory} {.spec.containers[0].resources.limits.cpu}'])
  await expectOk(r, 'kubectl get pod -o jsonpath', NS)
  assert.is(r.stdout.trim(), '10Mi 100m')
})

test.run()
