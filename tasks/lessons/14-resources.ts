/**
 * Lesson 14, resources: requests and limits on hellogopher (`cpu: 100m`, memory `10Mi` limits; `50m`/`1Mi`
 * requests) — manifests/02_hellogopher.yml, the final form, is lesson 13's Deployment plus exactly that.
 * `kubectl top pods` shows the use where metrics-server runs; a limit too low ends in OOMKilled (lesson 8).
 */
import { join } from 'node:path'
import { APP, MANIFESTS_DIR, NAMESPACE, type Deps } from '../lib/context.ts'
import type { KubernetesObject, V1Pod } from '../lib/kube.ts'
import { isPodReady } from '../lib/kube-state.ts'
import { loadManifests, manifestObjects } from '../lib/manifests.ts'
import { logTo, type Step } from '../lib/task.ts'
import { applyFinal, clusterWithImages, inNamespace, labelled, lessonFile, reset } from './common.ts'
import { look, newestPod, observe } from './observe.ts'
import { METRICS_API } from './09-metrics.ts'
import { NotSeen, type Lesson } from './types.ts'

const NS = NAMESPACE
const SELECTOR = `app=${APP}`

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> }

/** The requests/limits manifests/02_hellogopher.yml gives the app's container. */
export function manifestResources(): Resources {
  const d = manifestObjects(loadManifests(join(MANIFESTS_DIR, '02_hellogopher.yml'))).find((o) => o.kind === 'Deployment') as
    | (KubernetesObject & { spec?: { template?: { spec?: { containers?: Array<{ name: string; resources?: Resources }> } } } })
    | undefined
  const r = d?.spec?.template?.spec?.containers?.find((c) => c.name === APP)?.resources
  if (!r) throw new Error(`manifests/02_hellogopher.yml gives ${APP} no resources`)
  return r
}

const flat = (r: Resources | undefined) =>
  [...Object.entries(r?.requests ?? {}).map(([k, v]) => `requests.${k}=${v}`), ...Object.entries(r?.limits ?? {}).map(([k, v]) => `limits.${k}=${v}`)].sort().join(', ')

/** `kubectl top pods`, where a metrics API answers (lesson 9 checks it; here it is only shown). */
const topPods = (deps: Deps): Step => ({
  title: 'How much the pods use (kubectl top pods)',
  skip: async () => ((await deps.kube().read({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: METRICS_API })) ? false : 'no metrics-server on this cluster (lesson 9)'),
  task: async (_ctx, task) => {
    await look(deps, logTo(task), ['top', 'pods', '-n', NS], { allowFail: true })
  },
})

export const lesson: Lesson = {
  number: 14,
  name: 'resources',
  title: 'Resources',
  summary: "requests/limits on hellogopher's pod (cpu 50m/100m, memory 1Mi/10Mi), exactly as manifests/02_hellogopher.yml says",
  observable: 'the limits are on the pod spec',
  namespace: NS,
  steps: (deps) => [
    ...clusterWithImages(deps, ['5.0']),
    ...reset(deps),
    ...[...inNamespace(deps, join(MANIFESTS_DIR, '01_database.yml'), lessonFile('13-secretkeyref.yml'))].map((s) => labelled('Setup (lesson 13)', s)),
    applyFinal(deps, '02_hellogopher.yml'),
    observe(deps, {
      title: 'the requests and limits on the pod (kubectl describe pod <pod>)',
      expect: `the pod's requests and limits are the manifest's (${flat(manifestResources())})`,
      looks: [['describe', 'pod', 'hellogopher-<pod>', '-n', NS]],
      async check(_ctx, log) {
        const want = flat(manifestResources())
        const pod: V1Pod | undefined = await newestPod(deps.kube(), NS, SELECTOR, isPodReady)
        if (!pod) throw new NotSeen(`a Ready ${APP} pod`, `none matches ${SELECTOR}`)
        const name = pod.metadata!.name!
        await look(deps, log, ['describe', 'pod', name, '-n', NS], { pick: /Limits:|Requests:|^\s+(cpu|memory):/ })
        const got = flat(pod.spec?.containers.find((c) => c.name === APP)?.resources as Resources | undefined)
        if (got !== want) throw new NotSeen(`requests/limits ${want}`, got || 'none')
        return `pod/${name}: ${got}`
      },
    }),
    topPods(deps),
  ],
}
