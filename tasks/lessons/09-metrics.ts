/**
 * Lesson 9, dashboard and metrics: `minikube addons enable dashboard` / `metrics-server`, `minikube addons list`,
 * `minikube dashboard`; then `kubectl top pods` answers. The dashboard is a minikube addon: on other clusters
 * this lesson says so and shows the metrics only.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { APP, LEFTOVER_NAMESPACE, METRICS_API } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import { isPodReady } from '../lib/kube-state.ts'
import { MINIKUBE_DEFAULT_PROFILE, profileArgs } from '../lib/providers/minikube.ts'
import { minikubeArgs } from '../lib/minikube-cli.ts'
import { formatCommand } from '../lib/shell.ts'
import { logTo, type Step } from '../lib/task.ts'
import { applyLesson, clusterWithImages, labelled, reset } from './common.ts'
import { look, lookWith, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import type { KubernetesObject } from '../lib/kube.ts'
import { fail, failNow, livePods, pass, readDeployment, type Check } from './check.ts'
import type { Explanation } from './explain.ts'

const NS = LEFTOVER_NAMESPACE
const SELECTOR = `app=${APP}`
export const METRICS_TIMEOUT_MS = 150_000

type ApiService = KubernetesObject & { status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> } }

/** The minikube commands of the lesson; other clusters have no addons. */
const addons = (deps: Deps): Step => ({
  title: 'Enable the dashboard and metrics-server addons (minikube addons enable …)',
  enabled: deps.provider.name === 'minikube',
  task: async (_ctx, task) => {
    const log = logTo(task)
    // the provider's profile (--profile, $MINIKUBE_PROFILE): its kubectl context has the same name
    const p = profileArgs(deps.provider.target().context ?? MINIKUBE_DEFAULT_PROFILE)
    await deps.sh.run('minikube', minikubeArgs.addonsEnable('metrics-server', p), { log })
    await deps.sh.run('minikube', minikubeArgs.addonsEnable('dashboard', p), { log })
    await lookWith(deps, log, 'minikube', minikubeArgs.addonsList(p), { pick: /ADDON NAME|dashboard|metrics-server/ })
    // both keep running until Ctrl-C (a proxy to the dashboard), so the lesson only says them
    log(`to open the dashboard, type: ${formatCommand('minikube', minikubeArgs.dashboard(p))} — it opens a browser and keeps running until Ctrl-C`)
    log(`or: ${formatCommand('minikube', minikubeArgs.dashboard(p, true))} — prints the dashboard's address instead (it also keeps running)`)
  },
})

const noDashboard = (deps: Deps): Step => ({
  title: 'The dashboard (minikube addons enable dashboard; minikube dashboard)',
  enabled: deps.provider.name !== 'minikube',
  skip: () =>
    `the dashboard is a minikube addon; the ${deps.provider.name} cluster has none — kubectl get, describe, logs and top show the same things`,
  task: (_ctx, task) => {
    task.output = `the dashboard is a minikube addon; the ${deps.provider.name} cluster has none — kubectl get, describe, logs and top show the same things`
  },
})

type Available = KubernetesObject & { status?: { conditions?: Array<{ type?: string; status?: string; message?: string }> } }

/** --check: the metrics API is served and has numbers for the app's pod (what kubectl top pods reads). */
export const checks: Check[] = [
  {
    observable: 'the dashboard addon enabled (minikube only)',
    hint: 'minikube addons enable dashboard — look at minikube addons list',
    async check(d) {
      if (d.provider !== 'minikube') return pass(`the dashboard is a minikube addon; the ${d.provider} cluster has none`)
      const ns = await d.read({ apiVersion: 'v1', kind: 'Namespace', name: 'kubernetes-dashboard' })
      return ns ? pass('namespace kubernetes-dashboard exists') : fail('no namespace kubernetes-dashboard')
    },
  },
  {
    observable: 'the metrics API served (metrics-server)',
    hint: 'minikube addons enable metrics-server (the lab: npx tsx tasks/lab/up.ts installs it) — look at kubectl get apiservice v1beta1.metrics.k8s.io',
    wait: { seconds: 60, what: 'the metrics API to be Available' },
    async check(d) {
      const svc = await d.read<Available>({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: METRICS_API })
      if (!svc) return failNow(`no APIService ${METRICS_API}: metrics-server is not installed`)
      const c = svc.status?.conditions?.find((x) => x.type === 'Available')
      return c?.status === 'True' ? pass(`APIService ${METRICS_API} Available`) : fail(`APIService ${METRICS_API} Available=${c?.status ?? '?'}${c?.message ? `: ${c.message}` : ''}`)
    },
  },
  {
    observable: 'kubectl top pods lists the hellogopher pod',
    hint: 'kubectl top pods — a pod needs to run a minute before metrics-server has its numbers; kubectl get pods',
    wait: { seconds: 150, what: "metrics-server's first sample of the pod (it scrapes every 15 s or so)" },
    async check(d) {
      const pod = (await livePods(d, NS, SELECTOR)).find((p) => p.status?.phase === 'Running')
      if (!pod) {
        // no Deployment, or one scaled to 0: no pod will come by waiting, so kubectl top has nothing of the app to show
        const dep = await readDeployment(d, NS)
        const why = !dep ? `no deployment/${APP} in ${NS}` : dep.spec?.replicas === 0 ? `deployment/${APP} is scaled to 0 replicas` : undefined
        if (why) return failNow(`${why}: no pod of the app for kubectl top pods to list`, `kubectl top pods lists pods that run — kubectl get deployment ${APP}: lesson 8 left it running in ${NS} (kubectl scale deployment ${APP} --replicas=1, or kubectl apply -f hellogopher.yml again)`)
        return fail(`no Running pod with ${SELECTOR} in ${NS}`)
      }
      const list = await d.podMetrics(NS)
      const m = list?.items.find((x) => x.metadata.name === pod.metadata?.name)
      if (!m) return fail(list ? `metrics for ${list.items.length} pods, not for ${pod.metadata?.name}` : 'the metrics API answers 404')
      const c = m.containers[0]
      return pass(`pod/${pod.metadata?.name}: cpu ${c?.usage.cpu ?? '?'}, memory ${c?.usage.memory ?? '?'}`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'minikube addons enable dashboard', does: ["Installs Kubernetes' web dashboard into the cluster (a minikube addon; other clusters install it by hand).", 'Look at kubectl get pods -n kubernetes-dashboard: its pods start.'] },
    { run: 'minikube addons enable metrics-server', does: ['metrics-server collects CPU and memory use from every kubelet and serves it as the metrics API.', 'Look at kubectl get apiservice v1beta1.metrics.k8s.io: AVAILABLE True after a minute.'] },
    { run: 'minikube addons list', does: ['Which addons are enabled: look for dashboard and metrics-server.', 'Both should say enabled.'] },
    { run: 'minikube dashboard', does: ['Opens the dashboard in a browser and keeps running (Ctrl-C stops it): the same pods, Deployments and Events kubectl shows.', 'Look at Workloads → Pods: the hellogopher pod, its CPU and memory graphs.'] },
    { run: 'kubectl top pods', does: ['CPU (millicores) and memory per pod, from the metrics API.', 'Right after install it says metrics are not available yet: wait a minute.'] },
  ],
  next: 'give the tutorial its own namespace and a database — npx tsx tasks/lesson.ts 10 --explain',
}

export const lesson: Lesson = {
  number: 9,
  name: 'metrics',
  title: 'Dashboard and metrics',
  summary: 'kubectl top pods answers (metrics-server); the dashboard addon on minikube only — elsewhere the lesson says so',
  observable: 'the addons are enabled (minikube); kubectl top pods answers where metrics-server runs',
  namespace: NS,
  checks,
  explain,
  steps: (deps) => [
    ...clusterWithImages(deps, ['1.0']),
    ...reset(deps),
    labelled('Setup (lesson 3)', applyLesson(deps, '03-hellogopher.yml')),
    addons(deps),
    noDashboard(deps),
    observe(deps, {
      title: 'how much CPU and memory the pod uses (kubectl top pods)',
      expect: `kubectl top pods lists the ${APP} pod`,
      looks: [['top', 'pods', '-n', NS]],
      async check(_ctx, log) {
        const kube = deps.kube()
        const svc = await kube.read<ApiService>({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: METRICS_API })
        if (!svc) {
          await look(deps, log, ['top', 'pods', '-n', NS], { allowFail: true })
          throw new NotSeen('kubectl top pods answering', `no metrics API on this cluster (APIService ${METRICS_API} is absent): metrics-server is not installed${deps.provider.name === 'minikube' ? ' — minikube addons enable metrics-server' : deps.provider.name === 'lab' ? ' — tasks/lab/up.ts installs it' : ''}`)
        }
        const pod = await newestPod(kube, NS, SELECTOR, isPodReady)
        if (!pod) throw new NotSeen(`a Running ${APP} pod`, `none matches ${SELECTOR}`)
        const name = pod.metadata!.name!
        log(`waiting for metrics-server to have a sample of pod/${name} (it scrapes the kubelet every 15 s or so)`)
        // the metrics API has no watch: ask every 3 s until the deadline
        const deadline = Date.now() + METRICS_TIMEOUT_MS
        let last = 'no answer yet'
        for (;;) {
          try {
            const list = await kube.podMetrics(NS)
            if (!list) last = `the metrics API answers 404 (APIService ${METRICS_API} without a backend)`
            else if (list.items.some((m) => m.metadata.name === name)) break
            else last = `metrics for ${list.items.length} pods, not yet for ${name}`
          } catch (e) {
            last = (e as Error).message
          }
          if (Date.now() + 3000 > deadline) {
            const cond = svc.status?.conditions?.find((c) => c.type === 'Available')
            throw new NotSeen(`kubectl top pods listing pod/${name}`, `${last} after ${METRICS_TIMEOUT_MS / 1000}s (APIService ${METRICS_API} Available=${cond?.status ?? '?'}${cond?.message ? `: ${cond.message}` : ''})`)
          }
          await delay(3000)
        }
        const r = await look(deps, log, ['top', 'pods', '-n', NS])
        const row = r.stdout.split('\n').find((l) => l.startsWith(name))
        if (!row) throw new NotSeen(`kubectl top pods listing pod/${name}`, r.stdout.trim() || r.stderr.trim())
        return `kubectl top pods: ${row.trim().replace(/\s+/g, ' ')}`
      },
    }),
  ],
}
