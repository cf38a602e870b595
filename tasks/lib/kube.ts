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
  Metrics,
  Watch,
  type KubernetesObject,
  type PodMetricsList,
  type V1Deployment,
  type CoreV1Event,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node'
import { kubeconfigFiles, mergedKubeconfigYaml, resolveKubeconfig } from './kubeconfig.ts'
import { KubeError, TimeoutError, eventTime, podSummary, rolloutStatus, stableJson, stripVolatile, type KubeTarget } from './kube-state.ts'

export * from './kube-state.ts'

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

/**
 * A client-node KubeConfig built from the ONE resolution (tasks/lib/kubeconfig.ts): kubectl's merge of the files,
 * pinned to the resolved context — client-node never merges $KUBECONFIG itself (its merge differs from kubectl's).
 */
export function loadKubeConfig(target: KubeTarget = {}): KubeConfig {
  let resolved
  try {
    resolved = resolveKubeconfig(target)
  } catch (e) {
    throw new KubeError((e as Error).message)
  }
  if (!resolved.files.length) throw new KubeError(`no kubeconfig: ${kubeconfigFiles(target).join(', ')} does not exist`, undefined, 'start a cluster first (npx tsx tasks/start-cluster.ts)')
  if (target.context && !resolved.known) {
    throw new KubeError(`context '${target.context}' is not in the kubeconfig (known: ${resolved.merged.contexts.map((c) => c.name).join(', ') || 'none'})`)
  }
  const kc = new KubeConfig()
  try {
    kc.loadFromString(mergedKubeconfigYaml(resolved))
  } catch (e) {
    throw new KubeError(`cannot use kubeconfig ${resolved.files.join(':')}: ${(e as Error).message}`)
  }
  if (resolved.context) kc.setCurrentContext(resolved.context)
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
    return new KubeError(`${what}: HTTP ${e.code}${reason ? ` ${reason}` : ''}`, e.code, hint)
  }
  const err = e as Error & { code?: string; cause?: { code?: string } }
  const code = err.code ?? err.cause?.code ?? ''
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN/.test(code + err.message)) {
    return new KubeError(`${what}: cannot reach ${server} (${code || err.message})`, undefined, 'is the cluster running? start it (npx tsx tasks/start-cluster.ts) or pick another context')
  }
  return new KubeError(`${what}: ${err.message}`)
}

/**
 * A failure a wait rides out, as kubectl's watches do: the API server not answering for a while (restarted,
 * overloaded) — a refused or reset connection, a timeout, a 429 or a 5xx. Anything else (401, 403, 404, a bad
 * query) ends the wait at once.
 */
export function isTransient(e: unknown): boolean {
  if (e instanceof ApiException) return e.code === 429 || e.code >= 500
  const err = e as Error & { code?: string; cause?: { code?: string } }
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EPIPE|socket hang up|other side closed/.test(`${err?.code ?? ''} ${err?.cause?.code ?? ''} ${err?.message ?? ''}`)
}

/** How long a wait pauses before it opens its watch again after a transient failure. */
const REWATCH_MS = 1000

/** One pod as a watch saw it: when it first showed up and when it began to go away (ms since the epoch). */
export interface PodSighting {
  name: string
  images: string[]
  firstSeen: number
  goingAway?: number
}

export interface PodRecorder {
  /** Every pod seen so far, in the order they appeared. */
  sightings(): PodSighting[]
  /** Set when the watch broke: the sightings may be incomplete. */
  error(): string | undefined
  stop(): void
}

export class Kube {
  readonly kc: KubeConfig
  readonly core: CoreV1Api
  readonly apps: AppsV1Api
  readonly objects: KubernetesObjectApi
  /** Where the kubeconfig came from (undefined when a KubeConfig was given): re-read for the context namespace. */
  private readonly target?: KubeTarget

  constructor(target: KubeTarget | KubeConfig = {}) {
    this.kc = target instanceof KubeConfig ? target : loadKubeConfig(target)
    if (!(target instanceof KubeConfig)) this.target = target
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

  /**
   * The namespace the current context points at (what `kubectl` uses without -n). Read from the file each time,
   * as kubectl does: `kubectl config set-context --namespace` may have changed it since this client was made.
   */
  get contextNamespace(): string {
    if (this.target) return resolveKubeconfig({ ...this.target, context: this.contextName }).namespace
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
          : reject(new KubeError(`the cluster at ${server} answered /version with HTTP ${res.statusCode}`, res.statusCode, `check the credentials of context '${this.contextName}'`)),
        )
      })
      req.on('timeout', () => req.destroy(new Error(`ETIMEDOUT after ${timeoutMs} ms`)))
      req.on('error', (e) => reject(e instanceof KubeError ? e : describeError(Object.assign(e, { code: (e as NodeJS.ErrnoException).code ?? 'ETIMEDOUT' }), `context '${this.contextName}'`, server)))
      req.end()
    })
    try {
      return (JSON.parse(body) as { gitVersion?: string }).gitVersion ?? 'unknown'
    } catch {
      throw new KubeError(`${server} answered /version with something that is not Kubernetes`, undefined, 'is this the right context?')
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
    // the last transient failure while the server did not answer; cleared by the next event
    let outage: KubeError | undefined
    let controller: AbortController | undefined
    let timer: NodeJS.Timeout | undefined
    let retry: NodeJS.Timeout | undefined
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
          const down = outage ? `; the API server was not answering: ${outage.message}` : ''
          // what it saw last, and the outage when there was one: both are what the wait "last saw"
          finish(() => reject(new TimeoutError(Math.round(opts.timeoutMs / 1000), opts.what, `${seen}${down}`)))
        }, opts.timeoutMs)
        // a transient failure (the API server restarting) is ridden out until the deadline, and said as progress
        const failed = (e: unknown) => {
          if (settled) return
          if (!isTransient(e)) return finish(() => reject(describeError(e, `watch ${opts.what}`, this.server)))
          if (!outage) opts.onProgress?.(`the API server is not answering (${(e as Error).message}); watching again every ${REWATCH_MS / 1000}s until the deadline`)
          outage = describeError(e, `watch ${opts.what}`, this.server)
          retry = setTimeout(start, REWATCH_MS)
        }
        const start = () =>
          watch
            .watch(
              path,
              { ...query, allowWatchBookmarks: false },
              (phase, obj: T) => {
                if (settled) return
                last = obj
                outage = undefined
                try {
                  const r = check(obj, phase)
                  if (r !== undefined) finish(() => resolve(r))
                } catch (e) {
                  finish(() => reject(e))
                }
              },
              (err) => {
                if (settled) return
                // the server closes watches periodically: re-open; an abort is ours
                if (!err || (err instanceof Error && err.name === 'AbortError')) start()
                else failed(err)
              },
            )
            .then((c) => {
              controller = c
              if (settled) c.abort()
            })
            .catch(failed)
        start()
      })
    } finally {
      if (timer) clearTimeout(timer)
      if (retry) clearTimeout(retry)
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
    const fieldSelector = `metadata.name=${ref.name}`
    // a list gives the version to watch from: a deletion between the look and the watch is still seen
    const list = await this.must(`list ${ref.kind.toLowerCase()}/${ref.name}`, () =>
      this.objects.list(ref.apiVersion, ref.kind, ref.namespace, undefined, undefined, undefined, fieldSelector),
    )
    if (!list.items.length) return
    const plural = `${ref.kind.toLowerCase()}s`
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`
    const path = `${base}${ref.namespace ? `/namespaces/${ref.namespace}` : ''}/${plural}`
    await this.watchUntil<KubernetesObject, true>(
      path,
      { fieldSelector, resourceVersion: list.metadata?.resourceVersion },
      (_o, phase) => (phase === 'DELETED' ? true : undefined),
      { ...opts, what: `${ref.kind.toLowerCase()}/${ref.name} to be deleted` },
    )
  }

  /** Wait until an Event about the object matches (e.g. Unhealthy "Readiness probe failed"), like `kubectl describe` shows. */
  waitForEvent(namespace: string, kind: string, name: string, match: (e: CoreV1Event) => boolean, opts: WaitOptions & { what: string }): Promise<CoreV1Event> {
    return this.watchUntil<CoreV1Event, CoreV1Event>(
      `/api/v1/namespaces/${namespace}/events`,
      { fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` },
      (e, phase) => (phase !== 'DELETED' && match(e) ? e : undefined),
      { ...opts, describe: (e) => (e ? `last event ${e.reason ?? ''}: ${(e.message ?? '').trim()}` : `no event about ${kind.toLowerCase()}/${name}`) },
    )
  }

  /**
   * Follow a container's log (`kubectl logs -f`) until a line matches; returns that line. Fails at the deadline,
   * or when the log ends first (the container stopped), saying which line came last.
   */
  async waitForLog(namespace: string, pod: string, container: string, pattern: RegExp, opts: WaitOptions & { what: string }): Promise<string> {
    const server = this.kc.getCurrentCluster()?.server
    if (!server) throw new KubeError(`context '${this.contextName}' has no cluster server in the kubeconfig`)
    const url = new URL(`/api/v1/namespaces/${namespace}/pods/${pod}/log`, server)
    url.searchParams.set('container', container)
    url.searchParams.set('follow', 'true')
    const reqOpts: https.RequestOptions = { method: 'GET' }
    await this.kc.applyToHTTPSOptions(reqOpts)
    const mod = url.protocol === 'http:' ? http : https
    let last = 'no log line yet'
    let req: http.ClientRequest | undefined
    let timer: NodeJS.Timeout | undefined
    try {
      return await new Promise<string>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new TimeoutError(Math.round(opts.timeoutMs / 1000), opts.what, last, 'last log line')),
          opts.timeoutMs,
        )
        req = mod.request(url, reqOpts, (res) => {
          let body = ''
          let partial = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => {
            if (res.statusCode !== 200) {
              body += d
              return
            }
            const lines = (partial + d).split('\n')
            partial = lines.pop() ?? ''
            for (const line of lines) {
              if (!line.trim()) continue
              last = line
              opts.onProgress?.(line)
              if (pattern.test(line)) resolve(line)
            }
          })
          // destroying the request once a line matched aborts the response too: nothing to report then
          res.on('error', (e) => reject(describeError(e, `follow the log of pod/${pod}`, server)))
          res.on('end', () => {
            if (res.statusCode !== 200) {
              let reason = body.trim()
              try {
                reason = (JSON.parse(body) as { message?: string }).message ?? reason
              } catch {
                // not JSON: keep the raw text
              }
              reject(new KubeError(`read the log of pod/${pod} in ${namespace}: HTTP ${res.statusCode} ${reason}`, res.statusCode))
            } else if (partial && pattern.test(partial)) resolve(partial)
            else reject(new KubeError(`the log of pod/${pod} ended (its container stopped) before ${opts.what}; last log line: ${partial || last}`))
          })
        })
        req.on('error', (e) => reject(describeError(e, `follow the log of pod/${pod}`, server)))
        req.end()
      })
    } finally {
      if (timer) clearTimeout(timer)
      req?.destroy()
    }
  }

  /**
   * Watch pods (what `kubectl get pods -w` shows) and note when each was first seen and when it began to go
   * (deletionTimestamp set, or deleted), until stop(). For showing the order of a rolling update.
   */
  async recordPods(namespace: string, labelSelector: string): Promise<PodRecorder> {
    const seen = new Map<string, PodSighting>()
    const watch = new Watch(this.kc)
    let stopped = false
    let error: string | undefined
    let controller: AbortController | undefined
    const onEvent = (phase: string, p: V1Pod) => {
      const name = p.metadata?.name ?? '?'
      const now = Date.now()
      let s = seen.get(name)
      if (!s) seen.set(name, (s = { name, images: (p.spec?.containers ?? []).map((c) => c.image ?? ''), firstSeen: now }))
      if (s.goingAway === undefined && (phase === 'DELETED' || p.metadata?.deletionTimestamp)) s.goingAway = now
    }
    const start = (): Promise<void> =>
      watch
        .watch(`/api/v1/namespaces/${namespace}/pods`, { labelSelector, allowWatchBookmarks: false }, onEvent, (err) => {
          if (stopped) return
          // the server closes watches now and then: re-open (pods already seen keep their first sighting)
          if (err && !(err instanceof Error && err.name === 'AbortError')) error = describeError(err, `watch pods in ${namespace}`, this.server).message
          else void start().catch((e) => (error = describeError(e, `watch pods in ${namespace}`, this.server).message))
        })
        .then((c) => {
          controller = c
          if (stopped) c.abort()
        })
    await start().catch((e) => {
      throw describeError(e, `watch pods in ${namespace}`, this.server)
    })
    return {
      sightings: () => [...seen.values()].sort((a, b) => a.firstSeen - b.firstSeen),
      error: () => error,
      stop: () => {
        stopped = true
        controller?.abort()
      },
    }
  }

  /** What `kubectl top pods` reads; undefined when the cluster has no metrics API (metrics-server not installed). */
  podMetrics(namespace: string): Promise<PodMetricsList | undefined> {
    return this.orAbsent(`read pod metrics in ${namespace}`, () => new Metrics(this.kc).getPodMetrics(namespace))
  }
}

export type { V1Deployment, V1Pod, CoreV1Event, V1Node, KubernetesObject, PodMetricsList }
