/**
 * Lesson 3, the first Deployment: `kubectl create -f hellogopher.yml` (here: apply), `kubectl get all`,
 * `kubectl get deployment/hellogopher -o yaml` — its pod Running. Then the counter-example: an image the
 * cluster's runtime does not have leaves a pod in ErrImageNeverPull (ErrImagePull when it would pull).
 */
import { APP } from '../lib/context.ts'
import { isPodReady, podSummary } from '../lib/kube-state.ts'
import { LEFTOVER_NAMESPACE } from '../teardown.ts'
import { applyLesson, clusterWithImages, labelled, reset } from './common.ts'
import { look, newestPod, observe, watchPod } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

const NS = LEFTOVER_NAMESPACE
export const NOT_BUILT_POD = 'hellogopher-not-built'
export const NOT_BUILT_IMAGE = 'programmingpercy/hellogopher:0.0'
const PULL_ERRORS = /^(ErrImageNeverPull|ErrImagePull|ImagePullBackOff)$/
const TIMEOUT_MS = 90_000

export const lesson: Lesson = {
  number: 3,
  name: 'deployment',
  title: 'First Deployment',
  summary: 'a Deployment of hellogopher:1.0 runs one pod; a pod whose image is not in the runtime shows ErrImageNeverPull',
  observable: 'pod Running; with the image absent from the runtime the pod shows ErrImagePull/ErrImageNeverPull',
  namespace: NS,
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
