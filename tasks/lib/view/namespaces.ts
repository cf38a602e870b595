/** Which namespaces status and diagram look at: the one asked for, else the tutorial's and the one early lessons use. */
import { UsageError } from '../cli.ts'
import { LEFTOVER_NAMESPACE, NAMESPACE } from '../tutorial.ts'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function namespacesOf(flag: string | undefined): string[] {
  if (flag === undefined) return [NAMESPACE, LEFTOVER_NAMESPACE]
  if (!DNS_LABEL.test(flag) || flag.length > 63) throw new UsageError(`--namespace '${flag}' is not a namespace name`)
  return [flag]
}
