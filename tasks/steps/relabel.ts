/**
 * Lesson 5, labels and selectors: add, overwrite and remove pod labels with `kubectl label`, or delete
 * pods by label and watch the Deployment bring a new one back. Labelling is idempotent (skips when every
 * targeted pod already has the wanted labels); deleting is not (it skips only when nothing matches).
 */
import { UsageError, type ParsedFlags } from '../lib/cli.ts'
import { APP, ROLLOUT_DEADLINE_MS } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { V1Pod } from '../lib/kube.ts'
import { isPodReady, podSummary } from '../lib/kube-state.ts'
import { kubectl } from '../lib/kubectl.ts'
import { logTo, type Step, changesOnly } from '../lib/task.ts'
import { timeoutFlag } from '../lib/flags.ts'

export type RelabelTarget = { pod: string } | { selector: string }

export interface RelabelOptions {
  target: RelabelTarget
  /** Labels to set: key → value. */
  set: Record<string, string>
  /** Label keys to remove (`key-`). */
  remove: string[]
  overwrite: boolean
}

export interface DeletePodsOptions {
  selector: string
  timeoutMs?: number
}

export const DEFAULT_SELECTOR = `app=${APP}`

// Kubernetes' own rules (apimachinery validation): qualified names, label values, DNS subdomains.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined
  const name = slash >= 0 ? key.slice(slash + 1) : key
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) return false
  return name.length <= 63 && NAME.test(name)
}

export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value))
}

/** Check a label selector the way `kubectl -l` parses it; returns it trimmed, or throws UsageError. */
export function checkSelector(selector: string): string {
  const sel = selector.trim()
  if (!sel) throw new UsageError('--selector is empty')
  const bad = (why: string) => new UsageError(`--selector '${sel}' is not a label selector: ${why}`)
  const reqs: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of sel) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (depth < 0) throw bad("unbalanced ')'")
    if (ch === ',' && depth === 0) {
      reqs.push(cur)
      cur = ''
    } else cur += ch
  }
  if (depth !== 0) throw bad("unbalanced '('")
  reqs.push(cur)
  for (const raw of reqs) {
    const r = raw.trim()
    if (!r) throw bad('empty requirement')
    let m: RegExpExecArray | null
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(r))) {
      if (!isLabelKey(m[1]!)) throw bad(`'${m[1]}' is not a label key`)
      const values = m[3]!.split(',').map((v) => v.trim())
      if (!values.length || values.some((v) => !isLabelValue(v))) throw bad(`bad value list in '${r}'`)
    } else if ((m = /^!\s*(\S+)$/.exec(r))) {
      if (!isLabelKey(m[1]!)) throw bad(`'${m[1]}' is not a label key`)
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(r))) {
      if (!isLabelKey(m[1]!)) throw bad(`'${m[1]}' is not a label key`)
      if (!isLabelValue(m[3]!)) throw bad(`'${m[3]}' is not a label value`)
    } else if (!isLabelKey(r)) {
      throw bad(`cannot read '${r}'`)
    }
  }
  return sel
}

/** `author=percy` → ['author', 'percy'], or UsageError. */
export function parseSetLabel(arg: string): [string, string] {
  const eq = arg.indexOf('=')
  if (eq < 0) {
    throw new UsageError(arg.endsWith('-') ? `--set '${arg}': to remove a label use --remove ${arg.slice(0, -1)}` : `--set '${arg}' must be key=value`)
  }
  const key = arg.slice(0, eq)
  const value = arg.slice(eq + 1)
  if (!isLabelKey(key)) throw new UsageError(`--set '${arg}': '${key}' is not a valid label key`)
  if (!isLabelValue(value)) throw new UsageError(`--set '${arg}': '${value}' is not a valid label value (≤ 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric)`)
  return [key, value]
}

function podName(arg: string): string {
  const name = arg.replace(/^(po|pod|pods)\//, '')
  if (name.length > 253 || !SUBDOMAIN.test(name)) throw new UsageError(`--pod '${arg}' is not a pod name`)
  return name
}

const list = (v: ParsedFlags[string]): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])

/** Turn the flags into what to do, rejecting every contradiction with one line. */
export function parseRelabelFlags(f: ParsedFlags): { mode: 'label'; opts: RelabelOptions } | { mode: 'delete'; opts: DeletePodsOptions } {
  const pod = f.pod as string | undefined
  const selector = f.selector as string | undefined
  const sets = list(f.set)
  const removes = list(f.remove)
  if (pod !== undefined && selector !== undefined) throw new UsageError('give --pod or --selector, not both')
  if (f.delete) {
    if (pod !== undefined) throw new UsageError('--delete deletes pods by label: use --selector (default app=hellogopher), not --pod')
    if (sets.length || removes.length || f.overwrite) throw new UsageError('--delete does not take --set, --remove or --overwrite')
    return { mode: 'delete', opts: { selector: checkSelector(selector ?? DEFAULT_SELECTOR), timeoutMs: timeoutFlag(f) } }
  }
  if (pod === undefined && selector === undefined) throw new UsageError('give the pods to label: --pod <name> or --selector <selector>')
  if (!sets.length && !removes.length) throw new UsageError('nothing to change: give --set key=value and/or --remove key')
  const set: Record<string, string> = {}
  for (const s of sets) {
    const [k, v] = parseSetLabel(s)
    if (k in set && set[k] !== v) throw new UsageError(`--set ${k} is given twice with different values`)
    set[k] = v
  }
  for (const k of removes) {
    if (!isLabelKey(k)) throw new UsageError(`--remove '${k}' is not a valid label key`)
    if (k in set) throw new UsageError(`label '${k}' is both set and removed`)
  }
  const target: RelabelTarget = pod !== undefined ? { pod: podName(pod) } : { selector: checkSelector(selector!) }
  return { mode: 'label', opts: { target, set, remove: [...new Set(removes)], overwrite: !!f.overwrite } }
}

/** Does the pod already look the way the labels ask? */
export function hasLabels(p: V1Pod, set: Record<string, string>, remove: string[]): boolean {
  const labels = p.metadata?.labels ?? {}
  return Object.entries(set).every(([k, v]) => labels[k] === v) && remove.every((k) => !(k in labels))
}

/** `author=percy, no label owner` — what the wanted state reads like. */
export function describeChange(o: Pick<RelabelOptions, 'set' | 'remove'>): string {
  return [...Object.entries(o.set).map(([k, v]) => `${k}=${v}`), ...o.remove.map((k) => `no label ${k}`)].join(', ')
}

/** The `kubectl label` arguments, in the tutorial's order: target, changes, namespace, --overwrite. */
export function labelArgs(o: RelabelOptions, namespace: string): string[] {
  const target = 'pod' in o.target ? [`pod/${o.target.pod}`] : ['pods', '-l', o.target.selector]
  const changes = [...Object.entries(o.set).map(([k, v]) => `${k}=${v}`), ...o.remove.map((k) => `${k}-`)]
  return ['label', ...target, ...changes, '-n', namespace, ...(o.overwrite ? ['--overwrite'] : [])]
}

export const relabel = (deps: Deps, opts: RelabelOptions): Step => ({
  title: `Label ${'pod' in opts.target ? `pod/${opts.target.pod}` : `pods matching ${opts.target.selector}`}: ${describeChange(opts)}`,
  skip: async ({ namespace }) => {
    const kube = deps.kube()
    if ('pod' in opts.target) {
      const p = await kube.read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: opts.target.pod, namespace })
      // an absent pod is kubectl's to report, in its own words
      return p && hasLabels(p, opts.set, opts.remove) ? `pod/${opts.target.pod} already has ${describeChange(opts)}` : false
    }
    const pods = await kube.listPods(namespace, opts.target.selector)
    if (!pods.length || !pods.every((p) => hasLabels(p, opts.set, opts.remove))) return false
    return `${pods.length === 1 ? `pod/${pods[0]!.metadata?.name}` : `all ${pods.length} pods matching ${opts.target.selector}`} already ${pods.length === 1 ? 'has' : 'have'} ${describeChange(opts)}`
  },
  task: async ({ namespace }, task) => {
    // without --overwrite, kubectl refuses to change an existing value — that refusal is the lesson, so it is not pre-empted
    await kubectl(deps, labelArgs(opts, namespace), { log: logTo(task) })
  },
})

export const deletePods = (deps: Deps, opts: DeletePodsOptions): Step => ({
  title: `Delete pods matching ${opts.selector} and wait for a new one`,
  skip: async ({ namespace }) => {
    const pods = await deps.kube().listPods(namespace, opts.selector)
    return pods.length ? false : `no pod matches ${opts.selector} in ${namespace}`
  },
  task: async ({ namespace, dryRun }, task) => {
    const log = logTo(task)
    const before = dryRun ? [] : (await deps.kube().listPods(namespace, opts.selector)).map((p) => p.metadata?.name ?? '')
    if (before.length) log(`deleting ${before.join(', ')}`)
    await kubectl(deps, ['delete', 'pods', '-l', opts.selector, '-n', namespace], { log })
    if (dryRun) return
    const gone = new Set(before)
    const fresh = await deps.kube().waitForPod(namespace, opts.selector, (p) => !gone.has(p.metadata?.name ?? '') && isPodReady(p), {
      timeoutMs: opts.timeoutMs ?? ROLLOUT_DEADLINE_MS,
      what: `a new pod matching ${opts.selector} to be Running and Ready (nothing recreates pods that no Deployment owns)`,
      onProgress: changesOnly(log),
    })
    log(podSummary(fresh))
    task.title = `Deleted ${before.join(', ') || 'pods'}; new pod/${fresh.metadata?.name} is Running and Ready`
  },
})
