/**
 * What runs, as a learner wants to see it: namespace → Deployment → ReplicaSet → pods, Services and the pods
 * they select, and the ConfigMap/Secret keys each pod reads. Pure: built from plain API objects (a list or a
 * watch's cache), so the status text and the diagram are tested with fixture objects.
 * Secrets: only what the pod spec says (the Secret's name and the key names it refers to). No Secret object
 * is ever an input here, and no env `value:` is ever copied into the view.
 */
import type { CoreV1Event, V1ConfigMap, V1Deployment, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node'
import { eventTime, rolloutStatus } from '../kube-state.ts'

/** The objects of the namespaces being looked at (any mix of list results and watch events). */
export interface ClusterObjects {
  /** Namespaces asked for; `existing` says which of them are there (undefined: not known). */
  namespaces: string[]
  existing?: Set<string>
  deployments: V1Deployment[]
  replicaSets: V1ReplicaSet[]
  pods: V1Pod[]
  services: V1Service[]
  events: CoreV1Event[]
  configMaps: V1ConfigMap[]
}

export interface EnvSource {
  kind: 'ConfigMap' | 'Secret'
  name: string
  /** `envFrom`: every key of the object; `env[].valueFrom`: the keys named. */
  from: 'envFrom' | 'keys'
  /** Key names: for ConfigMaps read by envFrom, the ConfigMap's keys when it is known; for Secrets by envFrom, empty. */
  keys: string[]
  /** The object exists (ConfigMaps only; Secrets are never read, so undefined). */
  exists?: boolean
}

export interface PodView {
  namespace: string
  name: string
  phase: string
  ready: number
  containers: number
  restarts: number
  createdMs?: number
  images: string[]
  deleting: boolean
  /** The last Event about this pod: reason, and its message on one line. */
  lastEvent?: { reason: string; message: string; count: number }
  /** Events that say it is in trouble (Unhealthy, Killing, BackOff …), counted by reason, oldest reason first. */
  troubleEvents: Array<{ reason: string; count: number }>
  /** Why a container waits or last stopped: CrashLoopBackOff, OOMKilled (exit 137), ErrImageNeverPull … */
  containerReason?: string
  /** Set when the pod is not well: the reason to show (not ready, CrashLoopBackOff, OOMKilled …). */
  unhealthy?: string
  labels: Record<string, string>
  /** The ReplicaSet that owns it, if any. */
  owner?: string
  envSources: EnvSource[]
  /** Plain `env` names with a literal value (the value itself is never kept). */
  literalEnv: string[]
}

export interface ReplicaSetView {
  namespace: string
  name: string
  revision?: string
  desired: number
  ready: number
  images: string[]
  pods: PodView[]
}

export interface DeploymentView {
  namespace: string
  name: string
  desired: number
  ready: number
  updated: number
  available: number
  images: string[]
  rollout: { done: boolean; message: string }
  /** ReplicaSets that want or still have pods (old, scaled-to-zero ones are left out). */
  replicaSets: ReplicaSetView[]
}

export interface ServicePortView {
  port?: number
  targetPort?: string
  nodePort?: number
  protocol: string
}

export interface ServiceView {
  namespace: string
  name: string
  type: string
  ports: ServicePortView[]
  selector: Record<string, string>
  /** Pods the selector matches, by name. */
  pods: string[]
  /** Where this machine reaches it (NodePort Services), when known. */
  url?: string
}

export interface NamespaceView {
  name: string
  exists?: boolean
  deployments: DeploymentView[]
  /** Pods no ReplicaSet of a shown Deployment owns (lesson 8's demo pods, or orphans). */
  otherPods: PodView[]
  services: ServiceView[]
}

export interface ClusterView {
  namespaces: NamespaceView[]
}

export interface ViewOptions {
  /** Service URL for a NodePort service, if known (`namespace/name` → URL). */
  urls?: ReadonlyMap<string, string>
}

/** Container states that mean the pod cannot run as it is. */
const BAD_WAITING = new Set([
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
])

/** Event reasons that say a pod is in trouble (shown with the restarts they caused). */
const TROUBLE_EVENTS = new Set(['Unhealthy', 'Killing', 'BackOff', 'Failed', 'FailedScheduling', 'OOMKilling'])

const ts = (t: unknown): number | undefined => (t ? new Date(t as string).getTime() : undefined)

export const oneLine = (s: string | undefined, max = 90): string => {
  const flat = (s ?? '').replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** The Events about each pod (key `namespace/name`), oldest first. */
export function podEvents(events: CoreV1Event[]): Map<string, CoreV1Event[]> {
  const out = new Map<string, CoreV1Event[]>()
  for (const e of events) {
    if (e.involvedObject?.kind !== 'Pod' || !e.involvedObject.name) continue
    const key = `${e.involvedObject.namespace ?? e.metadata?.namespace}/${e.involvedObject.name}`
    out.set(key, [...(out.get(key) ?? []), e])
  }
  for (const list of out.values()) list.sort((a, b) => eventTime(a) - eventTime(b))
  return out
}

const isTrouble = (e: CoreV1Event) => TROUBLE_EVENTS.has(e.reason ?? '')

/** How many times an Event happened: `count` (core/v1 aggregation), or `series.count` (events.k8s.io-style series). */
export const eventCount = (e: CoreV1Event): number => e.count ?? e.series?.count ?? 1

/** Trouble Events by reason, with the counts the API aggregated (`count`), in the order the reasons first came. */
export function troubleCounts(events: CoreV1Event[]): Array<{ reason: string; count: number }> {
  const counts = new Map<string, number>()
  for (const e of events.filter(isTrouble)) counts.set(e.reason!, (counts.get(e.reason!) ?? 0) + eventCount(e))
  return [...counts].map(([reason, count]) => ({ reason, count }))
}

/** Why a container waits or last stopped, the way `kubectl get pods` puts it in STATUS. */
export function containerReason(p: V1Pod): string | undefined {
  for (const c of p.status?.containerStatuses ?? []) {
    const w = c.state?.waiting?.reason
    const lastT = c.lastState?.terminated
    if (w && w !== 'ContainerCreating' && w !== 'PodInitializing') {
      return lastT?.reason && lastT.reason !== w ? `${w} (last exit: ${lastT.reason}${lastT.exitCode !== undefined ? ` ${lastT.exitCode}` : ''})` : w
    }
    const t = c.state?.terminated
    if (t?.reason) return `${t.reason}${t.exitCode !== undefined ? ` (exit ${t.exitCode})` : ''}`
    if (lastT?.reason) return `last exit: ${lastT.reason}${lastT.exitCode !== undefined ? ` ${lastT.exitCode}` : ''}`
  }
  return undefined
}

/** An Event message cut to what it says: `Readiness probe failed: Get "http://…` → `Readiness probe failed`. */
export function troubleText(message: string | undefined): string {
  const first = oneLine(message, 200).split(': ')[0]!.replace(/^Container \S+ /, '')
  return oneLine(first, 44)
}

/**
 * Is this pod unwell, and why (the words the diagram writes after "unhealthy:"). Undefined when it is fine.
 * `events`: the Events about it, oldest first.
 */
export function unhealthyReason(p: V1Pod, events: CoreV1Event[] = []): string | undefined {
  if (p.metadata?.deletionTimestamp) return undefined // going away on purpose
  const cs = p.status?.containerStatuses ?? []
  for (const c of cs) {
    const w = c.state?.waiting?.reason
    if (w && BAD_WAITING.has(w)) {
      const lastT = c.lastState?.terminated?.reason
      return lastT === 'OOMKilled' ? `${w} (OOMKilled)` : w
    }
  }
  const notReady = !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
  if (cs.some((c) => c.state?.terminated?.reason === 'OOMKilled' || (notReady && c.lastState?.terminated?.reason === 'OOMKilled'))) return 'OOMKilled'
  const phase = p.status?.phase
  if (phase === 'Failed') return `Failed${p.status?.reason ? ` (${p.status.reason})` : ''}`
  // a pod that restarted but is Running and ready now is not marked: its restarts and trouble Events are shown anyway
  const lastTrouble = events.filter(isTrouble).at(-1)
  if (phase === 'Running' && notReady) return lastTrouble ? `not ready (${troubleText(lastTrouble.message)})` : 'not ready'
  if (phase === 'Pending' && p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')) return 'unschedulable'
  return undefined
}

/** Which ConfigMaps/Secrets a pod's containers read, by name and key (never a value). */
export function envSources(p: V1Pod, configMaps: V1ConfigMap[]): { sources: EnvSource[]; literal: string[] } {
  const byKey = new Map<string, EnvSource>()
  const literal: string[] = []
  const cmKeys = (name: string) => {
    const cm = configMaps.find((c) => c.metadata?.name === name && c.metadata?.namespace === p.metadata?.namespace)
    return cm ? Object.keys({ ...(cm.data ?? {}), ...(cm.binaryData ?? {}) }).sort() : undefined
  }
  const add = (kind: EnvSource['kind'], name: string, from: EnvSource['from'], key?: string) => {
    const id = `${kind}/${name}/${from}`
    let s = byKey.get(id)
    if (!s) {
      const known = kind === 'ConfigMap' ? cmKeys(name) : undefined
      s = { kind, name, from, keys: from === 'envFrom' ? (known ?? []) : [], ...(kind === 'ConfigMap' ? { exists: known !== undefined } : {}) }
      byKey.set(id, s)
    }
    if (key && !s.keys.includes(key)) s.keys.push(key)
  }
  for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) {
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) add('ConfigMap', f.configMapRef.name, 'envFrom')
      if (f.secretRef?.name) add('Secret', f.secretRef.name, 'envFrom')
    }
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef
      const sec = e.valueFrom?.secretKeyRef
      if (cm?.name) add('ConfigMap', cm.name, 'keys', cm.key)
      else if (sec?.name) add('Secret', sec.name, 'keys', sec.key)
      else if (e.value !== undefined && !literal.includes(e.name)) literal.push(e.name)
    }
  }
  return { sources: [...byKey.values()], literal }
}

export function podView(p: V1Pod, events: CoreV1Event[], configMaps: V1ConfigMap[]): PodView {
  const cs = p.status?.containerStatuses ?? []
  const last = events.at(-1)
  const env = envSources(p, configMaps)
  const owner = p.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '?',
    phase: p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown'),
    ready: cs.filter((c) => c.ready).length,
    containers: cs.length || p.spec?.containers?.length || 0,
    restarts: cs.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    createdMs: ts(p.metadata?.creationTimestamp),
    images: (p.spec?.containers ?? []).map((c) => c.image ?? ''),
    deleting: !!p.metadata?.deletionTimestamp,
    ...(last ? { lastEvent: { reason: last.reason ?? '', message: oneLine(last.message), count: eventCount(last) } } : {}),
    troubleEvents: troubleCounts(events),
    ...(containerReason(p) ? { containerReason: containerReason(p) } : {}),
    ...(unhealthyReason(p, events) ? { unhealthy: unhealthyReason(p, events) } : {}),
    labels: { ...(p.metadata?.labels ?? {}) },
    ...(owner ? { owner } : {}),
    envSources: env.sources,
    literalEnv: env.literal,
  }
}

export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector)
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k])
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name)
const podOrder = (a: PodView, b: PodView) => (a.createdMs ?? 0) - (b.createdMs ?? 0) || a.name.localeCompare(b.name)

/** `kubernetes` in `default` is the API server's own Service: not the tutorial's. */
export const isApiServerService = (s: V1Service) => s.metadata?.namespace === 'default' && s.metadata?.name === 'kubernetes'

export function buildView(o: ClusterObjects, opts: ViewOptions = {}): ClusterView {
  const events = podEvents(o.events)
  const namespaces = o.namespaces.map((ns): NamespaceView => {
    const inNs = <T extends { metadata?: { namespace?: string } }>(xs: T[]) => xs.filter((x) => x.metadata?.namespace === ns)
    const pods = inNs(o.pods).map((p) => podView(p, events.get(`${ns}/${p.metadata?.name}`) ?? [], o.configMaps)).sort(podOrder)
    const rss = inNs(o.replicaSets)
    const claimed = new Set<string>()
    const deployments = inNs(o.deployments)
      .map((d): DeploymentView => {
        const name = d.metadata?.name ?? '?'
        const own = rss.filter((r) => r.metadata?.ownerReferences?.some((x) => x.kind === 'Deployment' && x.name === name))
        const replicaSets = own
          .map((r): ReplicaSetView => {
            const rsName = r.metadata?.name ?? '?'
            const rsPods = pods.filter((p) => p.owner === rsName)
            for (const p of rsPods) claimed.add(p.name)
            return {
              namespace: ns,
              name: rsName,
              revision: r.metadata?.annotations?.['deployment.kubernetes.io/revision'],
              desired: r.spec?.replicas ?? 0,
              ready: r.status?.readyReplicas ?? 0,
              images: (r.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
              pods: rsPods,
            }
          })
          .filter((r) => r.desired > 0 || r.pods.length > 0)
          .sort((a, b) => Number(b.revision ?? 0) - Number(a.revision ?? 0) || a.name.localeCompare(b.name))
        return {
          namespace: ns,
          name,
          desired: d.spec?.replicas ?? 1,
          ready: d.status?.readyReplicas ?? 0,
          updated: d.status?.updatedReplicas ?? 0,
          available: d.status?.availableReplicas ?? 0,
          images: (d.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
          rollout: rolloutStatus(d),
          replicaSets,
        }
      })
      .sort(byName)
    const services = inNs(o.services)
      .filter((s) => !isApiServerService(s))
      .map((s): ServiceView => {
        const selector = { ...(s.spec?.selector ?? {}) }
        const name = s.metadata?.name ?? '?'
        const url = opts.urls?.get(`${ns}/${name}`)
        return {
          namespace: ns,
          name,
          type: s.spec?.type ?? 'ClusterIP',
          ports: (s.spec?.ports ?? []).map((p) => ({
            ...(p.port !== undefined ? { port: p.port } : {}),
            ...(p.targetPort !== undefined ? { targetPort: String(p.targetPort) } : {}),
            ...(p.nodePort ? { nodePort: p.nodePort } : {}),
            protocol: p.protocol ?? 'TCP',
          })),
          selector,
          pods: pods.filter((p) => !p.deleting && selects(selector, p.labels)).map((p) => p.name),
          ...(url ? { url } : {}),
        }
      })
      .sort(byName)
    return {
      name: ns,
      ...(o.existing ? { exists: o.existing.has(ns) } : {}),
      deployments,
      otherPods: pods.filter((p) => !claimed.has(p.name)),
      services,
    }
  })
  return { namespaces }
}

/** Every pod of a namespace view, Deployment-owned first. */
export function allPods(ns: NamespaceView): PodView[] {
  return [...ns.deployments.flatMap((d) => d.replicaSets.flatMap((r) => r.pods)), ...ns.otherPods]
}
