/**
 * Lesson 5 on the lab: labels added, refused without --overwrite, overwritten, removed; selectors; delete by label
 * brings a pod with a new name. Checked from the lesson's output, then again by hand on the pod it left.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import type { V1Pod } from '../../tasks/lib/kube.ts'
import { expectOk, kube, kubectl, lesson, type Ran } from './helpers.ts'

const NS = 'default'
let run: Ran

const labelsOf = async (pod: string) => (await kube().read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: pod, namespace: NS }))?.metadata?.labels ?? {}
const readyPods = async () => (await kube().listPods(NS, 'app=hellogopher')).filter((p) => isPodReady(p)).map((p) => p.metadata!.name!)

test('lesson 5: added, refused without --overwrite (kubectl says why), overwritten, removed; a new pod after delete -l', async () => {
  run = await lesson(5)
  await expectOk(run, 'lesson 5', NS)
  assert.match(run.stdout, /Seen: label author=percy added/)
  assert.match(run.stdout, /refused, as expected: error: 'author' already has a value \(percy\), and --overwrite is false/)
  assert.match(run.stdout, /Seen: label author overwritten to ironman/)
  assert.match(run.stdout, /Seen: label author removed/)
  assert.match(run.stdout, /Seen: app=hellogopher → hellogopher-\S+; app!=hellogopher → no pod/)
  const m = /Seen: pod\/(\S+) is gone; the Deployment made pod\/(\S+), Running/.exec(run.stdout)
  assert.ok(m, run.stdout.slice(-1500))
  assert.is.not(m![1], m![2])
  // the old one is gone (or going), the new one runs
  const old = await kube().read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: m![1]!, namespace: NS })
  assert.ok(!old || old.metadata?.deletionTimestamp, `pod/${m![1]} is still there`)
  assert.ok((await readyPods()).includes(m![2]!))
})

test('independent: kubectl label on the running pod — add, refuse, overwrite, remove', async () => {
  const [pod] = await readyPods()
  assert.ok(pod)
  await expectOk(await kubectl(['label', `po/${pod}`, 'author=percy', '-n', NS]), 'label author=percy')
  assert.is((await labelsOf(pod!)).author, 'percy')
  const refused = await kubectl(['label', `po/${pod}`, 'author=ironman', '-n', NS])
  assert.is.not(refused.code, 0)
  assert.match(refused.stderr, /'author' already has a value \(percy\), and --overwrite is false/)
  assert.is((await labelsOf(pod!)).author, 'percy')
  await expectOk(await kubectl(['label', `po/${pod}`, 'author=ironman', '--overwrite', '-n', NS]), 'label --overwrite')
  assert.is((await labelsOf(pod!)).author, 'ironman')
  await expectOk(await kubectl(['label', `po/${pod}`, 'author-', '-n', NS]), 'label author-')
  assert.is((await labelsOf(pod!)).author, undefined)
})

test('independent: selectors return the right sets; delete -l brings a pod with a new name', async () => {
  const [pod] = await readyPods()
  const yes = await kubectl(['get', 'pods', '--selector', 'app=hellogopher', '-n', NS, '-o', 'name'])
  assert.ok(yes.stdout.split('\n').includes(`pod/${pod}`), yes.stdout)
  const no = await kubectl(['get', 'pods', '--selector', 'app!=hellogopher', '-n', NS, '-o', 'name'])
  assert.not.ok(no.stdout.includes(`pod/${pod}`), no.stdout)
  await expectOk(await kubectl(['delete', 'pods', '-l', 'app=hellogopher', '-n', NS]), 'delete pods -l')
  const fresh = await kube().waitForPod(NS, 'app=hellogopher', (p) => p.metadata?.name !== pod && isPodReady(p), { timeoutMs: 90_000, what: 'a new hellogopher pod' })
  assert.is.not(fresh.metadata?.name, pod)
})

test.run()
