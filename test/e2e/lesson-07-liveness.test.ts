/**
 * Lesson 7 on the lab, watched while it runs: the 2.0 pod appears while the 1.0 pod still runs, and the 1.0 pod
 * starts going only after that (a rolling update); then the 2.0 pod is restarted by its liveness probe.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { V1Pod } from '../../tasks/lib/kube.ts'
import { expectOk, kube, lesson, watchWhile, type PodMoment } from './helpers.ts'

const NS = 'default'
const V1 = 'programmingpercy/hellogopher:1.0'
const V2 = 'programmingpercy/hellogopher:2.0'

/** name → first time seen, first time seen going away. */
function timeline(pods: PodMoment[], image: string): Map<string, { added: number; going?: number }> {
  const t = new Map<string, { added: number; going?: number }>()
  for (const p of pods.filter((x) => x.image === image)) {
    const e = t.get(p.name) ?? { added: p.at }
    if (p.deleting && e.going === undefined) e.going = p.at
    t.set(p.name, e)
  }
  return t
}

test('lesson 7: new pod before the old one goes; then Liveness probe failed and a restart', async () => {
  const { result: r, pods, errors } = await watchWhile(NS, () => lesson(7))
  await expectOk(r, 'lesson 7', NS)
  assert.equal(errors, [])
  assert.match(r.stdout, /Seen: rolling update: \S+ created \+[\d.]+s, \S+ going away \+[\d.]+s/)
  assert.match(r.stdout, /Liveness probe failed/)

  // independent: the order the pod watch saw
  const v1 = timeline(pods, V1)
  const v2 = timeline(pods, V2)
  const firstNew = Math.min(...[...v2.values()].map((x) => x.added))
  assert.ok(Number.isFinite(firstNew), 'no 2.0 pod was seen')
  const overlapping = [...v1.entries()].filter(([, x]) => x.added < firstNew && (x.going ?? Infinity) > firstNew)
  assert.ok(overlapping.length >= 1, `no 1.0 pod was running when the first 2.0 pod appeared: ${JSON.stringify([...v1.entries()])}`)
  assert.ok(overlapping.some(([, x]) => x.going !== undefined), 'the 1.0 pod never went away')
  process.stdout.write(`    surge: 2.0 pod seen ${((overlapping[0]![1].going! - firstNew) / 1000).toFixed(1)} s before the 1.0 pod started going\n`)

  // independent: restarts and the liveness Event, read now
  const [name] = [...v2.keys()]
  const pod = await kube().read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: name!, namespace: NS })
  assert.ok((pod?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, `restartCount ${pod?.status?.containerStatuses?.[0]?.restartCount}`)
  const events = await kube().eventsFor(NS, 'Pod', name!)
  assert.ok(events.some((e) => e.reason === 'Unhealthy' && /Liveness probe failed/.test(e.message ?? '')), events.map((e) => `${e.reason}: ${e.message}`).join('\n'))
  assert.ok(events.some((e) => e.reason === 'Killing'), 'no Killing event')
})

test.run()
