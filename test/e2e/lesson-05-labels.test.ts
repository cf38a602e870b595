/**
 * Lesson 5: labels added, refused without --overwrite, overwritten, removed; selectors; delete by label brings a
 * pod with a new name. Checked by watching the pods while the lesson runs, then again by hand on the pod it left.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import type { V1Pod } from '../../tasks/lib/kube.ts'
import { expectOk, kube, kubectl, lesson, watchWhile } from './helpers.ts'

const NS = 'default'

const labelsOf = async (pod: string) => (await kube().read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: pod, namespace: NS }))?.metadata?.labels ?? {}
const readyPods = async () => (await kube().listPods(NS, 'app=hellogopher')).filter((p) => isPodReady(p)).map((p) => p.metadata!.name!)

test('lesson 5, watched while it runs: author added, kept when refused, overwritten, removed; delete -l brings a new pod', async () => {
  // every label value each pod had, as the pod watch saw it (a watch gets every update of the object)
  const authors = new Map<string, string[]>()
  const { result: r, pods, errors } = await watchWhile(NS, () => lesson(5), (p, type) => {
    const name = p.metadata?.name
    if (!name || type === 'DELETED') return
    const h = authors.get(name) ?? []
    const a = p.metadata?.labels?.author ?? '(none)'
    if (h.at(-1) !== a) h.push(a)
    authors.set(name, h)
  })
  await expectOk(r, 'lesson 5', NS)
  assert.equal(errors, [])
  // what kubectl says when --overwrite is missing is part of what the learner sees
  assert.match(r.stdout, /refused, as expected: error: 'author' already has a value \(percy\), and --overwrite is false/)

  // TUTORIAL.md lesson 5: author=percy, then author=ironman (refused without --overwrite), then author- removes it
  const labelled = [...authors].filter(([, h]) => h.includes('percy'))
  assert.is(labelled.length, 1, `pods that were labelled author=percy: ${JSON.stringify([...authors])}`)
  const [pod, history] = labelled[0]!
  assert.equal(history, ['(none)', 'percy', 'ironman', '(none)'], `author label of pod/${pod} over time`)
  const last = pods.filter((m) => m.name === pod).at(-1)
  assert.ok(last?.deleting, `pod/${pod} was not deleted by the label selector`)

  // after delete -l app=hellogopher the Deployment brings a NEW pod (another name) that becomes ready
  const goneAt = pods.findIndex((m) => m.name === pod && m.deleting)
  const fresh = pods.slice(goneAt).find((m) => m.name !== pod && m.name.startsWith('hellogopher-') && m.ready && !m.deleting)
  assert.ok(fresh, `no new ready hellogopher pod after pod/${pod} was deleted: ${JSON.stringify(pods.slice(goneAt).slice(-4))}`)
  assert.ok((await readyPods()).includes(fresh.name), `pod/${fresh.name} is not ready now`)
  const old = await kube().read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: pod, namespace: NS })
  assert.ok(!old || old.metadata?.deletionTimestamp, `pod/${pod} is still there`)
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
  await expectOk(no, 'kubectl get pods --selector app!=hellogopher') // empty output from a failure would pass below
  assert.not.ok(no.stdout.includes(`pod/${pod}`), no.stdout)
  await expectOk(await kubectl(['delete', 'pods', '-l', 'app=hellogopher', '-n', NS]), 'delete pods -l')
  const fresh = await kube().waitForPod(NS, 'app=hellogopher', (p) => p.metadata?.name !== pod && isPodReady(p), { timeoutMs: 90_000, what: 'a new hellogopher pod' })
  assert.is.not(fresh.metadata?.name, pod)
})

test.run()
