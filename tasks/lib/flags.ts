/** Flags several tasks share (--namespace, --timeout): their spec and how each is checked, before any cluster is contacted. */
import { UsageError, type ParsedFlags } from './cli.ts'
import { NAMESPACE, ROLLOUT_DEADLINE_MS } from './tutorial.ts'

const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

/** --namespace, checked (a DNS label, like Kubernetes requires). */
export function namespaceFlag(f: ParsedFlags): string {
  const ns = (f.namespace as string | undefined) ?? NAMESPACE
  if (!NAMESPACE_RE.test(ns)) throw new UsageError(`--namespace '${ns}' is not a valid namespace name (lowercase letters, digits and '-')`)
  return ns
}

/** --timeout in seconds → ms. */
export function timeoutFlag(f: ParsedFlags, fallbackMs = ROLLOUT_DEADLINE_MS): number {
  const raw = f.timeout as string | undefined
  if (raw === undefined) return fallbackMs
  if (!/^[1-9]\d{0,4}$/.test(raw)) throw new UsageError(`--timeout must be a whole number of seconds (got '${raw}')`)
  return Number(raw) * 1000
}

export const NAMESPACE_FLAG = { type: 'string', short: 'n', description: 'namespace of the deployment', default: NAMESPACE } as const
export const TIMEOUT_FLAG = { type: 'string', description: 'seconds to wait for the rollout', default: String(ROLLOUT_DEADLINE_MS / 1000) } as const
