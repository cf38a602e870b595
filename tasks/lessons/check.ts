/**
 * `lesson N --check`: the learner did the lesson by hand; each of the lesson's observables is read from the
 * cluster (API reads, a log read, an HTTP GET through a NodePort, `docker image inspect`-style image reads) —
 * nothing is created, changed or deleted. A check is a declaration ({observable, hint, check}) over a small
 * read-only interface, so it is tested with fakes; the runner prints ✔/✘ and, for each ✘, the hint.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Deps } from '../lib/run.ts'
import { clusterImage } from '../lib/run.ts'
import type { CoreV1Event, KubernetesObject, PodMetricsList, Ref, V1Pod } from '../lib/kube.ts'
import { isPodReady, podSummary } from '../lib/kube-state.ts'
import { redact } from '../lib/redact.ts'
import { sourceLabel } from '../steps/build-images.ts'

/** The reads a check may make. Nothing here changes the cluster. */
export interface CheckDeps {
  /** The provider's name (minikube, kind, lab, remote): a hint may differ by it. */
  provider: string
  /** The API server's version, or a KubeError saying why it does not answer. */
  ping(): Promise<string>
  read<T extends KubernetesObject = KubernetesObject>(ref: Ref): Promise<T | undefined>
  /** Objects of a kind in a namespace (ReplicaSets, ConfigMaps, …), optionally by label selector. */
  list<T extends KubernetesObject = KubernetesObject>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]>
  pods(namespace: string, labelSelector?: string): Promise<V1Pod[]>
  /** Every Event of a namespace (what `kubectl get events` shows). */
  events(namespace: string): Promise<CoreV1Event[]>
  /** A container's log (`kubectl logs`, `--previous`); undefined when there is none. */
  log(namespace: string, pod: string, container: string, previous?: boolean): Promise<string | undefined>
  /** The namespace the kubeconfig's current context points at. */
  contextNamespace(): string
  podMetrics(namespace: string): Promise<PodMetricsList | undefined>
  /** Is the image where the cluster's runtime finds it (read-only: `docker image inspect`, `crictl`, …)? */
  imageInRuntime(image: string): Promise<boolean>
  /** Is the image in the docker this provider builds with (`docker image inspect`; the lab's dockerd read in-process)? */
  imageBuilt(image: string): Promise<boolean>
  which(bin: string): Promise<string | undefined>
  /** Programs the provider needs (lesson 0). */
  requiredTools(): readonly string[]
  /** The ref the cluster runs for a tutorial image (a provider may swap in a registry ref). */
  clusterImage(image: string): string
  serviceUrl(namespace: string, service: string): Promise<string>
  httpGet(url: string): Promise<{ status: number; body: string }>
}

export interface CheckResult {
  ok: boolean
  /** What was read, one line (shown after ✔ or ✘). */
  seen: string
  /** A hint for this failure more precise than the check's own (e.g. ErrImageNeverPull → the image step). */
  hint?: string
  /** Waiting cannot change it (nothing installed, an image missing): a waiting check stops at once. */
  final?: boolean
}

export interface Check {
  /** What a learner must see, as TUTORIAL.md states it. */
  observable: string
  /** For a ✘: the step to look at and what to look for — not the answer. */
  hint: string
  /** Something that takes time (a probe failing, restarts climbing): re-read until it passes or the deadline. */
  wait?: { seconds: number; what: string }
  /** Every later check needs this one (the cluster answering): after its ✘ they are not checked. */
  gate?: boolean
  check(d: CheckDeps): Promise<CheckResult>
}

export interface CheckLine {
  observable: string
  status: 'pass' | 'fail' | 'not-checked'
  seen: string
  hint?: string
}

export interface RunChecksOptions {
  /** Where lines go as they come (✔/✘, "waiting up to …"). */
  out: (line: string) => void
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  /** Time between two reads of a waiting check. */
  pollMs?: number
}

/**
 * Run every check in order. A check that waits is re-read until it passes or its deadline; after a ✘, a later
 * waiting check is read once and not waited for (what it waits for comes after the missing step).
 */
export async function runChecks(checks: readonly Check[], d: CheckDeps, o: RunChecksOptions): Promise<CheckLine[]> {
  const sleep = o.sleep ?? ((ms: number) => delay(ms))
  const now = o.now ?? Date.now
  const poll = o.pollMs ?? 2000
  const lines: CheckLine[] = []
  let gateFailed = false
  const skip = (c: Check, seen: string) => {
    lines.push({ observable: c.observable, status: 'not-checked', seen })
    o.out(redact(`–  ${c.observable} — ${seen}`))
  }
  for (const c of checks) {
    if (gateFailed) {
      skip(c, 'not checked: the cluster does not answer')
      continue
    }
    let r = await safely(c, d)
    if (!r.ok && c.wait && lines.some((l) => l.status !== 'pass')) {
      // what it waits for comes after the step a ✘ above names: read once, not waited for
      skip(c, `not waited for: fix the ✘ above first (now: ${r.seen})`)
      continue
    }
    if (!r.ok && c.wait && !r.final) {
      o.out(redact(`…  waiting up to ${c.wait.seconds}s for ${c.wait.what}`))
      const deadline = now() + c.wait.seconds * 1000
      while (!r.ok && !r.final && now() + poll <= deadline) {
        await sleep(poll)
        r = await safely(c, d)
      }
      if (!r.ok && !r.final) r = { ...r, seen: `${r.seen} (after waiting ${c.wait.seconds}s)` }
    }
    const line: CheckLine = r.ok ? { observable: c.observable, status: 'pass', seen: r.seen } : { observable: c.observable, status: 'fail', seen: r.seen, hint: r.hint ?? c.hint }
    lines.push(line)
    o.out(redact(r.ok ? `✔  ${c.observable} — ${r.seen}` : `✘  ${c.observable} — saw: ${r.seen}`))
    if (!r.ok) o.out(redact(`   hint: ${line.hint}`))
    if (!r.ok && c.gate) gateFailed = true
  }
  return lines
}

/** A check that throws (the cluster unreachable, a denied read) is a ✘ saying why, not a crash of the whole run. */
async function safely(c: Check, d: CheckDeps): Promise<CheckResult> {
  try {
    return await c.check(d)
  } catch (e) {
    return { ok: false, seen: `could not read it: ${(e as Error).message.split('\n')[0]}` }
  }
}

/** The last line of a check run. */
export function summary(lines: readonly CheckLine[]): string {
  const passed = lines.filter((l) => l.status === 'pass').length
  const n = lines.length
  return passed === n ? (n === 1 ? 'the 1 check passed' : `all ${n} checks passed`) : `${passed} of ${n} checks passed`
}

/** The read-only CheckDeps of a real run, over the task's own client, shell and provider. */
export function liveCheckDeps(deps: Deps): CheckDeps {
  const kube = () => deps.kube()
  return {
    provider: deps.provider.name,
    ping: () => kube().ping(),
    read: (ref) => kube().read(ref),
    list: async (apiVersion, kind, namespace, labelSelector) => (await kube().listObjects(apiVersion, kind, namespace, labelSelector)) as never[],
    pods: (namespace, labelSelector) => kube().listPods(namespace, labelSelector),
    events: (namespace) => kube().listEvents(namespace),
    log: (namespace, name, container, previous) => kube().podLog(namespace, name, { container, previous }),
    contextNamespace: () => kube().contextNamespace,
    podMetrics: (namespace) => kube().podMetrics(namespace),
    imageInRuntime: (image) => deps.provider.imageInRuntime(deps.sh, image),
    imageBuilt: async (image) => (await sourceLabel(deps.sh, image, {}, deps.provider.inspectImage)) !== undefined,
    which: (bin) => deps.sh.which(bin),
    requiredTools: () => deps.provider.requiredTools,
    clusterImage: (image) => clusterImage(deps, image),
    // a minikube tunnel, where one opens, stays until the check process exits (the provider closes it then)
    serviceUrl: async (namespace, service) => (await deps.provider.serviceUrl(deps.sh, kube(), namespace, service)).url,
    async httpGet(url) {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) })
      return { status: res.status, body: await res.text() }
    },
  }
}

/** Checked first for every lesson that has a cluster: without an answer nothing else can be read. */
export const clusterAnswers: Check = {
  observable: 'the cluster answers',
  hint: 'start it (lesson 1: minikube start; the lab: npx tsx tasks/lab/up.ts) and look at kubectl get nodes — or pick the right context with --context',
  gate: true,
  async check(d) {
    return pass(`Kubernetes ${await d.ping()}`)
  },
}

// ── small read helpers the lessons' checks share ─────────────────────────────────────────────────────────────

export const pass = (seen: string): CheckResult => ({ ok: true, seen })
export const fail = (seen: string, hint?: string): CheckResult => ({ ok: false, seen, ...(hint ? { hint } : {}) })
/** A ✘ that waiting cannot turn (see CheckResult.final). */
export const failNow = (seen: string, hint?: string): CheckResult => ({ ...fail(seen, hint), final: true })

export type Container = NonNullable<V1Pod['spec']>['containers'][number]
export type PodTemplateOwner = KubernetesObject & {
  spec?: { replicas?: number; strategy?: { type?: string }; template?: { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: Container[] } } }
  status?: { replicas?: number }
}

/** The app's container in a Deployment or ReplicaSet (by name, else the first). */
export function containerOf(o: PodTemplateOwner | undefined, name = 'hellogopher'): Container | undefined {
  const cs = o?.spec?.template?.spec?.containers ?? []
  return cs.find((c) => c.name === name) ?? cs[0]
}

export const readDeployment = (d: CheckDeps, namespace: string, name = 'hellogopher') =>
  d.read<PodTemplateOwner>({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace })

/** Running, Ready and not going away; and the one-line pod summary (kube-state's, the lessons' own). */
export const podIsReady = isPodReady
export const podLine = podSummary

const createdAt = (o: KubernetesObject) => new Date((o.metadata?.creationTimestamp as unknown as string) ?? 0).getTime()

/** Pods that are not going away, newest first. */
export async function livePods(d: CheckDeps, namespace: string, selector: string): Promise<V1Pod[]> {
  return (await d.pods(namespace, selector)).filter((p) => !p.metadata?.deletionTimestamp).sort((a, b) => createdAt(b) - createdAt(a))
}

/** The ReplicaSets a Deployment made (its revisions, old ones scaled to 0), oldest first. */
export async function revisions(d: CheckDeps, namespace: string, deployment = 'hellogopher'): Promise<PodTemplateOwner[]> {
  const all = await d.list<PodTemplateOwner>('apps/v1', 'ReplicaSet', namespace)
  const owned = all.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deployment))
  const rev = (rs: PodTemplateOwner) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0)
  return owned.sort((a, b) => rev(a) - rev(b) || createdAt(a) - createdAt(b))
}

export { createdAt }

/** The image tag a ref names (`…/hellogopher:2.0` → `2.0`). */
export const tagOf = (image: string | undefined): string | undefined => (image && /:([^:/]+)$/.exec(image)?.[1]) || undefined

/** Is `image` the tutorial's `programmingpercy/hellogopher:<tag>` (or what the provider runs instead of it)? */
export function isAppImage(d: CheckDeps, image: string | undefined, tag: string): boolean {
  const want = `programmingpercy/hellogopher:${tag}`
  return image === want || image === d.clusterImage(want) || image === `docker.io/${want}`
}

/** A pod's log and, when its container restarted, the previous one's too. */
export async function logsOf(d: CheckDeps, p: V1Pod, container = 'hellogopher'): Promise<string> {
  const ns = p.metadata?.namespace ?? 'default'
  const name = p.metadata?.name ?? ''
  const now = (await d.log(ns, name, container)) ?? ''
  const restarted = (p.status?.containerStatuses ?? []).some((c) => (c.restartCount ?? 0) > 0)
  const before = restarted ? ((await d.log(ns, name, container, true).catch(() => undefined)) ?? '') : ''
  return `${before}\n${now}`
}

type ServiceLike = KubernetesObject & { spec?: { type?: string; selector?: Record<string, string>; ports?: Array<{ port?: number; targetPort?: number | string; nodePort?: number }> } }

export const readService = (d: CheckDeps, namespace: string, name: string) => d.read<ServiceLike>({ apiVersion: 'v1', kind: 'Service', name, namespace })

/** A NodePort Service in 30000–32767 in front of the app (`kubectl expose … --type=NodePort --port=8080`). */
export function nodePortService(namespace: string, hint: string): Check {
  return {
    observable: `service/hellogopher of type NodePort (8080, a NodePort in 30000–32767) in ${namespace}`,
    hint,
    async check(d) {
      const svc = await readService(d, namespace, 'hellogopher')
      if (!svc) return fail(`no service/hellogopher in ${namespace}`)
      const port = svc.spec?.ports?.find((p) => p.nodePort) ?? svc.spec?.ports?.[0]
      if (svc.spec?.type !== 'NodePort' || !port?.nodePort) return fail(`service/hellogopher is of type ${svc.spec?.type ?? '?'}`)
      if (port.nodePort < 30000 || port.nodePort > 32767) return fail(`nodePort ${port.nodePort}`)
      if (port.port !== 8080) return fail(`service/hellogopher listens on ${port.port}, not 8080`)
      return pass(`service/hellogopher NodePort 8080:${port.nodePort}`)
    },
  }
}

/** GET through the app's NodePort answers `Hello gopher` (a read: the app's own GET /). */
export function answersThroughNodePort(namespace: string, hint: string): Check {
  return {
    observable: 'GET through the NodePort answers "Hello gopher"',
    hint,
    wait: { seconds: 30, what: 'the app to answer through its NodePort' },
    async check(d) {
      if (!(await readService(d, namespace, 'hellogopher'))) return fail(`no service/hellogopher in ${namespace} to go through`)
      const url = await d.serviceUrl(namespace, 'hellogopher')
      let r: { status: number; body: string }
      try {
        r = await d.httpGet(url)
      } catch (e) {
        return fail(`GET ${url} failed: ${(e as Error).message}`)
      }
      return r.status === 200 && r.body.includes('Hello gopher') ? pass(`GET ${url} → ${r.status} ${r.body.trim()}`) : fail(`GET ${url} → ${r.status} ${r.body.trim().slice(0, 80)}`)
    },
  }
}

/** The newest Ready app pod's log (and the one before a restart) says it reached the database. */
export function connectedCheck(namespace: string, hint: string, also?: { pattern: RegExp; what: string }): Check {
  return {
    observable: `the app logs "connected to database"${also ? ` and ${also.what}` : ''}`,
    hint,
    wait: { seconds: 60, what: 'a Ready hellogopher pod that logged "connected to database"' },
    async check(d) {
      const pod = (await livePods(d, namespace, 'app=hellogopher')).find(podIsReady)
      if (!pod) {
        const any = (await livePods(d, namespace, 'app=hellogopher'))[0]
        return fail(any ? podLine(any) : `no hellogopher pod in ${namespace}`)
      }
      const text = await logsOf(d, pod)
      const lines = text.split('\n').filter((l) => l.trim())
      const connected = lines.find((l) => /connected to database/.test(l))
      if (!connected) return fail(`pod/${pod.metadata?.name}'s log: ${lines.pop() ?? '(empty)'}`)
      if (also && !lines.some((l) => also.pattern.test(l))) return fail(`pod/${pod.metadata?.name} connected but did not log ${also.what}`)
      return pass(`pod/${pod.metadata?.name}: ${connected.replace(/^\S+ \S+ /, '')}`)
    },
  }
}
