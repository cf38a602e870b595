/** Which namespaces status and diagram look at: the one asked for, else the tutorial's and the one early lessons use. */
import { UsageError } from '../cli.ts'
import { NAMESPACE } from '../context.ts'

/** Where lessons 3–9 work before the tutorial has a namespace of its own (tasks/teardown.ts LEFTOVER_NAMESPACE). */
export const EARLY_NAMESPACE = 'default'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function namespacesOf(flag: string | undefined): string[] {
  if (flag === undefined) return [NAMESPACE, EARLY_NAMESPACE]
  if (!DNS_LABEL.test(flag) || flag.length > 63) throw new UsageError(`--namespace '${flag}' is not a namespace name`)
  return [flag]
}
