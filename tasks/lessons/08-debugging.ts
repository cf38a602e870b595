/**
 * Lesson 8, debugging: `kubectl logs <pod>` shows the app's lines (2.0 logs `Timeout triggered` 10 s after it
 * starts — used here instead of waiting 100 s for 3.0); `kubectl set image … 3.0` (100 s before it times out)
 * and `kubectl exec <pod> -- /bin/sh -c …` runs a command inside the pod; a container over its memory limit
 * is killed: OOMKilled, exit code 137.
 */
import { APP, imageRef, type Deps } from '../lib/context.ts'
import type { V1Pod } from '../lib/kube.ts'
import { isPodReady, podSummary } from '../lib/kube-state.ts'
import { rollout } from '../rollout.ts'
import { LEFTOVER_NAMESPACE } from '../teardown.ts'
import { applyLesson, baseInRuntime, clusterWithImages, labelled, reset, withCtx } from './common.ts'
import { CONTAINER, imageOf, lastExit, look, newestPod, observe, watchPod } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

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

export const lesson: Lesson = {
  number: 8,
  name: 'debugging',
  title: 'Debugging: logs, exec, OOMKilled',
  summary: 'kubectl logs shows "Timeout triggered"; kubectl exec runs a shell command in the pod; over its memory limit → OOMKilled (137)',
  observable: 'logs show the app\'s lines (Timeout triggered); a shell command run inside the pod works; a container over its memory limit ends OOMKilled, exit code 137',
  namespace: NS,
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
          if (!(e instanceof Error) || !/timed out/.test(e.message)) throw e
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
