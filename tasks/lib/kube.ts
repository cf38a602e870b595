/**
 * The cluster's one door: the client and every read of cluster state (@kubernetes/client-node, one process, no kubectl).
 * Absent is not broken: a 404 is `undefined`; anything else throws a KubeError saying what to do. Waits are in kube-watch.ts.
 */
import * as https from 'node:https'
import type {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  KubernetesObject,
  PodMetricsList,
  V1ConfigMap,
  V1Deployment,
  CoreV1Event,
  V1Namespace,
  V1Node,
  V1Pod,
  V1ReplicaSet,
  V1Service,
} from '@kubernetes/client-node'
import { kubeconfigFiles, mergedKubeconfigYaml, resolveKubeconfig, type ResolvedKubeconfig } from './kubeconfig.ts'
import { collectionPath, objectPath, plainTarget, restClient, type RestCall, type RestTarget } from './kube-rest.ts'
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

type ClientNode = typeof import('@kubernetes/client-node')
let clientNode: ClientNode | undefined

/**
 * Load @kubernetes/client-node (≈ 0.9 s and ≈ 115 MB here: it loads every generated model), once. The reads a no-op
 * run makes go through kube-rest.ts and never need it; watches, metrics and the generated APIs do.
 */
export async function loadClientNode(): Promise<ClientNode> {
  return (clientNode ??= await import('@kubernetes/client-node'))
}

function loaded(what: string): ClientNode {
  if (!clientNode) throw new Error(`kube.${what} needs @kubernetes/client-node loaded first: await loadClientNode() (or kube.client())`)
  return clientNode
}

/** The ONE resolution (tasks/lib/kubeconfig.ts) of `target`, as a KubeError when it cannot be used. */
function resolveTarget(target: KubeTarget): ResolvedKubeconfig {
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
  return resolved
}

/**
 * A client-node KubeConfig built from the ONE resolution: kubectl's merge of the files, pinned to the resolved
 * context — client-node never merges $KUBECONFIG itself (its merge differs from kubectl's).
 */
function kubeConfigOf(cn: ClientNode, resolved: ResolvedKubeconfig): KubeConfig {
  const kc = new cn.KubeConfig()
  try {
    kc.loadFromString(mergedKubeconfigYaml(resolved))
  } catch (e) {
    throw new KubeError(`cannot use kubeconfig ${resolved.files.join(':')}: ${(e as Error).message}`)
  }
  if (resolved.context) kc.setCurrentContext(resolved.context)
  return kc
}

/** client-node's KubeConfig told apart by shape (instanceof would need the library loaded). */
const isKubeConfig = (t: unknown): t is KubeConfig => typeof (t as KubeConfig | undefined)?.makeApiClient === 'function'

/**
 * What Kube calls: the generated client-node APIs (only this module touches them) and the REST call of its own reads.
 * Tests pass fakes of the calls they script.
 */
export interface KubeApis {
  core: CoreV1Api
  apps: AppsV1Api
  rest: RestCall
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
  /** Where the kubeconfig came from (undefined when a KubeConfig was given): re-read for the context namespace. */
  private readonly target?: KubeTarget
  private readonly resolved?: ResolvedKubeconfig
  private _kc?: KubeConfig
  private _core?: CoreV1Api
  private _apps?: AppsV1Api
  private _objects?: KubernetesObjectApi
  private restTarget?: Promise<RestTarget>
  /** One call to the API server: its own reads (kube-rest.ts), without client-node. */
  readonly rest: RestCall

  constructor(target: KubeTarget | KubeConfig = {}, apis: Partial<KubeApis> = {}) {
    if (isKubeConfig(target)) this._kc = target
    else {
      this.target = target
      this.resolved = resolveTarget(target)
    }
    this._core = apis.core
    this._apps = apis.apps
    this.rest = apis.rest ?? restClient(() => (this.restTarget ??= this.makeRestTarget()))
  }

  /** The server and https options of the context: the kubeconfig's files and data, else client-node's reading of it (exec plugins…). */
  private async makeRestTarget(): Promise<RestTarget> {
    if (this.resolved) {
      let plain: RestTarget | undefined
      try {
        plain = plainTarget(this.resolved)
      } catch (e) {
        throw new KubeError((e as Error).message)
      }
      if (plain) return plain
    }
    const { kc } = await this.client()
    const server = kc.getCurrentCluster()?.server
    if (!server) throw new KubeError(`context '${this.contextName}' has no cluster server in the kubeconfig`)
    const options: https.RequestOptions = {}
    await kc.applyToHTTPSOptions(options)
    return { server, options }
  }

  /** The context's server and https options (TLS material, auth headers), for a request this module makes itself. */
  requestTarget(): Promise<RestTarget> {
    return (this.restTarget ??= this.makeRestTarget())
  }

  /** This Kube with client-node loaded: `kc`, `core`, `apps` and `objects` usable from here on. */
  async client(): Promise<this> {
    await loadClientNode()
    return this
  }

  /** client-node's KubeConfig of the context (client-node must be loaded: `await kube.client()`). */
  get kc(): KubeConfig {
    return (this._kc ??= kubeConfigOf(loaded('kc'), this.resolved!))
  }

  /**
   * The generated APIs (client-node must be loaded: `await kube.client()`). Under tasks/ only the cluster module
   * (tasks/lib/kube*.ts) calls them — everything else uses the named methods below; the e2e suites, the fault
   * suite and the bench read through a client of their own (test/unit/layout.test.ts checks both).
   */
  get core(): CoreV1Api {
    return (this._core ??= this.kc.makeApiClient(loaded('core').CoreV1Api))
  }

  get apps(): AppsV1Api {
    return (this._apps ??= this.kc.makeApiClient(loaded('apps').AppsV1Api))
  }

  get objects(): KubernetesObjectApi {
    return (this._objects ??= loaded('objects').KubernetesObjectApi.makeApiClient(this.kc))
  }

  get contextName(): string {
    return this.resolved ? (this.resolved.context ?? '') : this.kc.getCurrentContext()
  }

  get server(): string {
    const server = this.resolved ? this.resolved.server : this.kc.getCurrentCluster()?.server
    return server ?? '(no cluster in kubeconfig)'
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

  /** GET `path` (kube-rest.ts): 404 → undefined, other failures → KubeError naming `what`. */
  private get<T>(what: string, path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T | undefined> {
    return this.orAbsent(what, () => this.rest({ path, query }) as Promise<T>)
  }

  private async list<T>(what: string, path: string, query?: Record<string, string | number | boolean | undefined>): Promise<Listing<T>> {
    return listing(await this.must(what, () => this.rest({ path, query }) as Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>))
  }

  /**
   * Does the API server answer /version within timeoutMs? Fails fast on an unreachable or wrong cluster,
   * before any step starts. Returns the server's gitVersion.
   */
  async ping(timeoutMs = 4000): Promise<string> {
    const server = this.server
    if (!(this.resolved ? this.resolved.server : this.kc.getCurrentCluster()?.server)) throw new KubeError(`context '${this.contextName}' has no cluster server in the kubeconfig`)
    let body: unknown
    try {
      body = await this.rest({ path: '/version', text: true, timeoutMs })
    } catch (e) {
      const code = (e as { code?: unknown }).code
      if (typeof code === 'number') throw new KubeError(`the cluster at ${server} answered /version with HTTP ${code}`, code, `check the credentials of context '${this.contextName}'`)
      if (e instanceof KubeError) throw e
      throw describeError(Object.assign(e as Error, { code: (e as NodeJS.ErrnoException).code ?? 'ETIMEDOUT' }), `context '${this.contextName}'`, server)
    }
    try {
      return (JSON.parse(body as string) as { gitVersion?: string }).gitVersion ?? 'unknown'
    } catch {
      throw new KubeError(`${server} answered /version with something that is not Kubernetes`, undefined, 'is this the right context?')
    }
  }

  /** Read any object by apiVersion/kind/name(/namespace); undefined when it does not exist. */
  async read<T extends KubernetesObject = KubernetesObject>(ref: Ref): Promise<T | undefined> {
    const what = `read ${ref.kind.toLowerCase()}/${ref.name}${ref.namespace ? ` in ${ref.namespace}` : ''}`
    const path = objectPath(ref.apiVersion, ref.kind, ref.name, ref.namespace, () => this.contextNamespace)
    if (path) return this.get<T>(what, path)
    // a kind the tutorial does not name: client-node finds its path by discovery
    await this.client()
    return this.orAbsent(what, () =>
      this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }) as Promise<T>,
    )
  }

  /** Objects of one kind (`kubectl get KIND [-n NS] [-l SELECTOR]`; every namespace's when `namespace` is undefined). */
  async listObjects(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubernetesObject[]> {
    const what = `list ${kind.toLowerCase()}s${namespace ? ` in ${namespace}` : ''}`
    const path = collectionPath(apiVersion, kind, namespace)
    if (path) return (await this.list<KubernetesObject>(what, path, { labelSelector })).items
    await this.client()
    return (await this.must(what, () => this.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector))).items
  }

  getDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    return this.get(`read deployment/${name} in ${namespace}`, `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`)
  }

  async listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]> {
    return (await this.podList(namespace, labelSelector)).items
  }

  async listNodes(): Promise<V1Node[]> {
    return (await this.list<V1Node>('list nodes', '/api/v1/nodes')).items
  }

  /** A node (`kubectl get node NAME`); undefined when it is not registered. */
  readNode(name: string): Promise<V1Node | undefined> {
    return this.get('read node', `/api/v1/nodes/${name}`)
  }

  /** Every Event in the namespace, in the server's order. */
  async listEvents(namespace: string): Promise<CoreV1Event[]> {
    return (await this.eventList(namespace)).items
  }

  /** Events about one object, oldest first. */
  async eventsFor(namespace: string, kind: string, name: string): Promise<CoreV1Event[]> {
    const fieldSelector = `involvedObject.kind=${kind},involvedObject.name=${name}`
    const r = await this.list<CoreV1Event>(`list events for ${kind}/${name}`, `/api/v1/namespaces/${namespace}/events`, { fieldSelector })
    return r.items.sort((a, b) => eventTime(a) - eventTime(b))
  }

  /** A container's log (`kubectl logs [--previous] [--tail N]`); undefined when the pod or that instance is not there. */
  podLog(namespace: string, name: string, { container, previous, tailLines, what }: PodLogOptions = {}): Promise<string | undefined> {
    return this.orAbsent(what ?? `read the log of pod/${name}`, () =>
      this.rest({ path: `/api/v1/namespaces/${namespace}/pods/${name}/log`, query: { container, previous, tailLines }, text: true }) as Promise<string>,
    )
  }

  /**
   * The NodePort `service` answers on from outside the cluster: that of its port named or numbered `port`, else of
   * its first port that has one. A KubeError naming the Service when it does not exist or has no such NodePort.
   */
  async nodePort(namespace: string, service: string, port?: number | string): Promise<number> {
    const svc = await this.get<V1Service>(`read service/${service} in ${namespace}`, `/api/v1/namespaces/${namespace}/services/${service}`)
    if (!svc) throw new KubeError(`service/${service} in ${namespace} does not exist`, 404)
    const nodePort = pickNodePort(svc, port)
    if (!nodePort) throw new KubeError(`service/${service} in ${namespace} has no NodePort${port === undefined ? '' : ` for port ${port}`}`)
    return nodePort
  }

  // ── lists with the version to watch from (the status view's reflectors start from these) ──

  podList(namespace: string, labelSelector?: string): Promise<Listing<V1Pod>> {
    return this.list(`list pods in ${namespace}`, `/api/v1/namespaces/${namespace}/pods`, { labelSelector })
  }

  deploymentList(namespace: string): Promise<Listing<V1Deployment>> {
    return this.must(`list deployments in ${namespace}`, async () => listing(await (await this.client()).apps.listNamespacedDeployment({ namespace })))
  }

  replicaSetList(namespace: string, labelSelector?: string): Promise<Listing<V1ReplicaSet>> {
    return this.must(`list replica sets in ${namespace}`, async () => listing(await (await this.client()).apps.listNamespacedReplicaSet({ namespace, labelSelector })))
  }

  serviceList(namespace: string): Promise<Listing<V1Service>> {
    return this.must(`list services in ${namespace}`, async () => listing(await (await this.client()).core.listNamespacedService({ namespace })))
  }

  eventList(namespace: string): Promise<Listing<CoreV1Event>> {
    return this.must(`list events in ${namespace}`, async () => listing(await (await this.client()).core.listNamespacedEvent({ namespace })))
  }

  configMapList(namespace: string): Promise<Listing<V1ConfigMap>> {
    return this.must(`list config maps in ${namespace}`, async () => listing(await (await this.client()).core.listNamespacedConfigMap({ namespace })))
  }

  /** The namespace named `name` as a list of none or one, to watch it by that name. */
  namespaceList(name: string): Promise<Listing<V1Namespace>> {
    return this.must(`list namespace ${name}`, async () => listing(await (await this.client()).core.listNamespace({ fieldSelector: `metadata.name=${name}` })))
  }

  /**
   * What a server-side apply of `obj` would produce (dryRun=All, field manager `kubectl`, like
   * `kubectl apply --server-side`). Undefined when the object does not exist yet.
   */
  async applyWouldChange(obj: KubernetesObject): Promise<boolean> {
    const ref: Ref = { apiVersion: obj.apiVersion!, kind: obj.kind!, name: obj.metadata!.name!, namespace: obj.metadata?.namespace }
    const live = await this.read(ref)
    if (!live) return true
    const what = `dry-run apply of ${ref.kind.toLowerCase()}/${ref.name}`
    const path = objectPath(ref.apiVersion, ref.kind, ref.name, ref.namespace, () => this.contextNamespace)
    const dry = await this.must(what, async () =>
      path ? ((await this.rest({ method: 'PATCH', path, query: { dryRun: 'All', fieldManager: 'kubectl', force: false }, body: obj, contentType: 'application/apply-patch+yaml' })) as KubernetesObject)
      : (await this.client()).objects.patch(obj, undefined, 'All', 'kubectl', false, (await loadClientNode()).PatchStrategy.ServerSideApply),
    )
    // both sides read the same way (raw JSON through kube-rest, or client-node's models), so they compare alike
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
    return this.orAbsent(`read pod metrics in ${namespace}`, async () => new (await loadClientNode()).Metrics((await this.client()).kc).getPodMetrics(namespace))
  }
}

export type { V1Deployment, V1Pod, CoreV1Event, V1Node, V1Service, KubernetesObject, PodMetricsList }
