/**
 * Every read of cluster state goes through here (@kubernetes/client-node, one process, no kubectl).
 * Absent is not broken: a 404 is `undefined`; anything else throws a KubeError saying what to do.
 * Waits use watches with a deadline and report what they saw last.
 */
import * as https from 'node:https'
import * as http from 'node:http'
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type KubernetesObject,
  type V1Deployment,
  type CoreV1Event,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node'
import { redact } from './redact.ts'

export class KubeError extends Error {
  override name = 'KubeError'
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(redact(message))
  }
}

export interface KubeTarget {
  /** kubeconfig file; default: $KUBECONFIG or ~/.kube/config */
  kubeconfig?: string
  /** context name; default: the file's current-context */
  context?: string
}

export interface WaitOptions {
  timeoutMs: number
  onProgress?: (line: string) => void
}

/** What a namespaced object reference looks like for reads. */
export interface Ref {
  apiVersion: string
  kind: string
  name: string
  namespace?: string
}

export function loadKubeConfig(target: KubeTarget = {}): KubeConfig {
  const kc = new KubeConfig()
  try {
    if (target.kubeconfig) kc.loadFromFile(target.kubeconfig)
    else kc.loadFromDefault()
  } catch (e) {
    throw new KubeError(`cannot read kubeconfig ${target.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}: ${(e as Error).message}`)
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw new KubeError(`context '${target.context}' is not in the kubeconfig (known: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`)
    }
    kc.setCurrentContext(target.context)
  }
  return kc
}

function describeError(e: unknown, what: string, server: string): KubeError {
  if (e instanceof ApiException) {
    let reason = ''
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body
      reason = body?.message ?? ''
    } catch {
      reason = String(e.body).slice(0, 200)
    }
    const hint =
      e.code === 401 ? 'check the credentials in your kubeconfig'
      : e.code === 403 ? 'your user lacks permission for this; use a context with more rights'
      : ''
    return new KubeError(`${what}: HTTP ${e.code}${reason ? ` ${reason}` : ''}${hint ? ` — ${hint}` : ''}`, e.code)
  }
  const err = e as Error & { code?: string; cause?: { code?: string } }
  const code = err.code ?? err.cause?.code ?? ''
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN/.test(code + err.message)) {
    return new KubeError(`${what}: cannot reach the cluster at ${server} (${code || err.message}) — start it (npx tsx tasks/start-cluster.ts) or pick another context`)
  }
  return new KubeError(`${what}: ${err.message}`)
}

export class Kube {
  readonly kc: KubeConfig
  readonly core: CoreV1Api
  readonly apps: AppsV1Api
  readonly objects: KubernetesObjectApi

  constructor(target: KubeTarget | KubeConfig = {}) {
    this.kc = target instanceof KubeConfig ? target : loadKubeConfig(target)
    this.core = this.kc.makeApiClient(CoreV1Api)
    this.apps = this.kc.makeApiClient(AppsV1Api)
    this.objects = KubernetesObjectApi.makeApiClient(this.kc)
  }

  get contextName(): string {
    return this.kc.getCurrentContext()
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(no cluster in kubeconfig)'
  }

  /** The namespace the current context points at (what `kubectl` uses without -n). */
  get contextNamespace(): string {
    return this.kc.getContextObject(this.contextName)?.namespace ?? 'default'
  }

  /** Wrap an API call: 404 → undefined, other failures → KubeError naming the call. */
  async orAbsent<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call()
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined
      throw describeError(e, what, this.server)
    }
  }

  async must<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (e) {
      throw describeError(e, what, this.server)
    }
  }

  /**
   * Does the API server answer /version within timeoutMs? Fails fast on an unreachable or wrong cluster,
   * before any step starts. Returns the server's gitVersion.
   */
  async ping(timeoutMs = 4000): Promise<string> {
    const server = this.kc.getCurrentCluster()?.server
    if (!server) throw new KubeError(`context '${this.contextName}' has no cluster server in the kubeconfig`)
    const url = new URL('/version', server)
    const opts: https.RequestOptions = { method: 'GET', timeout: timeoutMs }
    await this.kc.applyToHTTPSOptions(opts)
    const mod = url.protocol === 'http:' ? http : https
    const body = await new Promise<string>((resolve, reject) => {
      const req = mod.request(url, opts, (res) => {
        let data = ''
        res.on('data', (d) => (data += d))
        res.on('end', () =>
          res.statusCode === 200 ? resolve(data)
          : reject(new KubeError(`the cluster at ${server} answered /version with HTTP ${res.statusCode} — check the credentials of context '${this.contextName}'`, res.statusCode)),
        )
      })
      req.on('timeout', () => req.destroy(new Error(`ETIMEDOUT after ${timeoutMs} ms`)))
      req.on('error', (e) => reject(e instanceof KubeError ? e : describeError(Object.assign(e, { code: (e as NodeJS.ErrnoException).code ?? 'ETIMEDOUT' }), `context '${this.contextName}'`, server)))
      req.end()
    })
    try {
      return (JSON.parse(body) as { gitVersion?: string }).gitVersion ?? 'unknown'
    } catch {
      throw new KubeError(`${server} answered /version with something that is not Kubernetes — is this the right context?`)
    }
  }

  /** Read any object by apiVersion/kind/name(/namespace); undefined when it does not exist. */
  read<T extends KubernetesObject = KubernetesObject>(ref: Ref): Promise<T | undefined> {
    const what = `read ${ref.kind.toLowerCase()}/${ref.name}${ref.namespace ? ` in ${ref.namespace}` : ''}`
    return this.orAbsent(what, () =>
      this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }) as Promise<T>,
    )
  }

  getDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    return this.orAbsent(`read deployment/${name} in ${namespace}`, () => this.apps.readNamespacedDeployment({ namespace, name }))
  }

  async listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]> {
    const r = await this.must(`list pods in ${namespace}`, () => this.core.listNamespacedPod({ namespace, labelSelector }))
    return r.items
  }

  async listNodes(): Promise<V1Node[]> {
    return (await this.must('list nodes', () => this.core.listNode())).items
  }

  /** Events about one object, oldest first. */
  async eventsFor(namespace: string, kind: string, name: string): Promise<CoreV1Event[]> {
    const fieldSelector = `involvedObject.kind=${kind},involvedObject.name=${name}`
    const r = await this.must(`list events for ${kind}/${name}`, () => this.core.listNamespacedEvent({ namespace, fieldSelector }))
    return r.items.sort((a, b) => eventTime(a) - eventTime(b))
  }

  /**
   * What a server-side apply of `obj` would produce (dryRun=All, field manager `kubectl`, like
   * `kubectl apply --server-side`). Undefined when the object does not exist yet.
   */
  async applyWouldChange(obj: KubernetesObject): Promise<boolean> {
    const ref: Ref = { apiVersion: obj.apiVersion!, kind: obj.kind!, name: obj.metadata!.name!, namespace: obj.metadata?.namespace }
    const live = await this.read(ref)
    if (!live) return true
    const dry = await this.must(`dry-run apply of ${ref.kind.toLowerCase()}/${ref.name}`, () =>
      this.objects.patch(obj, undefined, 'All', 'kubectl', false, PatchStrategy.ServerSideApply),
    )
    return stableJson(stripVolatile(dry)) !== stableJson(stripVolatile(live))
  }

  /**
   * Watch a collection until `check` returns a value (done) or the deadline passes. `check` sees every
   * object event; `describe` says what was seen last when the deadline passes.
   */
  async watchUntil<T, R>(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    check: (obj: T, phase: string) => R | undefined,
    opts: WaitOptions & { what: string; describe?: (last: T | undefined) => string },
  ): Promise<R> {
    const watch = new Watch(this.kc)
    let last: T | undefined
    let controller: AbortController | undefined
    let timer: NodeJS.Timeout | undefined
    try {
      return await new Promise<R>((resolve, reject) => {
        let settled = false
        const finish = (fn: () => void) => {
          if (settled) return
          settled = true
          fn()
        }
        timer = setTimeout(() => {
          const seen = opts.describe ? opts.describe(last) : last ? 'last state did not match' : 'nothing seen'
          finish(() => reject(new KubeError(`timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${opts.what}; last seen: ${seen}`)))
        }, opts.timeoutMs)
        const start = () =>
          watch
            .watch(
              path,
              { ...query, allowWatchBookmarks: false },
              (phase, obj: T) => {
                if (settled) return
                last = obj
                try {
                  const r = check(obj, phase)
                  if (r !== undefined) finish(() => resolve(r))
                } catch (e) {
                  finish(() => reject(e))
                }
              },
              (err) => {
                if (settled) return
                // the server closes watches periodically; re-open unless it was an error
                if (err && !(err instanceof Error && err.name === 'AbortError')) finish(() => reject(describeError(err, `watch ${opts.what}`, this.server)))
                else start()
              },
            )
            .then((c) => {
              controller = c
              if (settled) c.abort()
            })
            .catch((e) => finish(() => reject(describeError(e, `watch ${opts.what}`, this.server))))
        start()
      })
    } finally {
      if (timer) clearTimeout(timer)
      controller?.abort()
    }
  }

  /** Wait until deployment/name has rolled out its current spec (like `kubectl rollout status`). */
  waitForRollout(namespace: string, name: string, opts: WaitOptions): Promise<V1Deployment> {
    return this.watchUntil<V1Deployment, V1Deployment>(
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      { fieldSelector: `metadata.name=${name}` },
      (d) => {
        const s = rolloutStatus(d)
        opts.onProgress?.(s.message)
        return s.done ? d : undefined
      },
      { ...opts, what: `deployment/${name} to roll out`, describe: (d) => (d ? rolloutStatus(d).message : 'deployment not seen') },
    )
  }

  /** Wait until some pod matching the selector satisfies `ready` (e.g. Running and Ready). */
  waitForPod(namespace: string, labelSelector: string, ready: (p: V1Pod) => boolean, opts: WaitOptions & { what: string }): Promise<V1Pod> {
    return this.watchUntil<V1Pod, V1Pod>(
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector },
      (p, phase) => {
        if (phase === 'DELETED') return undefined
        opts.onProgress?.(podSummary(p))
        return ready(p) ? p : undefined
      },
      { ...opts, describe: (p) => (p ? podSummary(p) : `no pod matching ${labelSelector}`) },
    )
  }

  /** Wait until the object is gone (after a delete). */
  async waitForDeletion(ref: Ref, opts: WaitOptions): Promise<void> {
    if (!(await this.read(ref))) return
    const plural = `${ref.kind.toLowerCase()}s`
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`
    const path = `${base}${ref.namespace ? `/namespaces/${ref.namespace}` : ''}/${plural}`
    await this.watchUntil<KubernetesObject, true>(
      path,
      { fieldSelector: `metadata.name=${ref.name}` },
      (_o, phase) => (phase === 'DELETED' ? true : undefined),
      { ...opts, what: `${ref.kind.toLowerCase()}/${ref.name} to be deleted` },
    )
  }
}

export function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp
  return t ? new Date(t as unknown as string).getTime() : 0
}

/** Rollout progress of a Deployment, the way `kubectl rollout status` judges it. */
export function rolloutStatus(d: V1Deployment): { done: boolean; message: string } {
  const want = d.spec?.replicas ?? 1
  const st = d.status ?? {}
  const name = d.metadata?.name ?? 'deployment'
  if ((d.metadata?.generation ?? 0) > (st.observedGeneration ?? 0)) return { done: false, message: `waiting for ${name} spec update to be observed` }
  const failed = st.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')
  if (failed) return { done: false, message: `${name} exceeded its progress deadline: ${failed.message ?? ''}` }
  const updated = st.updatedReplicas ?? 0
  const total = st.replicas ?? 0
  const available = st.availableReplicas ?? 0
  if (updated < want) return { done: false, message: `${updated} of ${want} new replicas updated` }
  if (total > updated) return { done: false, message: `${total - updated} old replicas pending termination` }
  if (available < updated) return { done: false, message: `${available} of ${updated} updated replicas available` }
  return { done: true, message: `${name} rolled out (${available}/${want} available)` }
}

/** One line about a pod: phase, readiness, restarts, and the reason a container is waiting or died. */
export function podSummary(p: V1Pod): string {
  const cs = p.status?.containerStatuses ?? []
  const ready = cs.filter((c) => c.ready).length
  const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0)
  const reasons = cs
    .map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason ?? c.lastState?.terminated?.reason)
    .filter(Boolean)
  return `pod/${p.metadata?.name} ${p.status?.phase ?? 'Unknown'} ${ready}/${cs.length || p.spec?.containers.length || 0} ready, ${restarts} restarts${reasons.length ? `, ${reasons.join(', ')}` : ''}`
}

export function isPodReady(p: V1Pod): boolean {
  return p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
}

function stripVolatile(o: KubernetesObject): unknown {
  const { metadata, ...rest } = o as KubernetesObject & { status?: unknown }
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...meta } = metadata ?? {}
  const { status: _s, ...body } = rest as { status?: unknown }
  return { ...body, metadata: meta }
}

export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : val,
  )
}

export type { V1Deployment, V1Pod, CoreV1Event, V1Node, KubernetesObject }
