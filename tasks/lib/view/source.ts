/**
 * Where the status view and the diagram get their objects: one list of each collection (readCluster), or a
 * reflector per collection kept current by watch (watchCluster). Reads only. Never Secrets: what a pod reads
 * from a Secret is taken from the pod's spec.
 */
import type { Kube, Listing } from '../kube.ts'
import type { ClusterObjects } from './model.ts'
import { Reflector, type ListResult, type Meta, type ReflectorDeps, type ReflectorStatus, type WatchHandle } from './reflector.ts'

type Collection = 'deployments' | 'replicaSets' | 'pods' | 'services' | 'events' | 'configMaps'
const COLLECTIONS: Collection[] = ['deployments', 'replicaSets', 'pods', 'services', 'events', 'configMaps']

function path(c: Collection, ns: string): string {
  switch (c) {
    case 'deployments':
      return `/apis/apps/v1/namespaces/${ns}/deployments`
    case 'replicaSets':
      return `/apis/apps/v1/namespaces/${ns}/replicasets`
    case 'pods':
      return `/api/v1/namespaces/${ns}/pods`
    case 'services':
      return `/api/v1/namespaces/${ns}/services`
    case 'events':
      return `/api/v1/namespaces/${ns}/events`
    case 'configMaps':
      return `/api/v1/namespaces/${ns}/configmaps`
  }
}

/** One list of a collection (the cluster module names what failed: `list replica sets in <ns>`). */
function lister(kube: Kube, c: Collection, namespace: string): () => Promise<Listing<unknown>> {
  switch (c) {
    case 'deployments':
      return () => kube.deploymentList(namespace)
    case 'replicaSets':
      return () => kube.replicaSetList(namespace)
    case 'pods':
      return () => kube.podList(namespace)
    case 'services':
      return () => kube.serviceList(namespace)
    case 'events':
      return () => kube.eventList(namespace)
    case 'configMaps':
      return () => kube.configMapList(namespace)
  }
}

const names = (c: Collection) => c.replace(/([A-Z])/g, ' $1').toLowerCase()

const namespaceLister = (kube: Kube, ns: string) => () => kube.namespaceList(ns)

/** Every collection of the namespaces, listed once (in parallel). */
export async function readCluster(kube: Kube, namespaces: string[]): Promise<ClusterObjects> {
  const out: ClusterObjects = { namespaces, existing: new Set(), deployments: [], replicaSets: [], pods: [], services: [], events: [], configMaps: [] }
  await Promise.all(
    namespaces.flatMap((ns) => [
      namespaceLister(kube, ns)().then((r) => r.items.length && out.existing!.add(ns)),
      ...COLLECTIONS.map(async (c) => {
        const r = await lister(kube, c, ns)()
        ;(out[c] as unknown[]).push(...r.items)
      }),
    ]),
  )
  return out
}

export interface ClusterWatch {
  objects(): ClusterObjects
  /** Has every collection been listed once? */
  synced(): boolean
  /** Watches that are down right now, one line each (what failed, when it is retried). */
  problems(): string[]
  stop(): Promise<void>
}

function reflectorDeps<T>(kube: Kube, path: string, listCall: () => Promise<Listing<unknown>>, query: Record<string, string> = {}): ReflectorDeps<T> {
  return {
    list: listCall as () => Promise<ListResult<T>>,
    watch: (resourceVersion, onEvent, done): Promise<WatchHandle> =>
      kube.watch(path, { ...query, allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}) }, (type: string, obj: T) => onEvent(type, obj), done),
  }
}

/** A reflector per collection and namespace; onChange fires on every update of any of them. */
export function watchCluster(kube: Kube, namespaces: string[], onChange: () => void): ClusterWatch {
  const problems = new Map<string, string>()
  const status = (name: string) => (s: ReflectorStatus) => {
    if (s.state === 'synced') problems.delete(name)
    else problems.set(name, `watch of ${name} lost (${s.message}); retrying in ${Math.round(s.retryInMs / 1000)}s`)
    onChange()
  }
  const nsReflectors = namespaces.map((ns) => {
    const name = `namespace ${ns}`
    return new Reflector<Meta>(name, reflectorDeps(kube, '/api/v1/namespaces', namespaceLister(kube, ns), { fieldSelector: `metadata.name=${ns}` }), onChange, status(name))
  })
  const reflectors = namespaces.flatMap((ns) =>
    COLLECTIONS.map((c) => {
      const name = `${names(c)} in ${ns}`
      return { c, r: new Reflector<Meta>(name, reflectorDeps(kube, path(c, ns), lister(kube, c, ns)), onChange, status(name)) }
    }),
  )
  for (const r of [...nsReflectors, ...reflectors.map((x) => x.r)]) r.start()
  return {
    objects() {
      // which namespaces exist is known once each one's list came back
      const known = nsReflectors.every((r) => r.hasSynced())
      const existing = known ? new Set(namespaces.filter((_, i) => nsReflectors[i]!.items().length)) : undefined
      const out: ClusterObjects = { namespaces, ...(existing ? { existing } : {}), deployments: [], replicaSets: [], pods: [], services: [], events: [], configMaps: [] }
      for (const { c, r } of reflectors) (out[c] as unknown[]).push(...r.items())
      return out
    },
    synced: () => [...nsReflectors, ...reflectors.map((x) => x.r)].every((r) => r.hasSynced()),
    problems: () => [...problems.values()],
    async stop() {
      await Promise.all([...nsReflectors, ...reflectors.map((x) => x.r)].map((r) => r.stop()))
    },
  }
}
