/**
 * Lesson 5, labels and selectors: `kubectl label po/<pod> author=percy`, again without and with --overwrite,
 * `author-`; `kubectl get pods --selector app=hellogopher` / `app!=hellogopher`; `kubectl delete pods -l
 * app=hellogopher` — and the Deployment brings a NEW pod back.
 */
import { APP, type Deps } from '../lib/context.ts'
import { isPodReady } from '../lib/kube-state.ts'
import { logTo, type Step } from '../lib/task.ts'
import { deletePods, relabel, type RelabelOptions } from '../relabel.ts'
import { LEFTOVER_NAMESPACE } from '../teardown.ts'
import { applyLesson, clusterWithImages, deferred, expectRefusal, labelled, reset } from './common.ts'
import { look, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

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

export const lesson: Lesson = {
  number: 5,
  name: 'labels',
  title: 'Labels and selectors',
  summary: 'a label added, refused without --overwrite, overwritten, removed; selectors pick the right pods; delete by label → a new pod',
  observable: 'label added, overwritten (fails without --overwrite), removed; selectors return the right sets; after deleting by label a NEW pod comes back',
  namespace: NS,
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
