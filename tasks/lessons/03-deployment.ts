/**
 * Lesson 3, the first Deployment: `kubectl create -f hellogopher.yml` (here: apply), `kubectl get all`,
 * `kubectl get deployment/hellogopher -o yaml` — its pod Running. Then the counter-example: an image the
 * cluster's runtime does not have leaves a pod in ErrImageNeverPull (ErrImagePull when it would pull).
 */
import { APP, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import { isPodReady, podSummary } from '../lib/kube-state.ts'
import { applyLesson, clusterWithImages, labelled, reset } from './common.ts'
import { look, newestPod, observe, watchPod } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { containerOf, fail, failNow, isAppImage, livePods, pass, podIsReady, podLine, readDeployment, type Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

const NS = LEFTOVER_NAMESPACE
export const NOT_BUILT_POD = 'hellogopher-not-built'
export const NOT_BUILT_IMAGE = 'programmingpercy/hellogopher:0.0'
const PULL_ERRORS = /^(ErrImageNeverPull|ErrImagePull|ImagePullBackOff)$/
const TIMEOUT_MS = 90_000

const PULL_FAILURE = /^(ErrImageNeverPull|ErrImagePull|ImagePullBackOff)$/

/** --check: the Deployment as hellogopher.yml declares it, and its pod Running. */
export const checks: Check[] = [
  {
    observable: `deployment/${APP} exists in ${NS}`,
    hint: 'kubectl create -f hellogopher.yml — then look for deployment.apps/hellogopher in kubectl get all',
    async check(d) {
      const dep = await readDeployment(d, NS)
      return dep ? pass(`deployment/${APP} in ${NS}`) : fail(`no deployment/${APP} in ${NS}`)
    },
  },
  {
    observable: 'its pod template: 1 replica, container hellogopher, image programmingpercy/hellogopher:1.0, containerPort 8080',
    hint: 'look at spec.replicas and spec.template.spec.containers in hellogopher.yml (name, image tag, ports), and at kubectl get deployment/hellogopher -o yaml',
    async check(d) {
      const dep = await readDeployment(d, NS)
      const c = containerOf(dep)
      if (!dep || !c) return fail(`no deployment/${APP} to look at`)
      const wrong: string[] = []
      if ((dep.spec?.replicas ?? 1) !== 1) wrong.push(`replicas ${dep.spec?.replicas}`)
      if (c.name !== APP) wrong.push(`container named ${c.name}`)
      if (!isAppImage(d, c.image, '1.0')) wrong.push(`image ${c.image}`)
      if (!c.ports?.some((p) => p.containerPort === 8080)) wrong.push(`containerPort ${c.ports?.map((p) => p.containerPort).join(', ') || 'none'}`)
      return wrong.length ? fail(wrong.join(', ')) : pass(`1 replica of ${c.image} (imagePullPolicy ${c.imagePullPolicy ?? 'default'}), port 8080`)
    },
  },
  {
    observable: 'the hellogopher pod Running (1/1)',
    hint: 'kubectl get pods, then kubectl describe pod <pod> — look at its Events',
    wait: { seconds: 60, what: 'the hellogopher pod to run' },
    async check(d) {
      const pods = await livePods(d, NS, `app=${APP}`)
      const ready = pods.find(podIsReady)
      if (ready) return pass(podLine(ready))
      if (!pods.length) return fail(`no pod with app=${APP} in ${NS}`)
      const pulling = pods.some((p) => (p.status?.containerStatuses ?? []).some((s) => PULL_FAILURE.test(s.state?.waiting?.reason ?? '')))
      const why = "the image is not where the cluster's runtime looks: redo lesson 2's docker build (after eval $(minikube docker-env)), and keep an imagePullPolicy that never pulls"
      return pulling ? failNow(podLine(pods[0]!), why) : fail(podLine(pods[0]!))
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl create -f hellogopher.yml', does: ['Sends the Deployment to the API server; its controller makes a ReplicaSet, which makes one pod.', 'Look for "deployment.apps/hellogopher created".'] },
    { run: 'kubectl get all', does: ['Pods, Services, Deployments and ReplicaSets of the namespace in one list.', 'Look for pod/hellogopher-… with READY 1/1 and STATUS Running.'] },
    { run: 'kubectl get deployment/hellogopher -o yaml', does: ['The object as the cluster keeps it: your spec plus defaults and a status.', 'Look at image, imagePullPolicy (Never: use what the runtime has, never pull) and status.availableReplicas.'] },
    { run: 'kubectl apply -f manifests/lessons/03-image-not-in-runtime.yml', does: ['The counter-example: a pod whose image (tag 0.0) was never built into the runtime.', 'kubectl get pods shows ErrImageNeverPull — what a docker build without eval $(minikube docker-env) looks like. Delete it afterwards: kubectl delete pod hellogopher-not-built.'] },
  ],
  next: 'reach the app from outside the cluster — npx tsx tasks/lesson.ts 4 --explain',
}

export const manifests: ManifestStage[] = [{ title: 'the first Deployment (hellogopher.yml)', files: { app: 'lessons/03-hellogopher.yml' } }]

export const lesson: Lesson = {
  number: 3,
  name: 'deployment',
  title: 'First Deployment',
  summary: 'a Deployment of hellogopher:1.0 runs one pod; a pod whose image is not in the runtime shows ErrImageNeverPull',
  observable: 'pod Running; with the image absent from the runtime the pod shows ErrImagePull/ErrImageNeverPull',
  namespace: NS,
  checks,
  explain,
  manifests,
  steps: (deps) => [
    ...clusterWithImages(deps, ['1.0']),
    ...reset(deps),
    applyLesson(deps, '03-hellogopher.yml'),
    observe(deps, {
      title: 'the Deployment and its pod (kubectl get all, kubectl get deployment/hellogopher -o yaml)',
      expect: 'the hellogopher pod Running',
      looks: [['get', 'all', '-n', NS], ['get', `deployment/${APP}`, '-n', NS, '-o', 'yaml']],
      async check(_ctx, log) {
        const kube = deps.kube()
        const pod = await kube.waitForPod(NS, `app=${APP}`, isPodReady, { timeoutMs: TIMEOUT_MS, what: `a ${APP} pod Running` })
        await look(deps, log, ['get', 'all', '-n', NS])
        await look(deps, log, ['get', `deployment/${APP}`, '-n', NS, '-o', 'yaml'], { pick: /^\s+(- )?(image|imagePullPolicy|containerPort|replicas|namespace):/ })
        return `pod/${pod.metadata?.name} Running (image ${pod.spec?.containers[0]?.image})`
      },
    }),
    labelled('Counter-example', applyLesson(deps, '03-image-not-in-runtime.yml')),
    observe(deps, {
      title: `a pod whose image is not in the cluster's runtime (kubectl get pod ${NOT_BUILT_POD}, kubectl describe pod)`,
      expect: `pod/${NOT_BUILT_POD} in ErrImageNeverPull (or ErrImagePull)`,
      looks: [['get', 'pod', NOT_BUILT_POD, '-n', NS], ['describe', 'pod', NOT_BUILT_POD, '-n', NS]],
      async check(_ctx, log) {
        const kube = deps.kube()
        if (await deps.provider.imageInRuntime(deps.sh, NOT_BUILT_IMAGE)) {
          throw new NotSeen(`${NOT_BUILT_IMAGE} absent from the runtime`, 'it is there (someone built tag 0.0)')
        }
        log(`${NOT_BUILT_IMAGE} is not in the cluster's runtime`)
        const pod = await watchPod(kube, NS, NOT_BUILT_POD, (p) => {
          if (p.status?.phase === 'Running') throw new NotSeen(`pod/${NOT_BUILT_POD} unable to start`, podSummary(p))
          return (p.status?.containerStatuses ?? []).some((c) => PULL_ERRORS.test(c.state?.waiting?.reason ?? ''))
        }, { timeoutMs: TIMEOUT_MS, what: `pod/${NOT_BUILT_POD} to report that its image is missing` })
        await look(deps, log, ['get', 'pod', NOT_BUILT_POD, '-n', NS])
        await look(deps, log, ['describe', 'pod', NOT_BUILT_POD, '-n', NS], { pick: /Reason:|ErrImage|not present|Failed/ })
        const reason = pod.status?.containerStatuses?.[0]?.state?.waiting?.reason
        const running = await newestPod(kube, NS, `app=${APP}`, isPodReady)
        if (!running) throw new NotSeen(`the ${APP} pod still Running`, `no Running ${APP} pod`)
        return `pod/${NOT_BUILT_POD} shows ${reason}; pod/${running.metadata?.name} (image 1.0, in the runtime) is Running`
      },
    }),
  ],
}
