/**
 * Lesson 6 on the lab, watched while it runs: the pod whose readiness probe asks port 8081 runs but is never
 * ready, an Unhealthy "Readiness probe failed" Event names it; after the fix a pod probed on 8080 is 1/1.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import { expectOk, kube, lesson, watchWhile } from './helpers.ts'

const NS = 'default'

test('lesson 6: 0/1 with a "Readiness probe failed" Event on the wrong port, 1/1 once fixed', async () => {
  const { result: r, pods, events, errors } = await watchWhile(NS, () => lesson(6))
  await expectOk(r, 'lesson 6', NS)
  assert.equal(errors, [])
  assert.match(r.stdout, /hellogopher-\S+\s+0\/1\s+Running/)
  assert.match(r.stdout, /Seen: pod\/\S+ Running 0\/1 ready; Event Unhealthy: Readiness probe failed/)

  // independent: what the watches saw
  const wrong = pods.filter((p) => p.readinessPort === '8081' && p.name.startsWith('hellogopher-'))
  const names = [...new Set(wrong.map((p) => p.name))]
  assert.ok(names.length >= 1, 'no pod with a readiness probe on 8081 was seen')
  assert.ok(wrong.some((p) => p.phase === 'Running' && !p.ready), `no moment with a 8081 pod Running and not ready: ${JSON.stringify(wrong.slice(-3))}`)
  assert.not.ok(wrong.some((p) => p.ready), 'a pod probed on 8081 became ready')
  const unhealthy = events.filter((e) => e.reason === 'Unhealthy' && /Readiness probe failed/.test(e.message ?? '') && names.includes(e.involvedObject.name ?? ''))
  assert.ok(unhealthy.length >= 1, `no Unhealthy event about ${names.join(', ')}: ${events.map((e) => `${e.reason} ${e.involvedObject.name}`).slice(-10).join('; ')}`)

  const now = (await kube().listPods(NS, 'app=hellogopher')).filter(isPodReady)
  assert.is(now.length, 1)
  assert.is(String(now[0]!.spec?.containers[0]?.readinessProbe?.httpGet?.port), '8080')
})

test.run()
