/**
 * Lesson 8, debugging: `kubectl logs <pod>` shows the app's lines (2.0 logs `Timeout triggered` 10 s after it
 * starts — used here instead of waiting 100 s for 3.0); `kubectl set image … 3.0` (100 s before it times out)
 * and `kubectl exec <pod> -- /bin/sh -c …` runs a command inside the pod; a container over its memory limit
 * is killed: OOMKilled, exit code 137.
 */
import { APP, imageRef, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { V1Pod } from '../lib/kube.ts'
import { isPodReady, podSummary, TimeoutError } from '../lib/kube-state.ts'
import { rollout } from '../steps/rollout.ts'
import { applyLesson, baseInRuntime, clusterWithImages, labelled, reset, withCtx } from './common.ts'
import { CONTAINER, imageOf, lastExit, look, newestPod, observe, watchPod } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { containerOf, fail, failNow, isAppImage, livePods, logsOf, pass, podLine, readDeployment, type Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

const NS = LEFTOVER_NAMESPACE
const SELECTOR = `app=${APP}`
export const OOM_POD = 'oom-demo'
const LOG_TIMEOUT_MS = 60_000
const OOM_TIMEOUT_MS = 60_000

/** What the exec runs: the learner would type it in the shell `kubectl exec -it <pod> -- /bin/sh` opens. */
export const EXEC_SCRIPT = 'echo "hello from inside $(hostname)"'

function execLook(deps: Deps) {
  return observe(deps, {
    title: 'a command run inside the pod (kubectl exec <pod> -- /bin/sh -c …)',
    expect: 'the command runs inside the pod (it prints the pod name as its hostname)',
    looks: [['exec', 'hellogopher-<pod>', '-n', NS, '--', '/bin/sh', '-c', EXEC_SCRIPT]],
    async check(ctx, log) {
      const image = imageRef(ctx, '3.0')
      const pod = await newestPod(deps.kube(), NS, SELECTOR, (p) => isPodReady(p) && imageOf(p) === image)
      if (!pod) throw new NotSeen(`a Ready ${image} pod to exec into`, 'none')
      const name = pod.metadata!.name!
      log('(the article opens a shell with kubectl exec -it <pod> -- /bin/sh; a script runs one command in it)')
      const r = await look(deps, log, ['exec', name, '-n', NS, '--', '/bin/sh', '-c', EXEC_SCRIPT])
      const want = `hello from inside ${name}`
      if (r.stdout.trim() !== want) throw new NotSeen(`"${want}"`, `"${r.stdout.trim()}"`)
      return `kubectl exec ran /bin/sh inside pod/${name}: "${want}"`
    },
  })
}

/** --check: the app's log read, the Deployment on 3.0 (time to exec), and a container killed for its memory. */
export const checks: Check[] = [
  {
    observable: "kubectl logs shows the app's lines",
    hint: "kubectl logs <pod> (add --previous after a restart) — look for the app's own lines: starting, listening, Timeout triggered",
    async check(d) {
      const pod = (await livePods(d, NS, SELECTOR))[0]
      if (!pod) return fail(`no pod with ${SELECTOR} in ${NS}`)
      const lines = (await logsOf(d, pod)).split('\n').filter((l) => /hellogopher .*(starting|listening)|Timeout triggered/.test(l))
      const timeout = lines.find((l) => /Timeout triggered/.test(l))
      return lines.length ? pass(`pod/${pod.metadata?.name}: ${(timeout ?? lines[lines.length - 1]!).replace(/^\S+ \S+ /, '')}`) : fail(`pod/${pod.metadata?.name} logged none of the app's lines`)
    },
  },
  {
    observable: 'the Deployment moved to image 3.0 (100 s before it times out: time to exec into it) or 4.0',
    hint: 'kubectl set image deployment/hellogopher hellogopher=<image:tag> with the tag that gives you time for kubectl exec -it <pod> -- /bin/sh',
    async check(d) {
      const c = containerOf(await readDeployment(d, NS))
      if (!c) return fail(`no deployment/${APP} in ${NS}`)
      return isAppImage(d, c.image, '3.0') || isAppImage(d, c.image, '4.0') ? pass(`image ${c.image}`) : fail(`image ${c.image}`)
    },
  },
  {
    observable: 'a pod to exec into: the 3.0/4.0 pod Running',
    hint: 'kubectl get pods; kubectl exec -it <pod> -- /bin/sh needs a Running container (the exec itself leaves no trace to check)',
    wait: { seconds: 60, what: 'the 3.0 pod to run' },
    async check(d) {
      const pods = await livePods(d, NS, SELECTOR)
      const running = pods.find((p) => p.status?.phase === 'Running' && (isAppImage(d, p.spec?.containers[0]?.image, '3.0') || isAppImage(d, p.spec?.containers[0]?.image, '4.0')))
      return running ? pass(podLine(running)) : fail(pods.length ? pods.map(podLine).join('; ') : `no pod with ${SELECTOR}`)
    },
  },
  {
    observable: `a container over its memory limit killed: OOMKilled, exit code 137`,
    hint: `kubectl apply -f manifests/lessons/08-oom.yml (a pod that needs more memory than its limit) — then Last State / Reason / Exit Code in kubectl describe pod ${OOM_POD}`,
    wait: { seconds: 60, what: 'a container to be OOMKilled' },
    async check(d) {
      const pods = await d.pods(NS)
      for (const p of pods) {
        for (const c of p.status?.containerStatuses ?? []) {
          const t = c.state?.terminated ?? c.lastState?.terminated
          if (t?.reason === 'OOMKilled' && t.exitCode === 137) return pass(`pod/${p.metadata?.name}: OOMKilled, exit code 137 (memory limit ${p.spec?.containers.find((x) => x.name === c.name)?.resources?.limits?.memory ?? '?'})`)
        }
      }
      const demo = pods.find((p) => p.metadata?.name === OOM_POD)
      return demo ? fail(podLine(demo)) : failNow(`no pod/${OOM_POD}, no OOMKilled container in ${NS}`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl logs <pod>', does: ["The container's output: \"hellogopher 2.0 starting\", then \"Timeout triggered\" 10 s later — why the probe fails.", "After a restart, kubectl logs --previous shows the killed container's lines."] },
    { run: 'kubectl set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:3.0', does: ['3.0 times out after 100 s instead of 10 s: long enough to get a shell inside (4.0 never times out).', 'Look at kubectl get pods: a new pod, Running — you have 100 s for the next command.'] },
    { run: 'kubectl exec -it <pod> -- /bin/sh', does: ['A shell inside the running container: try hostname (the pod name) or wget -qO- localhost:8080.', 'exit leaves it; the container keeps running.'] },
    { run: 'kubectl apply -f manifests/lessons/08-oom.yml', does: ['A pod that keeps 50 MiB in memory under a 20 MiB limit.', 'Look at kubectl get pod oom-demo: STATUS OOMKilled within seconds.'] },
    { run: 'kubectl describe pod oom-demo', does: ['State Terminated, Reason OOMKilled, Exit Code 137 (128 + SIGKILL): the kernel killed it for its memory.', 'Limits: memory 20Mi shows the limit it went over.'] },
  ],
  next: 'see what the pods use — npx tsx tasks/lesson.ts 9 --explain',
}

export const manifests: ManifestStage[] = [
  { title: 'a pod over its memory limit (image 3.0 comes from kubectl set image, not from the YAML)', files: { oom: 'lessons/08-oom.yml' } },
]

export const lesson: Lesson = {
  number: 8,
  name: 'debugging',
  title: 'Debugging: logs, exec, OOMKilled',
  summary: 'kubectl logs shows "Timeout triggered"; kubectl exec runs a shell command in the pod; over its memory limit → OOMKilled (137)',
  observable: 'logs show the app\'s lines (Timeout triggered); a shell command run inside the pod works; a container over its memory limit ends OOMKilled, exit code 137',
  namespace: NS,
  checks,
  explain,
  manifests,
  steps: (deps) => [
    ...clusterWithImages(deps, ['2.0', '3.0']),
    labelled('Setup', baseInRuntime(deps)),
    ...reset(deps),
    labelled('Setup (lesson 7)', applyLesson(deps, '07-liveness.yml')),
    observe(deps, {
      title: "the app's log (kubectl logs <pod>)",
      expect: 'the log line "Timeout triggered" (image 2.0, 10 s after it starts)',
      looks: [['logs', 'hellogopher-<pod>', '-n', NS]],
      async check(ctx, log) {
        const kube = deps.kube()
        const pod = await newestPod(kube, NS, SELECTOR, (p) => imageOf(p) === imageRef(ctx, '2.0') && p.status?.phase === 'Running')
        if (!pod) throw new NotSeen('a running 2.0 pod', `none matches ${SELECTOR}`)
        const name = pod.metadata!.name!
        const line = await kube.waitForLog(NS, name, CONTAINER, /Timeout triggered/, { timeoutMs: LOG_TIMEOUT_MS, what: `"Timeout triggered" in the log of pod/${name}` })
        await look(deps, log, ['logs', name, '-n', NS], { pick: /starting|listening|Timeout triggered/ })
        return `kubectl logs ${name}: ${line.trim()}`
      },
    }),
    withCtx(rollout(deps), { tag: '3.0' }),
    execLook(deps),
    applyLesson(deps, '08-oom.yml'),
    observe(deps, {
      title: `a container over its memory limit (kubectl get pod ${OOM_POD}, kubectl describe pod ${OOM_POD})`,
      expect: `pod/${OOM_POD} killed: reason OOMKilled, exit code 137`,
      looks: [['get', 'pod', OOM_POD, '-n', NS], ['describe', 'pod', OOM_POD, '-n', NS]],
      async check(_ctx, log) {
        const kube = deps.kube()
        let pod: V1Pod
        try {
          pod = await watchPod(kube, NS, OOM_POD, (p) => lastExit(p, OOM_POD) !== undefined, { timeoutMs: OOM_TIMEOUT_MS, what: `pod/${OOM_POD}'s container to be killed` })
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e
          const now = await kube.read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: OOM_POD, namespace: NS })
          const limit = now?.spec?.containers[0]?.resources?.limits?.memory
          throw new NotSeen('OOMKilled, exit code 137', `${now ? podSummary(now) : `no pod/${OOM_POD}`} after ${OOM_TIMEOUT_MS / 1000}s (memory limit ${limit ?? 'none'})`)
        }
        await look(deps, log, ['get', 'pod', OOM_POD, '-n', NS])
        await look(deps, log, ['describe', 'pod', OOM_POD, '-n', NS], { pick: /State:|Reason:|Exit Code:|Limits:|Requests:|memory:/ })
        const exit = lastExit(pod, OOM_POD)!
        if (exit.reason !== 'OOMKilled' || exit.exitCode !== 137) throw new NotSeen('OOMKilled, exit code 137', `${exit.reason ?? 'no reason'}, exit code ${exit.exitCode}`)
        return `pod/${OOM_POD}: ${exit.reason}, exit code ${exit.exitCode} (memory limit ${pod.spec?.containers[0]?.resources?.limits?.memory})`
      },
    }),
  ],
}
