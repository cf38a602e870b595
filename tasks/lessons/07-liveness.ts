/**
 * Lesson 7, liveness probe + rollout: applying hellogopher.yml with a liveness probe and image 2.0 over the
 * running 1.0 is a rolling update — the new pod is created before the old one goes. Then 2.0 answers 500
 * after 10 s, the probe fails 3 times, and the kubelet restarts it: the restart count climbs, Events show
 * `Liveness probe failed` and `Killing`. (`kubectl set image deployment/hellogopher hellogopher=…:2.0` is the
 * other way the article shows: npx tsx tasks/rollout.ts --tag 2.0.)
 */
import { APP, imageRef, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import { type Ctx, type Deps } from '../lib/run.ts'
import type { PodRecorder, PodSighting, V1Pod } from '../lib/kube.ts'
import { podSummary, TimeoutError } from '../lib/kube-state.ts'
import { logTo, type Step } from '../lib/task.ts'
import { applyLesson, clusterWithImages, labelled, onCleanup, reset } from './common.ts'
import { imageOf, look, newestPod, observe, restartsOf, watchPod } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { containerOf, fail, isAppImage, livePods, pass, podLine, readDeployment, revisions, tagOf, type Check, type PodTemplateOwner } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

const NS = LEFTOVER_NAMESPACE
const SELECTOR = `app=${APP}`
export const RESTART_TIMEOUT_MS = 120_000

/** Did a pod of the new image appear while one of the old image still ran, and did that old one go afterwards? */
export function surgeOrder(sightings: PodSighting[], oldImage: string): { ok: boolean; lines: string[]; saw: string } {
  const t0 = sightings[0]?.firstSeen ?? 0
  const at = (t: number | undefined) => (t === undefined ? '—' : `+${((t - t0) / 1000).toFixed(1)}s`)
  const old = sightings.filter((s) => s.images.includes(oldImage))
  const fresh = sightings.filter((s) => !s.images.includes(oldImage))
  const lines = sightings.map((s) => `${s.name} (${s.images.join(', ')}): seen ${at(s.firstSeen)}, going away ${at(s.goingAway)}`)
  const first = fresh[0]
  if (!first) return { ok: false, lines, saw: 'no pod of the new image appeared' }
  const overlap = old.filter((o) => o.firstSeen <= first.firstSeen && (o.goingAway === undefined || o.goingAway > first.firstSeen))
  if (!overlap.length) return { ok: false, lines, saw: `no ${oldImage} pod was still running when ${first.name} appeared (${at(first.firstSeen)})` }
  const gone = overlap.find((o) => o.goingAway !== undefined)
  if (!gone) return { ok: false, lines, saw: `the ${oldImage} pod ${overlap[0]!.name} never went away` }
  return { ok: true, lines, saw: `${first.name} created ${at(first.firstSeen)}, ${gone.name} going away ${at(gone.goingAway)}` }
}

interface Seen {
  rec?: PodRecorder
}

/** Start watching pods (what `kubectl get pods -w` would show) before the rollout begins. */
const watchRollout = (deps: Deps, seen: Seen): Step => ({
  title: 'Watch the pods while the rollout runs (kubectl get pods -w)',
  task: async (ctx, task) => {
    const log = logTo(task)
    log(`$ kubectl get pods -n ${NS} -l ${SELECTOR} -w   (watched through the API until the rollout is done)`)
    if (ctx.dryRun) return
    const rec = await deps.kube().recordPods(NS, SELECTOR)
    onCleanup(() => rec.stop())
    seen.rec = rec
  },
})

const oldImage = (ctx: Ctx) => imageRef(ctx, '1.0')

const eventTimeOf = (e: { lastTimestamp?: unknown; eventTime?: unknown; firstTimestamp?: unknown }) => new Date(String(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0)).getTime()

/** --check: 2.0 with a liveness probe, reached by a rolling update from 1.0, and the kubelet restarting it. */
export const checks: Check[] = [
  {
    observable: 'the Deployment runs image programmingpercy/hellogopher:2.0',
    hint: 'kubectl set image deployment/hellogopher hellogopher=<image:tag> (or image: in hellogopher.yml and kubectl apply -f) — look at Image: in kubectl describe deployment hellogopher',
    async check(d) {
      const c = containerOf(await readDeployment(d, NS))
      if (!c) return fail(`no deployment/${APP} in ${NS}`)
      return isAppImage(d, c.image, '2.0') ? pass(`image ${c.image}`) : fail(`image ${c.image}`)
    },
  },
  {
    observable: 'a liveness probe: httpGet on 8080, failureThreshold 3',
    hint: 'a livenessProbe (httpGet path / port 8080, failureThreshold: 3) in hellogopher.yml, then kubectl apply -f — look at Liveness: in kubectl describe deployment hellogopher',
    async check(d) {
      const c = containerOf(await readDeployment(d, NS))
      const p = c?.livenessProbe
      if (!p?.httpGet) return fail(c ? 'no httpGet liveness probe' : `no deployment/${APP}`)
      if (String(p.httpGet.port) !== '8080' || (p.failureThreshold ?? 3) !== 3) return fail(`liveness probe on port ${p.httpGet.port}, failureThreshold ${p.failureThreshold ?? 3}`)
      return pass(`liveness probe: GET ${p.httpGet.path ?? '/'} on 8080, failureThreshold ${p.failureThreshold ?? 3}`)
    },
  },
  {
    observable: 'a rolling update from 1.0: the new pod created before the old one went away',
    hint: 'change the running 1.0 Deployment in place (kubectl set image, or kubectl apply -f) — deleting and re-creating it is no rolling update; watch kubectl get pods -w while it rolls',
    async check(d) {
      const dep = await readDeployment(d, NS)
      if (!dep) return fail(`no deployment/${APP}`)
      if (dep.spec?.strategy?.type === 'Recreate') return fail('the Deployment uses strategy Recreate: old pods go first')
      const revs = await revisions(d, NS, APP)
      const old = revs.filter((rs) => isAppImage(d, containerOf(rs)?.image, '1.0'))
      const fresh = revs.filter((rs) => isAppImage(d, containerOf(rs)?.image, '2.0'))
      // re-created instead of updated, the Deployment would have no 1.0 revision left
      if (!old.length || !fresh.length) return fail(`revisions: ${revs.map((rs) => `${rs.metadata?.name} (${tagOf(containerOf(rs)?.image)})`).join(', ') || 'none'} — no 1.0 → 2.0 rollout`)
      // while they last (an hour), the Deployment's Events show the order: a 2.0 ReplicaSet up, then a 1.0 one down
      const ev = (await d.events(NS)).filter((e) => e.involvedObject?.kind === 'Deployment' && e.involvedObject?.uid === dep.metadata?.uid)
      const names = (list: PodTemplateOwner[]) => list.map((rs) => rs.metadata?.name ?? '?')
      const up = ev.filter((e) => /Scaled up replica set/.test(e.message ?? '') && names(fresh).some((n) => (e.message ?? '').includes(`${n} `))).map(eventTimeOf)
      const down = ev.filter((e) => /Scaled down replica set/.test(e.message ?? '') && names(old).some((n) => (e.message ?? '').includes(`${n} `))).map(eventTimeOf)
      const ordered = up.length > 0 && down.some((t) => t >= Math.min(...up))
      return pass(`${names(fresh).pop()} (2.0) rolled in over ${names(old).pop()} (1.0), strategy ${dep.spec?.strategy?.type ?? 'RollingUpdate'}${ordered ? ' — Events: the 2.0 ReplicaSet scaled up, then the 1.0 one down' : ''}`)
    },
  },
  {
    observable: 'the restart count climbing; Events "Liveness probe failed" and "Killing"',
    hint: 'kubectl get pods (RESTARTS) and the Events in kubectl describe pod <pod> — 2.0 answers 500 after 10 s, so a liveness probe on GET / 8080 fails 3 times and the kubelet restarts it',
    wait: { seconds: 120, what: 'the liveness probe to restart the 2.0 container (500 after 10 s, 3 failed probes)' },
    async check(d) {
      const pods = (await livePods(d, NS, SELECTOR)).filter((p) => isAppImage(d, p.spec?.containers[0]?.image, '2.0'))
      if (!pods.length) return fail('no 2.0 pod')
      const restarted = pods.find((p) => (p.status?.containerStatuses ?? []).some((c) => (c.restartCount ?? 0) >= 1))
      if (!restarted) return fail(pods.map(podLine).join('; '))
      const name = restarted.metadata?.name
      const ev = (await d.events(NS)).filter((e) => e.involvedObject?.name === name && (!e.involvedObject?.uid || e.involvedObject.uid === restarted.metadata?.uid))
      const failed = ev.find((e) => e.reason === 'Unhealthy' && /Liveness probe failed/.test(e.message ?? ''))
      if (!failed) return fail(`${podLine(restarted)}, but no "Liveness probe failed" Event about it`)
      const killing = ev.find((e) => e.reason === 'Killing')
      return pass(`${podLine(restarted)}; Events: ${failed.message?.trim()}${killing ? `; Killing: ${killing.message?.trim()}` : ''}`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl get pods -w    (in a second terminal)', does: ['Watches the pods while the rollout runs: the new pod appears BEFORE the old one is Terminating (a rolling update).', 'Leave it running during the next command; Ctrl-C stops it.'] },
    { run: 'kubectl set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:2.0', does: ['Changes the image of the pod template: a new ReplicaSet starts a 2.0 pod; the 1.0 pod goes once it is ready.', 'kubectl rollout status deployment/hellogopher waits for it.'] },
    { run: 'edit hellogopher.yml: livenessProbe: {httpGet: {path: /, port: 8080}, failureThreshold: 3}, image: …:2.0; kubectl apply -f hellogopher.yml', does: ['The same change declared in the file (the article shows both ways); the liveness probe restarts a container that stops answering.', 'Look at kubectl describe deployment hellogopher: Liveness: http-get http://:8080/ … #failure=3.'] },
    { run: 'kubectl get pods', does: ['After a while RESTARTS climbs: 2.0 answers 500 ten seconds after it starts, the probe fails 3 times, the kubelet restarts the container.', 'Later STATUS shows CrashLoopBackOff: the kubelet waits longer between restarts.'] },
    { run: 'kubectl describe pod <pod>', does: ['Events: Unhealthy "Liveness probe failed: HTTP probe failed with statuscode: 500", then Killing "failed liveness probe, will be restarted".', 'Restart Count under the container says how often it happened so far.'] },
  ],
  next: 'find out WHY it fails: kubectl logs and kubectl exec — npx tsx tasks/lesson.ts 8 --explain',
}

export const manifests: ManifestStage[] = [{ title: 'a liveness probe and image 2.0', files: { app: 'lessons/07-liveness.yml' } }]

export const lesson: Lesson = {
  number: 7,
  name: 'liveness',
  title: 'Liveness probe + rollout',
  summary: 'rolling update 1.0 → 2.0: the new pod starts before the old one goes; then "Liveness probe failed" and restarts',
  observable: 'the new pod is created before the old one goes away; then the restart count climbs and Events show Liveness probe failed / Killing',
  namespace: NS,
  checks,
  explain,
  manifests,
  steps: (deps) => {
    const seen: Seen = {}
    return [
      ...clusterWithImages(deps, ['1.0', '2.0']),
      ...reset(deps),
      labelled('Setup (lesson 6)', applyLesson(deps, '06-readiness-fixed.yml')),
      watchRollout(deps, seen),
      applyLesson(deps, '07-liveness.yml'),
      observe(deps, {
        title: 'the order of the rolling update',
        expect: 'the new pod created before the old one goes away',
        async check(ctx, log) {
          const rec = seen.rec!
          rec.stop()
          if (rec.error()) throw new Error(`the pod watch broke during the rollout: ${rec.error()}`)
          const r = surgeOrder(rec.sightings(), oldImage(ctx))
          for (const l of r.lines) log(l)
          if (!r.ok) throw new NotSeen('the new pod created before the old one goes away', r.saw)
          return `rolling update: ${r.saw}`
        },
      }),
      observe(deps, {
        title: 'the liveness probe at work (kubectl get pods, kubectl describe pod <pod>)',
        expect: 'the restart count climbing, with "Liveness probe failed" and "Killing" Events',
        looks: [['get', 'pods', '-n', NS], ['describe', 'pod', 'hellogopher-<pod>', '-n', NS]],
        async check(ctx, log) {
          const kube = deps.kube()
          const pod = await newestPod(kube, NS, SELECTOR, (p) => imageOf(p) !== oldImage(ctx))
          if (!pod) throw new NotSeen('the new pod', `no pod matching ${SELECTOR} runs another image than ${oldImage(ctx)}`)
          const name = pod.metadata!.name!
          log(`pod/${name} runs ${imageOf(pod)}; waiting for the kubelet to restart it (liveness: 3 failures, 10 s apart)`)
          let restarted: V1Pod
          try {
            restarted = await watchPod(kube, NS, name, (p) => restartsOf(p) >= 1, { timeoutMs: RESTART_TIMEOUT_MS, what: `pod/${name} to be restarted by its liveness probe` })
          } catch (e) {
            const now = await kube.read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name, namespace: NS })
            if (!(e instanceof TimeoutError)) throw e
            throw new NotSeen('the restart count climbing', `${now ? podSummary(now) : `pod/${name} gone`} after ${RESTART_TIMEOUT_MS / 1000}s (image ${imageOf(pod)})`)
          }
          const failed = await kube.waitForEvent(NS, 'Pod', name, (e) => e.reason === 'Unhealthy' && /Liveness probe failed/.test(e.message ?? ''), {
            timeoutMs: 30_000,
            what: `an Unhealthy "Liveness probe failed" Event about pod/${name}`,
          })
          await look(deps, log, ['get', 'pods', '-n', NS, '-l', SELECTOR])
          await look(deps, log, ['describe', 'pod', name, '-n', NS], { pick: /Image:|Restart Count:|Liveness:|Liveness probe failed|Killing/ })
          const killing = (await kube.eventsFor(NS, 'Pod', name)).find((e) => e.reason === 'Killing')
          return `pod/${name} (${imageOf(restarted)}) restarted ${restartsOf(restarted)}×; Events: ${failed.reason} ${(failed.message ?? '').trim()}${killing ? `; Killing ${(killing.message ?? '').trim()}` : ''}`
        },
      }),
    ]
  },
}
