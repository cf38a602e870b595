/**
 * Lesson 6, readiness probe: a probe on the wrong port keeps the pod Running but 0/1 ready, and
 * `kubectl describe pod` shows the Event `Unhealthy … Readiness probe failed`. Fixing the port makes it 1/1.
 */
import { APP } from '../lib/context.ts'
import type { V1Pod } from '../lib/kube.ts'
import { isPodReady, podSummary } from '../lib/kube-state.ts'
import { LEFTOVER_NAMESPACE } from '../teardown.ts'
import { applyLesson, clusterWithImages, reset } from './common.ts'
import { look, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

const NS = LEFTOVER_NAMESPACE
const SELECTOR = `app=${APP}`
const TIMEOUT_MS = 60_000
/** The first probe runs ~10 s after start (periodSeconds); a failing one is reported at once. */
const EVENT_TIMEOUT_MS = 45_000

const probePort = (p: V1Pod) => p.spec?.containers[0]?.readinessProbe?.httpGet?.port

export const lesson: Lesson = {
  number: 6,
  name: 'readiness',
  title: 'Readiness probe',
  summary: 'a readiness probe on the wrong port: pod Running but 0/1, Event "Readiness probe failed"; fixed port → 1/1',
  observable: 'pod Running but 0/1 ready with an Unhealthy "Readiness probe failed" Event; with the port fixed to 8080, 1/1',
  namespace: NS,
  steps: (deps) => [
    ...clusterWithImages(deps, ['1.0']),
    ...reset(deps),
    // never ready, so nothing to wait for: the observation below watches instead
    applyLesson(deps, '06-readiness-wrong-port.yml', { wait: false }),
    observe(deps, {
      title: 'why the pod is not ready (kubectl get pods, kubectl describe pod <pod>)',
      expect: 'the pod Running but 0/1 ready, with an Unhealthy "Readiness probe failed" Event',
      looks: [['get', 'pods', '-n', NS], ['describe', 'pod', 'hellogopher-<pod>', '-n', NS]],
      async check(_ctx, log) {
        const kube = deps.kube()
        const pod = await kube.waitForPod(NS, SELECTOR, (p) => {
          if (isPodReady(p)) throw new NotSeen('the pod 0/1 ready', `${podSummary(p)} — its readiness probe (port ${probePort(p)}) passes`)
          return p.status?.phase === 'Running'
        }, { timeoutMs: TIMEOUT_MS, what: `a ${APP} pod Running` })
        const name = pod.metadata!.name!
        log(`pod/${name} runs; its readiness probe asks port ${probePort(pod)} (the app listens on 8080)`)
        let event
        try {
          event = await kube.waitForEvent(NS, 'Pod', name, (e) => e.reason === 'Unhealthy' && /Readiness probe failed/.test(e.message ?? ''), {
            timeoutMs: EVENT_TIMEOUT_MS,
            what: `an Unhealthy "Readiness probe failed" Event about pod/${name}`,
          })
        } catch (e) {
          if (!(e instanceof Error) || !/^timed out/.test(e.message)) throw e
          const now = await kube.read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name, namespace: NS })
          const why = now && isPodReady(now) ? ` — its readiness probe (port ${probePort(now)}) passes` : ''
          throw new NotSeen('an Unhealthy "Readiness probe failed" Event', `none within ${EVENT_TIMEOUT_MS / 1000}s; ${now ? podSummary(now) : `pod/${name} gone`}${why}`)
        }
        await look(deps, log, ['get', 'pods', '-n', NS, '-l', SELECTOR])
        await look(deps, log, ['describe', 'pod', name, '-n', NS], { pick: /Readiness:|Ready:|Unhealthy|Readiness probe failed/ })
        const now = await kube.read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name, namespace: NS })
        if (!now || isPodReady(now)) throw new NotSeen('the pod 0/1 ready', now ? podSummary(now) : `pod/${name} gone`)
        return `pod/${name} Running 0/1 ready; Event ${event.reason}: ${(event.message ?? '').trim()}`
      },
    }),
    applyLesson(deps, '06-readiness-fixed.yml'),
    observe(deps, {
      title: 'the pod with the probe on port 8080 (kubectl get pods)',
      expect: 'the pod 1/1 ready',
      looks: [['get', 'pods', '-n', NS]],
      async check(_ctx, log) {
        const pod = await newestPod(deps.kube(), NS, SELECTOR, isPodReady)
        await look(deps, log, ['get', 'pods', '-n', NS, '-l', SELECTOR])
        if (!pod) throw new NotSeen('the pod 1/1 ready', `no Ready pod matches ${SELECTOR}`)
        if (String(probePort(pod)) !== '8080') throw new NotSeen('the fixed pod (readiness on 8080) 1/1 ready', `${podSummary(pod)}, probe on ${probePort(pod)}`)
        return `pod/${pod.metadata?.name} 1/1 ready, readiness probe on port 8080`
      },
    }),
  ],
}
