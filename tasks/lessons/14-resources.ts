/**
 * Lesson 14, resources: requests and limits on hellogopher (`cpu: 100m`, memory `10Mi` limits; `50m`/`1Mi`
 * requests) — manifests/02_hellogopher.yml, the final form, is lesson 13's Deployment plus exactly that.
 * `kubectl top pods` shows the use where metrics-server runs; a limit too low ends in OOMKilled (lesson 8).
 */
import { join } from 'node:path'
import { APP, MANIFESTS_DIR, METRICS_API, NAMESPACE } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { KubernetesObject, V1Pod } from '../lib/kube.ts'
import { isPodReady } from '../lib/kube-state.ts'
import { loadManifests, manifestObjects } from '../lib/manifests.ts'
import { logTo, type Step } from '../lib/task.ts'
import { applyFinal, clusterWithImages, inNamespace, labelled, lessonFile, reset } from './common.ts'
import { look, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { containerOf, fail, failNow, livePods, pass, podIsReady, podLine, readDeployment, type Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

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

/** --check: the running pod carries the requests and limits 02_hellogopher.yml declares. */
export const checks: Check[] = [
  {
    observable: `requests and limits on the app's pod as manifests/02_hellogopher.yml says (${flat(manifestResources())})`,
    hint: 'resources: requests and limits in 02_hellogopher.yml, then kubectl apply -f kubernetes/ — look at Limits: and Requests: in kubectl describe pod <pod>',
    wait: { seconds: 60, what: 'a Ready pod with the new requests and limits' },
    async check(d) {
      const want = flat(manifestResources())
      const pods = await livePods(d, NS, SELECTOR)
      const ready = pods.filter(podIsReady)
      const ok = ready.find((p) => flat(p.spec?.containers.find((c) => c.name === APP)?.resources as Resources | undefined) === want)
      if (ok) return pass(`pod/${ok.metadata?.name}: ${want}`)
      // the Deployment's pod template decides what every new pod gets: without the resources there, no pod will come with them
      const template = flat(containerOf(await readDeployment(d, NS))?.resources as Resources | undefined)
      if (template !== want) return failNow(`deployment/${APP}'s pod template has ${template || 'no requests or limits'}`)
      const first = ready[0] ?? pods[0]
      return fail(first ? `${podLine(first)}: ${flat(first.spec?.containers.find((c) => c.name === APP)?.resources as Resources | undefined) || 'no requests or limits'}` : `no pod with ${SELECTOR}`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'edit 02_hellogopher.yml: resources: {requests: {memory: 1Mi, cpu: 50m}, limits: {memory: 10Mi, cpu: 100m}}', does: ['Requests: what the scheduler reserves on a node for the pod. Limits: the most it may use — CPU is throttled, memory over the limit is killed.', 'cpu 100m is a tenth of a core; memory 10Mi is ten mebibytes.'] },
    { run: 'kubectl apply -f kubernetes/', does: ['A new pod with the resources (they are part of the pod template).', 'Look at kubectl get pods: the new pod Running 1/1 (a limit far too low shows OOMKilled instead).'] },
    { run: 'kubectl describe pod <pod>', does: ['Limits: and Requests: under the container; QoS Class: Burstable.', 'Look at the requests and limits next to each other: requests ≤ limits.'] },
    { run: 'kubectl top pods', does: ['What the pod really uses, next to what you gave it (needs metrics-server, lesson 9).', 'A memory limit lower than the app needs ends in OOMKilled (lesson 8).'] },
  ],
  next: 'clean up everything the tutorial made — npx tsx tasks/lesson.ts 15 --explain',
}

export const manifests: ManifestStage[] = [{ title: 'requests and limits', files: { app: '02_hellogopher.yml' } }]

export const lesson: Lesson = {
  number: 14,
  name: 'resources',
  title: 'Resources',
  summary: "requests/limits on hellogopher's pod (cpu 50m/100m, memory 1Mi/10Mi), exactly as manifests/02_hellogopher.yml says",
  observable: 'the limits are on the pod spec',
  namespace: NS,
  checks,
  explain,
  manifests,
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
