/**
 * e2e helpers: run the project's task files the way a person does (a real process, real flags), and look at
 * the cluster the way a person would (kubectl built by the lab, HTTP through the NodePort, pod logs).
 */
import { spawn } from 'node:child_process'
import { ROOT } from '../../tasks/lib/tutorial.ts'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import { newestPod } from '../../tasks/lessons/observe.ts'
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node'
import { Kube, loadClientNode, podSummary, stableJson, type CoreV1Event, type KubernetesObject, type Ref, type V1Pod } from '../../tasks/lib/kube.ts'
import { BIN_DIR, DOCKER_HOST, KUBECONFIG } from '../../tasks/lab/engine/paths.ts'
import { LAB_CONTEXT } from '../../tasks/lab/engine/paths.ts'
import { labProvider } from '../../tasks/lib/providers/lab.ts'
import { KIND_DEFAULT_NAME, kindContext, kindProvider } from '../../tasks/lib/providers/kind.ts'
import { MINIKUBE_DEFAULT_PROFILE, minikubeProvider } from '../../tasks/lib/providers/minikube.ts'
import { createShell } from '../../tasks/lib/shell.ts'

// the project's Kube is used for its own named reads (listPods, read, …), which may need client-node: loaded up front
await loadClientNode()

/** Which cluster the suites look at: the lab (default), kind or minikube (E2E_PROVIDER=kind|minikube, the GitHub Actions jobs). */
export const E2E_PROVIDER: 'lab' | 'kind' | 'minikube' = process.env.E2E_PROVIDER === 'kind' ? 'kind' : process.env.E2E_PROVIDER === 'minikube' ? 'minikube' : 'lab'

/** minikube's profile (its kubectl context has that name): $MINIKUBE_PROFILE, else minikube. */
const minikubeProfile = () => process.env.MINIKUBE_PROFILE || MINIKUBE_DEFAULT_PROFILE

export interface Ran {
  code: number
  stdout: string
  stderr: string
  ms: number
}

/** The environment a learner on the lab has: the lab's kubectl first on PATH, its kubeconfig (on kind: the runner's own). */
export const labEnv = (): NodeJS.ProcessEnv =>
  E2E_PROVIDER !== 'lab' ? { ...process.env } : { ...process.env, KUBECONFIG, DOCKER_HOST, PATH: `${BIN_DIR}:${process.env.PATH}` }

export function sh(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Ran> {
  const t0 = Date.now()
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: opts.env ?? labEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? 1, stdout, stderr, ms: Date.now() - t0 })
    })
    // a child that exits without reading its stdin must not crash the suite (EPIPE on an unhandled stream error)
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input ?? '')
  })
}

/** `npx tsx tasks/<file> …` on the e2e provider (the lab, or kind with E2E_PROVIDER=kind). */
export function task(file: string, args: string[] = [], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  // on kind or minikube say so: with another context current, detection could otherwise pick another cluster
  const provider = E2E_PROVIDER !== 'lab' && !file.startsWith('lab/') && !args.includes('--provider') ? ['--provider', E2E_PROVIDER] : []
  return sh('npx', ['tsx', `tasks/${file}`, ...provider, ...args], opts)
}

export function kubectl(args: string[], opts: { input?: string } = {}): Promise<Ran> {
  return sh('kubectl', args, opts)
}

export const kube = () =>
  E2E_PROVIDER === 'kind' ? new Kube({ context: kindContext(process.env.KIND_CLUSTER_NAME || KIND_DEFAULT_NAME) })
  : E2E_PROVIDER === 'minikube' ? new Kube({ context: minikubeProfile() })
  : new Kube({ kubeconfig: KUBECONFIG, context: LAB_CONTEXT })

/** The kubectl context the suites look at (the same one kube() and kubectl use). */
export const e2eContext = (): string =>
  E2E_PROVIDER === 'kind' ? kindContext(process.env.KIND_CLUSTER_NAME || KIND_DEFAULT_NAME) : E2E_PROVIDER === 'minikube' ? minikubeProfile() : LAB_CONTEXT

/**
 * An independent client for the suites' own reads: client-node's generated APIs straight from the kubeconfig
 * (the lab's file, else kubectl's default), not through the project's cluster module — whose reads they check.
 */
export function api(): { kc: KubeConfig; core: CoreV1Api; apps: AppsV1Api; objects: KubernetesObjectApi } {
  const kc = new KubeConfig()
  if (E2E_PROVIDER === 'lab') kc.loadFromFile(KUBECONFIG)
  else kc.loadFromDefault()
  kc.setCurrentContext(e2eContext())
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), objects: KubernetesObjectApi.makeApiClient(kc) }
}

/** The provider the suites look through (image in the runtime, NodePort URL). */
export const provider = () =>
  E2E_PROVIDER === 'kind' ? kindProvider({ name: process.env.KIND_CLUSTER_NAME || KIND_DEFAULT_NAME })
  : E2E_PROVIDER === 'minikube' ? minikubeProvider({ profile: minikubeProfile() })
  : labProvider()

/**
 * GET a NodePort Service as this provider reaches it (lab: its node IP; kind: the node container's IP; minikube:
 * `minikube service --url`, whose tunnel, where it opens one, is closed again after the GET).
 */
export async function serviceGet(namespace: string, service: string, path = '/'): Promise<{ url: string; status: number; body: string }> {
  const endpoint = await provider().serviceUrl(createShell(), kube(), namespace, service)
  try {
    const res = await httpGet(`${endpoint.url.replace(/\/$/, '')}${path}`)
    return { url: endpoint.url, ...res }
  } finally {
    await endpoint.close()
  }
}

/** Print what a failure needs: the last Events and pod states of the namespace. */
export async function clusterReport(namespace = 'hellogopher'): Promise<string> {
  try {
    const k = kube()
    const pods = await k.listPods(namespace)
    const ev = await k.must('events', () => api().core.listNamespacedEvent({ namespace }))
    const last = ev.items.slice(-8).map((e) => `  ${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`)
    return [`pods in ${namespace}:`, ...pods.map((p: V1Pod) => `  ${podSummary(p)}`), 'last events:', ...last].join('\n')
  } catch (e) {
    return `(no cluster report: ${(e as Error).message})`
  }
}

/** Fail with the command's output and the cluster's state. */
export async function expectOk(r: Ran, what: string, namespace?: string): Promise<void> {
  if (r.code === 0) return
  throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-2000)}\n${await clusterReport(namespace)}`)
}

/** GET a URL with a bounded number of tries (a NodePort needs a moment after the Service appears). */
export async function httpGet(url: string, { tries = 30, delayMs = 1000 } = {}): Promise<{ status: number; body: string }> {
  let last: unknown
  for (let i = 0; i < tries; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) })
      return { status: res.status, body: await res.text() }
    } catch (e) {
      last = e
      await new Promise((r) => setTimeout(r, delayMs))
    }
  }
  throw new Error(`GET ${url} failed ${tries} times: ${(last as Error)?.message}`)
}

/** Kinds whose status the cluster keeps writing (each write bumps resourceVersion): their spec is compared instead. */
const STATUS_WRITTEN = new Set(['Deployment', 'APIService'])

/**
 * What the cluster says about each object, for comparing before and after a run that should change nothing:
 * its uid (recreated?) and resourceVersion (written?), or for kinds whose status the cluster keeps writing,
 * generation and spec. An absent object is 'absent'.
 */
export async function versionsOf(refs: Ref[]): Promise<Record<string, string>> {
  const k = kube()
  const out: Record<string, string> = {}
  for (const r of refs) {
    const o = await k.read<KubernetesObject & { spec?: unknown }>(r)
    const m = o?.metadata
    out[`${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`] = !o
      ? 'absent'
      : STATUS_WRITTEN.has(r.kind)
        ? `uid=${m?.uid} generation=${m?.generation} spec=${stableJson(o.spec)}`
        : `uid=${m?.uid} resourceVersion=${m?.resourceVersion}`
  }
  return out
}

/** The live (not terminating) pods of a namespace by name and uid: a restart or a rollout makes new ones. */
export async function podUids(namespace: string): Promise<string[]> {
  return (await kube().listPods(namespace))
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => `${p.metadata?.name} ${p.metadata?.uid}`)
    .sort()
}

/**
 * The pod a Deployment serves from now: the newest Ready pod that is not terminating. `kubectl logs deploy/X`
 * may pick an old ReplicaSet's pod still shutting down right after a rollout, so the suites name the pod.
 */
export async function servingPod(namespace: string, selector = 'app=hellogopher'): Promise<string> {
  const pod = await newestPod(kube(), namespace, selector, isPodReady)
  if (!pod?.metadata?.name) throw new Error(`no Ready pod matches ${selector} in ${namespace}`)
  return pod.metadata.name
}

/** Lines of a step list printed by the simple renderer: which steps ran and which were skipped. */
export function stepLines(out: string): { skipped: string[]; done: string[]; failed: string[] } {
  // eslint-disable-next-line no-control-regex
  const lines = out.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
  return {
    skipped: lines.filter((l) => /^\s*↓ /.test(l)),
    done: lines.filter((l) => /^\s*✔ /.test(l)),
    failed: lines.filter((l) => /^\s*✖ /.test(l)),
  }
}

/** `npx tsx tasks/lesson.ts <n>`, as a learner runs it; prints how long it took. */
export async function lesson(n: number, args: string[] = []): Promise<Ran> {
  const r = await task('lesson.ts', [String(n), ...args])
  process.stdout.write(`    lesson ${n}: ${(r.ms / 1000).toFixed(1)} s (exit ${r.code})\n`)
  return r
}

/** The last line a lesson printed on stderr: what it saw instead, when it failed. */
export const saidInstead = (r: Ran): string => r.stderr.trim().split('\n').pop() ?? ''

/** A pod as a watch reported it at one moment (what `kubectl get pods -w` prints, with the spec bits tests need). */
export interface PodMoment {
  at: number
  type: string
  name: string
  image?: string
  phase?: string
  ready: boolean
  restarts: number
  deleting: boolean
  readinessPort?: string
  waiting?: string
}

function moment(type: string, p: V1Pod): PodMoment {
  const c = p.spec?.containers[0]
  const cs = p.status?.containerStatuses?.[0]
  return {
    at: Date.now(),
    type,
    name: p.metadata?.name ?? '?',
    image: c?.image,
    phase: p.status?.phase,
    ready: !!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
    restarts: cs?.restartCount ?? 0,
    deleting: type === 'DELETED' || !!p.metadata?.deletionTimestamp,
    readinessPort: c?.readinessProbe?.httpGet?.port === undefined ? undefined : String(c.readinessProbe.httpGet.port),
    waiting: cs?.state?.waiting?.reason,
  }
}

/**
 * Watch a namespace's pods and Events while `fn` runs (a lesson process), the way a person keeps
 * `kubectl get pods -w` and `kubectl get events -w` open beside it. `onPod` sees every pod update as it comes.
 */
export async function watchWhile<T>(namespace: string, fn: () => Promise<T>, onPod?: (p: V1Pod, type: string) => void): Promise<{ result: T; pods: PodMoment[]; events: CoreV1Event[]; errors: string[] }> {
  const { Watch } = await import('@kubernetes/client-node')
  const w = new Watch(api().kc)
  const pods: PodMoment[] = []
  const events: CoreV1Event[] = []
  const errors: string[] = []
  const done = (err: unknown) => {
    if (err && !(err instanceof Error && err.name === 'AbortError')) errors.push(String((err as Error).message ?? err))
  }
  const controllers = [
    await w.watch(`/api/v1/namespaces/${namespace}/pods`, {}, (type: string, p: V1Pod) => {
      pods.push(moment(type, p))
      onPod?.(p, type)
    }, done),
    await w.watch(`/api/v1/namespaces/${namespace}/events`, {}, (type: string, e: CoreV1Event) => {
      if (type !== 'DELETED') events.push(e)
    }, done),
  ]
  try {
    return { result: await fn(), pods, events, errors }
  } finally {
    for (const c of controllers) c.abort()
  }
}
