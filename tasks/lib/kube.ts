/**
 * The cluster's one door: the client and every read of cluster state (@kubernetes/client-node, one process, no kubectl).
 * Absent is not broken: a 404 is `undefined`; anything else throws a KubeError saying what to do. Waits are in kube-watch.ts.
 */
import * as https from 'node:https'
import * as http from 'node:http'
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Metrics,
  type KubernetesObject,
  type PodMetricsList,
  type V1ConfigMap,
  type V1Deployment,
  type CoreV1Event,
  type V1Namespace,
  type V1Node,
  type V1Pod,
  type V1ReplicaSet,
  type V1Service,
} from '@kubernetes/client-node'
import { kubeconfigFiles, mergedKubeconfigYaml, resolveKubeconfig } from './kubeconfig.ts'
import { describeError, isNotFound } from './kube-errors.ts'
import { KubeError, eventTime, pickNodePort, stableJson, stripVolatile, type KubeTarget } from './kube-state.ts'
import * as watches from './kube-watch.ts'
import type { PodRecorder, WaitOptions } from './kube-watch.ts'

export * from './kube-state.ts'
export { isTransient } from './kube-errors.ts'
export type { PodRecorder, PodSighting, WaitOptions } from './kube-watch.ts'

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

/** The generated client-node APIs Kube calls; only this module touches them (tests pass fakes of the calls they script). */
export interface KubeApis {
  core: CoreV1Api
  apps: AppsV1Api
}

/** A list's items and the resourceVersion to watch it from (what a reflector starts with). */
export interface Listing<T> {
  items: T[]
  resourceVersion?: string
}

const listing = <T>(r: { items: T[]; metadata?: { resourceVersion?: string } }): Listing<T> => ({ items: r.items, resourceVersion: r.metadata?.resourceVersion })

export interface PodLogOptions {
  container?: string
  /** The instance before the last restart (`kubectl logs --previous`). */
  previous?: boolean
  /** Only the last N lines (`--tail N`). */
  tailLines?: number
  /** How an error names the read; default `read the log of pod/<name>`. */
  what?: string
}

export class Kube {
  readonly kc: KubeConfig
  /**
   * The generated APIs. Under tasks/ only the cluster module (tasks/lib/kube*.ts) calls them — everything else uses
   * the named methods below (test/unit/layout.test.ts checks it); e2e suites read through them to check independently.
   */
  readonly core: CoreV1Api
  readonly apps: AppsV1Api
  readonly objects: KubernetesObjectApi
  /** Where the kubeconfig came from (undefined when a KubeConfig was given): re-read for the context namespace. */
  private readonly target?: KubeTarget

  constructor(target: KubeTarget | KubeConfig = {}, apis: Partial<KubeApis> = {}) {
    this.kc = target instanceof KubeConfig ? target : loadKubeConfig(target)
    if (!(target instanceof KubeConfig)) this.target = target
    this.core = apis.core ?? this.kc.makeApiClient(CoreV1Api)
    this.apps = apis.apps ?? this.kc.makeApiClient(AppsV1Api)
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
      if (isNotFound(e)) return undefined
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
    return (await this.podList(namespace, labelSelector)).items
  }

  async listNodes(): Promise<V1Node[]> {
    return (await this.must('list nodes', () => this.core.listNode())).items
  }

  /** A node (`kubectl get node NAME`); undefined when it is not registered. */
  readNode(name: string): Promise<V1Node | undefined> {
    return this.orAbsent('read node', () => this.core.readNode({ name }))
  }

  /** Every Event in the namespace, in the server's order. */
  async listEvents(namespace: string): Promise<CoreV1Event[]> {
    return (await this.eventList(namespace)).items
  }

  /** Events about one object, oldest first. */
  async eventsFor(namespace: string, kind: string, name: string): Promise<CoreV1Event[]> {
    const fieldSelector = `involvedObject.kind=${kind},involvedObject.name=${name}`
    const r = await this.must(`list events for ${kind}/${name}`, () => this.core.listNamespacedEvent({ namespace, fieldSelector }))
    return r.items.sort((a, b) => eventTime(a) - eventTime(b))
  }

  /** A container's log (`kubectl logs [--previous] [--tail N]`); undefined when the pod or that instance is not there. */
  podLog(namespace: string, name: string, { container, previous, tailLines, what }: PodLogOptions = {}): Promise<string | undefined> {
    return this.orAbsent(what ?? `read the log of pod/${name}`, () => this.core.readNamespacedPodLog({ namespace, name, container, previous, tailLines }))
  }

  /**
   * The NodePort `service` answers on from outside the cluster: that of its port named or numbered `port`, else of
   * its first port that has one. A KubeError naming the Service when it does not exist or has no such NodePort.
   */
  async nodePort(namespace: string, service: string, port?: number | string): Promise<number> {
    const svc = await this.orAbsent(`read service/${service} in ${namespace}`, () => this.core.readNamespacedService({ namespace, name: service }))
    if (!svc) throw new KubeError(`service/${service} in ${namespace} does not exist`, 404)
    const nodePort = pickNodePort(svc, port)
    if (!nodePort) throw new KubeError(`service/${service} in ${namespace} has no NodePort${port === undefined ? '' : ` for port ${port}`}`)
    return nodePort
  }

  // ── lists with the version to watch from (the status view's reflectors start from these) ──

  podList(namespace: string, labelSelector?: string): Promise<Listing<V1Pod>> {
    return this.must(`list pods in ${namespace}`, async () => listing(await this.core.listNamespacedPod({ namespace, labelSelector })))
  }

  deploymentList(namespace: string): Promise<Listing<V1Deployment>> {
    return this.must(`list deployments in ${namespace}`, async () => listing(await this.apps.listNamespacedDeployment({ namespace })))
  }

  replicaSetList(namespace: string, labelSelector?: string): Promise<Listing<V1ReplicaSet>> {
    return this.must(`list replica sets in ${namespace}`, async () => listing(await this.apps.listNamespacedReplicaSet({ namespace, labelSelector })))
  }

  serviceList(namespace: string): Promise<Listing<V1Service>> {
    return this.must(`list services in ${namespace}`, async () => listing(await this.core.listNamespacedService({ namespace })))
  }

  eventList(namespace: string): Promise<Listing<CoreV1Event>> {
    return this.must(`list events in ${namespace}`, async () => listing(await this.core.listNamespacedEvent({ namespace })))
  }

  configMapList(namespace: string): Promise<Listing<V1ConfigMap>> {
    return this.must(`list config maps in ${namespace}`, async () => listing(await this.core.listNamespacedConfigMap({ namespace })))
  }

  /** The namespace named `name` as a list of none or one, to watch it by that name. */
  namespaceList(name: string): Promise<Listing<V1Namespace>> {
    return this.must(`list namespace ${name}`, async () => listing(await this.core.listNamespace({ fieldSelector: `metadata.name=${name}` })))
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

  // ── watches and waits (kube-watch.ts) ──

  /** Open one watch of a collection, e.g. for a reflector that re-opens it from its last resourceVersion (kube-watch.ts). */
  watch<T>(path: string, query: Record<string, string | number | boolean | undefined>, onEvent: (phase: string, obj: T) => void, done: (err: unknown) => void): Promise<AbortController> {
    return watches.openWatch(this, path, query, onEvent, done)
  }

  /** Watch a collection until `check` returns a value or the deadline passes (kube-watch.ts). */
  watchUntil<T, R>(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    check: (obj: T, phase: string) => R | undefined,
    opts: WaitOptions & { what: string; describe?: (last: T | undefined) => string },
  ): Promise<R> {
    return watches.watchUntil(this, path, query, check, opts)
  }

  waitForRollout(namespace: string, name: string, opts: WaitOptions): Promise<V1Deployment> {
    return watches.waitForRollout(this, namespace, name, opts)
  }

  waitForPod(namespace: string, labelSelector: string, ready: (p: V1Pod) => boolean, opts: WaitOptions & { what: string }): Promise<V1Pod> {
    return watches.waitForPod(this, namespace, labelSelector, ready, opts)
  }

  waitForDeletion(ref: Ref, opts: WaitOptions): Promise<void> {
    return watches.waitForDeletion(this, ref, opts)
  }

  waitForEvent(namespace: string, kind: string, name: string, match: (e: CoreV1Event) => boolean, opts: WaitOptions & { what: string }): Promise<CoreV1Event> {
    return watches.waitForEvent(this, namespace, kind, name, match, opts)
  }

  waitForLog(namespace: string, pod: string, container: string, pattern: RegExp, opts: WaitOptions & { what: string }): Promise<string> {
    return watches.waitForLog(this, namespace, pod, container, pattern, opts)
  }

  recordPods(namespace: string, labelSelector: string): Promise<PodRecorder> {
    return watches.recordPods(this, namespace, labelSelector)
  }

  /** What `kubectl top pods` reads; undefined when the cluster has no metrics API (metrics-server not installed). */
  podMetrics(namespace: string): Promise<PodMetricsList | undefined> {
    return this.orAbsent(`read pod metrics in ${namespace}`, () => new Metrics(this.kc).getPodMetrics(namespace))
  }
}

export type { V1Deployment, V1Pod, CoreV1Event, V1Node, V1Service, KubernetesObject, PodMetricsList }
