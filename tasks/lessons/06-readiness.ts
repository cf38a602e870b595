/**
 * Lesson 6, readiness probe: a probe on the wrong port keeps the pod Running but 0/1 ready, and
 * `kubectl describe pod` shows the Event `Unhealthy … Readiness probe failed`. Fixing the port makes it 1/1.
 */
import { APP, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import type { V1Pod } from '../lib/kube.ts'
import { isPodReady, podSummary, TimeoutError } from '../lib/kube-state.ts'
import { applyLesson, clusterWithImages, reset } from './common.ts'
import { look, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { containerOf, fail, livePods, pass, podIsReady, podLine, readDeployment, revisions, type Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

const NS = LEFTOVER_NAMESPACE
const SELECTOR = `app=${APP}`
const TIMEOUT_MS = 60_000
/** The first probe runs ~10 s after start (periodSeconds); a failing one is reported at once. */
const EVENT_TIMEOUT_MS = 45_000

const probePort = (p: V1Pod) => p.spec?.containers[0]?.readinessProbe?.httpGet?.port

const readinessPort = (c: { readinessProbe?: { httpGet?: { port?: unknown } } } | undefined) => c?.readinessProbe?.httpGet?.port

/** --check: the probe on 8080 now, 1/1 — and the wrong port tried first (an old revision, an Unhealthy Event). */
export const checks: Check[] = [
  {
    observable: 'a readiness probe in the Deployment: httpGet on port 8080',
    hint: "readinessProbe.httpGet.port in hellogopher.yml must be the port the app serves; after kubectl apply -f, look at Readiness: in kubectl describe deployment hellogopher",
    async check(d) {
      const c = containerOf(await readDeployment(d, NS))
      if (!c) return fail(`no deployment/${APP} in ${NS}`)
      const port = readinessPort(c)
      if (port === undefined) return fail('no httpGet readiness probe')
      return String(port) === '8080' ? pass(`readiness probe: GET ${c.readinessProbe?.httpGet?.path ?? '/'} on port 8080`) : fail(`the readiness probe asks port ${port}`)
    },
  },
  {
    observable: 'first, the probe on a wrong port: the pod Running but 0/1, an Unhealthy "Readiness probe failed" Event',
    hint: 'the lesson starts with the probe on a port the app does not serve (e.g. 8081): apply that first, then look at kubectl get pods (0/1) and at the Events in kubectl describe pod <pod>',
    async check(d) {
      // the Deployment keeps its old revisions (ReplicaSets scaled to 0): the wrong port stays visible after the fix
      const wrong = (await revisions(d, NS, APP)).filter((rs) => {
        const p = readinessPort(containerOf(rs))
        return p !== undefined && String(p) !== '8080'
      })
      if (!wrong.length) return fail('no revision of the Deployment probed another port than 8080')
      const rs = wrong[0]!
      const events = (await d.events(NS)).filter((e) => e.reason === 'Unhealthy' && /Readiness probe failed/.test(e.message ?? '') && (e.involvedObject?.name ?? '').startsWith(`${rs.metadata?.name}-`))
      return pass(`replicaset/${rs.metadata?.name} probed port ${readinessPort(containerOf(rs))}${events.length ? `; Event: ${events[events.length - 1]!.message?.trim()}` : ''}`)
    },
  },
  {
    observable: 'with the port fixed, the pod 1/1 ready',
    hint: 'kubectl get pods: READY becomes 1/1 once the probe asks 8080; kubectl describe pod <pod> says why not',
    wait: { seconds: 60, what: 'the pod probed on 8080 to be ready' },
    async check(d) {
      const pods = await livePods(d, NS, SELECTOR)
      const ok = pods.find((p) => podIsReady(p) && String(readinessPort(p.spec?.containers.find((c) => c.name === APP))) === '8080')
      return ok ? pass(`${podLine(ok)}, probed on 8080`) : fail(pods.length ? pods.map(podLine).join('; ') : `no pod with ${SELECTOR}`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'edit hellogopher.yml: readinessProbe: httpGet: {path: /, port: 8081}; kubectl apply -f hellogopher.yml', does: ['A readiness probe on a port the app does not serve (it listens on 8080) — the mistake the lesson makes on purpose.', 'apply changes the Deployment in place: a new ReplicaSet, a new pod.'] },
    { run: 'kubectl get pods', does: ['The new pod is Running but READY 0/1: the probe never passes, so no Service sends it traffic.', 'The old pod keeps serving meanwhile: the rollout waits for the new one.'] },
    { run: 'kubectl describe pod <pod>', does: ['Events at the bottom: Unhealthy … Readiness probe failed … connection refused.', 'Readiness: shows the probe as the kubelet runs it (port, delay, period).'] },
    { run: 'fix the port to 8080; kubectl apply -f hellogopher.yml', does: ['The next pod passes its probe: READY 1/1, and the old pods go.', 'Look at kubectl get pods: the new pod 1/1, the 0/1 one Terminating and then gone.'] },
  ],
  next: 'restart a container that stopped answering: the liveness probe — npx tsx tasks/lesson.ts 7 --explain',
}

export const manifests: ManifestStage[] = [
  { title: 'a readiness probe on the wrong port (8081)', files: { app: 'lessons/06-readiness-wrong-port.yml' } },
  { title: 'the probe on the port the app serves (8080)', files: { app: 'lessons/06-readiness-fixed.yml' } },
]

export const lesson: Lesson = {
  number: 6,
  name: 'readiness',
  title: 'Readiness probe',
  summary: 'a readiness probe on the wrong port: pod Running but 0/1, Event "Readiness probe failed"; fixed port → 1/1',
  observable: 'pod Running but 0/1 ready with an Unhealthy "Readiness probe failed" Event; with the port fixed to 8080, 1/1',
  namespace: NS,
  checks,
  explain,
  manifests,
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
          if (!(e instanceof TimeoutError)) throw e
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
