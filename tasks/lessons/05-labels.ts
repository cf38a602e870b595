/**
 * Lesson 5, labels and selectors: `kubectl label po/<pod> author=percy`, again without and with --overwrite,
 * `author-`; `kubectl get pods --selector app=hellogopher` / `app!=hellogopher`; `kubectl delete pods -l
 * app=hellogopher` — and the Deployment brings a NEW pod back.
 */
import { APP, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import { isPodReady } from '../lib/kube-state.ts'
import { logTo, type Step } from '../lib/task.ts'
import { deletePods, relabel, type RelabelOptions } from '../steps/relabel.ts'
import { applyLesson, clusterWithImages, deferred, expectRefusal, labelled, reset } from './common.ts'
import { look, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { createdAt, fail, livePods, pass, podIsReady, podLine, revisions, type Check } from './check.ts'
import type { Explanation } from './explain.ts'

const NS = LEFTOVER_NAMESPACE
const SELECTOR = `app=${APP}`
const NOT_SELECTOR = `app!=${APP}`

interface Seen {
  pod?: string
}

/** `kubectl label` on the pod this lesson found (its name is generated). */
function labelPod(deps: Deps, seen: Seen, change: Omit<RelabelOptions, 'target'>): Step {
  const title = `kubectl label po/<pod> ${[...Object.entries(change.set).map(([k, v]) => `${k}=${v}`), ...change.remove.map((k) => `${k}-`)].join(' ')}${change.overwrite ? ' --overwrite' : ''}`
  return deferred(title, (ctx) => relabel(deps, { ...change, target: { pod: ctx.dryRun ? 'hellogopher-<pod>' : seen.pod! } }))
}

/** The pod's labels as the API has them, shown the way `kubectl get pod --show-labels` does. */
function labelsAre(deps: Deps, seen: Seen, want: Record<string, string | undefined>, expect: string): Step {
  return observe(deps, {
    title: `the pod's labels (kubectl get pod <pod> --show-labels)`,
    expect,
    looks: [['get', 'pod', 'hellogopher-<pod>', '-n', NS, '--show-labels']],
    async check(_ctx, log) {
      const p = await deps.kube().read<{ metadata?: { labels?: Record<string, string> } }>({ apiVersion: 'v1', kind: 'Pod', name: seen.pod!, namespace: NS })
      await look(deps, log, ['get', 'pod', seen.pod!, '-n', NS, '--show-labels'])
      const labels = p?.metadata?.labels ?? {}
      for (const [k, v] of Object.entries(want)) {
        if (labels[k] !== v) throw new NotSeen(expect, `label ${k}=${labels[k] ?? '(none)'} on pod/${seen.pod}`)
      }
      return `${expect} (pod/${seen.pod})`
    },
  })
}

/** --check: what labels and selectors leave behind — a NEW pod (deleted by label, replaced), no author label. */
export const checks: Check[] = [
  {
    observable: 'a hellogopher pod Running (the Deployment wants 1 replica)',
    hint: 'kubectl get pods --show-labels; if lesson 4 deleted the Deployment, kubectl create -f hellogopher.yml brings it back',
    wait: { seconds: 60, what: 'a hellogopher pod to run' },
    async check(d) {
      const pods = await livePods(d, NS, SELECTOR)
      const ready = pods.find(podIsReady)
      return ready ? pass(podLine(ready)) : fail(pods[0] ? podLine(pods[0]) : `no pod with ${SELECTOR} in ${NS}`)
    },
  },
  {
    observable: 'no pod left with the author label (added, overwritten with --overwrite, then removed)',
    hint: 'kubectl label po/<pod> author-   (the trailing minus removes a label) — look at kubectl get pods --show-labels',
    async check(d) {
      const labelled = (await livePods(d, NS, SELECTOR)).filter((p) => p.metadata?.labels?.author !== undefined)
      return labelled.length ? fail(labelled.map((p) => `pod/${p.metadata?.name} author=${p.metadata?.labels?.author}`).join(', ')) : pass('no hellogopher pod carries author')
    },
  },
  {
    observable: 'the pod was deleted by label and the Deployment made a NEW one (another name)',
    hint: 'kubectl delete pods -l app=hellogopher — then kubectl get pods: a pod with another name comes back',
    async check(d) {
      const pod = (await livePods(d, NS, SELECTOR)).find(podIsReady)
      if (!pod) return fail(`no Running pod with ${SELECTOR}`)
      const rsName = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name
      const rs = (await revisions(d, NS, APP)).find((r) => r.metadata?.name === rsName)
      if (!rs) return fail(`pod/${pod.metadata?.name} belongs to no ReplicaSet of deployment/${APP}`)
      // the ReplicaSet made its first pod within a second; a pod made later replaced one that went
      const later = (createdAt(pod) - createdAt(rs)) / 1000
      // by UID: the same ReplicaSet name comes back with the same template, and old Events last an hour
      const creates = (await d.events(NS)).filter((e) => e.reason === 'SuccessfulCreate' && e.involvedObject?.uid === rs.metadata?.uid)
      const made = creates.reduce((n, e) => n + (e.count ?? 1), 0)
      if (later >= 3 || made >= 2) return pass(`pod/${pod.metadata?.name} was made ${Math.round(later)}s after its ReplicaSet${made ? ` (${made} pods created by it)` : ''}: a replacement`)
      return fail(`pod/${pod.metadata?.name} is still the first pod of replicaset/${rsName}`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl create -f hellogopher.yml', does: ['Only if lesson 4 deleted the Deployment: it makes it (and its pod) again.', 'Look at kubectl get pods: one hellogopher pod, Running 1/1, before you label it.'] },
    { run: 'kubectl get pods --show-labels', does: ['The LABELS column: app=hellogopher (from the pod template) and pod-template-hash (from the ReplicaSet).', "Copy the pod's name from the NAME column: the next commands need it."] },
    { run: 'kubectl label po/<pod> author=percy', does: ['Adds a label to one pod; --show-labels shows it.', 'Look at kubectl get pods --show-labels: author=percy is in the LABELS column now.'] },
    { run: 'kubectl label po/<pod> author=ironman', does: ['Refused: the label already has a value and --overwrite is false.', 'kubectl protects you from changing a label by accident.'] },
    { run: 'kubectl label po/<pod> author=ironman --overwrite', does: ['Now the value changes; look at --show-labels again.', '--overwrite says you mean it: the LABELS column shows author=ironman.'] },
    { run: 'kubectl label po/<pod> author-', does: ['A key with a trailing minus removes the label.', 'Look at --show-labels once more: author is gone, app=hellogopher stays.'] },
    { run: 'kubectl get pods --selector app=hellogopher    (and --selector app!=hellogopher)', does: ['Selectors pick objects by label: the first lists the pod, the second does not.', 'Services and ReplicaSets find their pods the same way.'] },
    { run: 'kubectl delete pods -l app=hellogopher', does: ['Deletes every pod with that label.', 'kubectl get pods a moment later shows a NEW pod (another name): the Deployment still wants 1 replica.'] },
  ],
  next: 'tell Kubernetes when a pod is ready to serve — npx tsx tasks/lesson.ts 6 --explain',
}

export const lesson: Lesson = {
  number: 5,
  name: 'labels',
  title: 'Labels and selectors',
  summary: 'a label added, refused without --overwrite, overwritten, removed; selectors pick the right pods; delete by label → a new pod',
  observable: 'label added, overwritten (fails without --overwrite), removed; selectors return the right sets; after deleting by label a NEW pod comes back',
  namespace: NS,
  checks,
  explain,
  steps: (deps) => {
    const seen: Seen = {}
    return [
      ...clusterWithImages(deps, ['1.0']),
      ...reset(deps),
      labelled('Setup (lesson 3)', applyLesson(deps, '03-hellogopher.yml')),
      {
        title: 'Find the pod (kubectl get pods --show-labels)',
        task: async (ctx, task) => {
          const log = logTo(task)
          await look(deps, log, ['get', 'pods', '-n', NS, '--show-labels'])
          if (ctx.dryRun) return
          const pod = await newestPod(deps.kube(), NS, SELECTOR, isPodReady)
          if (!pod) throw new NotSeen(`a Running ${APP} pod`, `no Ready pod matches ${SELECTOR}`)
          seen.pod = pod.metadata?.name
          task.title = `The pod is ${seen.pod}, labelled ${SELECTOR}`
        },
      },
      labelPod(deps, seen, { set: { author: 'percy' }, remove: [], overwrite: false }),
      labelsAre(deps, seen, { author: 'percy' }, 'label author=percy added'),
      expectRefusal(labelPod(deps, seen, { set: { author: 'ironman' }, remove: [], overwrite: false }), /already has a value|--overwrite is false/, 'kubectl refuses to change author without --overwrite'),
      labelsAre(deps, seen, { author: 'percy' }, 'author is still percy'),
      labelPod(deps, seen, { set: { author: 'ironman' }, remove: [], overwrite: true }),
      labelsAre(deps, seen, { author: 'ironman' }, 'label author overwritten to ironman'),
      labelPod(deps, seen, { set: {}, remove: ['author'], overwrite: false }),
      labelsAre(deps, seen, { author: undefined, app: APP }, 'label author removed (app=hellogopher kept)'),
      observe(deps, {
        title: `the selectors (kubectl get pods --selector ${SELECTOR}, --selector ${NOT_SELECTOR})`,
        expect: `${SELECTOR} selects the hellogopher pod, ${NOT_SELECTOR} does not`,
        looks: [['get', 'pods', '--selector', SELECTOR, '-n', NS], ['get', 'pods', '--selector', NOT_SELECTOR, '-n', NS]],
        async check(_ctx, log) {
          const kube = deps.kube()
          await look(deps, log, ['get', 'pods', '--selector', SELECTOR, '-n', NS])
          await look(deps, log, ['get', 'pods', '--selector', NOT_SELECTOR, '-n', NS])
          const yes = (await kube.listPods(NS, SELECTOR)).map((p) => p.metadata?.name)
          const no = (await kube.listPods(NS, NOT_SELECTOR)).map((p) => p.metadata?.name)
          if (!yes.includes(seen.pod)) throw new NotSeen(`${SELECTOR} selecting pod/${seen.pod}`, `it selects ${yes.join(', ') || 'nothing'}`)
          if (no.includes(seen.pod)) throw new NotSeen(`${NOT_SELECTOR} leaving pod/${seen.pod} out`, `it selects ${no.join(', ')}`)
          return `${SELECTOR} → ${yes.join(', ')}; ${NOT_SELECTOR} → ${no.join(', ') || 'no pod'}`
        },
      }),
      deletePods(deps, { selector: SELECTOR }),
      observe(deps, {
        title: 'the pods after deleting by label (kubectl get pods)',
        expect: 'a NEW hellogopher pod (another name) Running, because the Deployment wants 1 replica',
        looks: [['get', 'pods', '-n', NS]],
        async check(_ctx, log) {
          const fresh = await newestPod(deps.kube(), NS, SELECTOR, isPodReady)
          await look(deps, log, ['get', 'pods', '-n', NS, '-l', SELECTOR])
          if (!fresh) throw new NotSeen(`a new ${APP} pod`, `no Ready pod matches ${SELECTOR}`)
          if (fresh.metadata?.name === seen.pod) throw new NotSeen(`a new ${APP} pod`, `pod/${seen.pod} is still the one running`)
          return `pod/${seen.pod} is gone; the Deployment made pod/${fresh.metadata?.name}, Running`
        },
      }),
    ]
  },
}
