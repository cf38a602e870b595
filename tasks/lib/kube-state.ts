/**
 * Pure helpers about cluster objects (rollout progress, pod summaries, errors) — no client library here,
 * so task files that only judge state load fast (`--help`, flag errors, the context guard).
 */
import type { CoreV1Event, KubernetesObject, V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node'
import { redact } from './redact.ts'

/** What failed talking to the cluster: the problem, then (after ` — `) what to do about it, when there is a hint. */
export class KubeError extends Error {
  override name = 'KubeError'
  /** The message without its hint (one line about what failed, redacted). */
  readonly problem: string
  constructor(
    problem: string,
    readonly status?: number,
    hint?: string,
  ) {
    super(redact(hint ? `${problem} — ${hint}` : problem))
    this.problem = redact(problem)
  }
}

/**
 * A wait whose deadline passed, carrying what it waited for and what it saw last (redacted, like the message):
 * callers branch on the type and build their own explanation from the fields, never from the message text.
 */
export class TimeoutError extends KubeError {
  readonly what: string
  readonly lastSeen: string
  constructor(
    readonly seconds: number,
    what: string,
    lastSeen: string,
    /** How the message names what was seen last: a watched object's state, or a followed log's last line. */
    lastLabel: 'last seen' | 'last log line' = 'last seen',
  ) {
    super(`timed out after ${seconds}s waiting for ${what}; ${lastLabel}: ${lastSeen}`)
    this.what = redact(what)
    this.lastSeen = redact(lastSeen)
  }
}

export interface KubeTarget {
  /** kubeconfig file; default: $KUBECONFIG or ~/.kube/config */
  kubeconfig?: string
  /** context name; default: the file's current-context */
  context?: string
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

/** What a node's conditions look like to the readiness check (a V1Node, or a node read as a plain object). */
export type NodeLike = { status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> } }

/** A node's Ready condition (what STATUS in `kubectl get nodes` shows), if it reports one yet. */
export function readyCondition<C extends { type?: string }>(n: { status?: { conditions?: C[] } } | undefined): C | undefined {
  return n?.status?.conditions?.find((c) => c.type === 'Ready')
}

/** Is the node Ready (its Ready condition True)? A node that is not there is not. */
export function isNodeReady(n: NodeLike | undefined): boolean {
  return !!n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
}

/**
 * The NodePort of a Service's port named or numbered `port`; without `port`, of the first port that has one.
 * Undefined when that port has no NodePort (a ClusterIP Service, or no such port).
 */
export function pickNodePort(svc: V1Service, port?: number | string): number | undefined {
  const ports = svc.spec?.ports ?? []
  const p = port === undefined ? ports.find((x) => x.nodePort) : ports.find((x) => (typeof port === 'number' ? x.port === port : x.name === port))
  return p?.nodePort
}

export function stripVolatile(o: KubernetesObject): unknown {
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

