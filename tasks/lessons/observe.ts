/**
 * How a lesson shows what a learner must see: the command a person would type to look (echoed, with the lines
 * of its output that matter) and a check of the same fact through the API, waiting by watch with a deadline.
 */
import type { Ctx, Deps } from '../lib/run.ts'
import type { Kube, V1Pod } from '../lib/kube.ts'
import { podSummary, TimeoutError } from '../lib/kube-state.ts'
import { kubectl } from '../lib/kubectl.ts'
import { redact } from '../lib/redact.ts'
import type { RunResult } from '../lib/shell.ts'
import { logTo, type Step } from '../lib/task.ts'
import { NotSeen } from './types.ts'

export type Log = (line: string) => void

export interface LookOptions {
  /** The lines of the output that matter (default: all of them). */
  pick?: RegExp
  /** Show at most this many lines. */
  max?: number
  /** A failing command is part of what the learner sees (its output is shown, nothing is thrown). */
  allowFail?: boolean
  env?: Record<string, string | undefined>
  cwd?: string
}

/** The non-empty lines of `text` that match `pick`, at most `max`. */
export function pickLines(text: string, pick?: RegExp, max = 25): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() && (!pick || pick.test(l)))
    .slice(0, max)
}

/** Run a command the way a learner looks (echoed), then show the lines of its output that matter. */
export async function lookWith(deps: Pick<Deps, 'sh'>, log: Log, bin: string, args: string[], o: LookOptions = {}): Promise<RunResult> {
  const r = await deps.sh.run(bin, args, { log, allowFail: o.allowFail, env: o.env, cwd: o.cwd })
  for (const line of pickLines(`${r.stdout}\n${r.stderr}`, o.pick, o.max)) log(`  ${line}`)
  return r
}

/** `kubectl <args>` for this run's cluster, as a learner looks. */
export function look(deps: Pick<Deps, 'sh' | 'provider'>, log: Log, args: string[], o: LookOptions = {}): Promise<RunResult> {
  return kubectl(deps, args, { log, allowFail: o.allowFail, env: o.env, cwd: o.cwd }).then((r) => {
    for (const line of pickLines(`${r.stdout}\n${r.stderr}`, o.pick, o.max)) log(`  ${line}`)
    return r
  })
}

export interface Observation {
  /** What is looked at, e.g. `the pod's readiness (kubectl get pods, kubectl describe pod)`. */
  title: string
  /** What must be seen, in a learner's words; the step's title once seen, and the failure's first half. */
  expect: string
  /** Under --dry-run (no cluster, nothing read): the kubectl commands a learner would use to look. */
  looks?: string[][]
  /** Runs under --dry-run too (it reads nothing of the cluster, e.g. lesson 0's tool versions). */
  local?: boolean
  /** Wait for it, show it, check it. Throws NotSeen when something else shows; returns what was seen. */
  check(ctx: Ctx, log: Log): Promise<string>
}

/** A deadline passing while waiting for the observable is "not seen", with what the wait saw last. */
export function asNotSeen(e: unknown, expected: string): unknown {
  return e instanceof TimeoutError ? new NotSeen(expected, `${e.lastSeen} (after waiting ${e.seconds}s for ${e.what})`) : e
}

const observations = new WeakSet<Step>()

/** Is this one of a lesson's observation steps (made by observe())? */
export const isObservation = (step: Step): boolean => observations.has(step)

/** The step that shows and checks a lesson's observable. A check: never skipped. */
export const observe = (deps: Deps, o: Observation): Step => {
  const step = observeStep(deps, o)
  observations.add(step)
  return step
}

const observeStep = (deps: Deps, o: Observation): Step => ({
  title: `Look at ${o.title}`,
  task: async (ctx, task) => {
    const log = logTo(task)
    if (ctx.dryRun && !o.local) {
      for (const args of o.looks ?? []) await kubectl(deps, args, { log })
      log(`expect: ${o.expect}`)
      return
    }
    try {
      const seen = await o.check(ctx, log)
      // "Seen:" only ever carries what was seen, never the expectation standing in for it
      if (typeof seen !== 'string' || !seen.trim()) throw new NotSeen(o.expect, 'the check reported nothing it saw')
      task.title = redact(`Seen: ${seen}`)
    } catch (e) {
      throw asNotSeen(e, o.expect)
    }
  },
})

export const CONTAINER = 'hellogopher'

/** The image of a pod's container (the app's by default). */
export function imageOf(p: V1Pod, container = CONTAINER): string | undefined {
  return p.spec?.containers.find((c) => c.name === container)?.image ?? p.spec?.containers[0]?.image
}

const created = (p: V1Pod) => new Date((p.metadata?.creationTimestamp as unknown as string) ?? 0).getTime()

/** The newest pod of a selector that is not going away (and passes `filter`), or undefined. */
export async function newestPod(kube: Kube, namespace: string, selector: string, filter: (p: V1Pod) => boolean = () => true): Promise<V1Pod | undefined> {
  const pods = (await kube.listPods(namespace, selector)).filter((p) => !p.metadata?.deletionTimestamp && filter(p))
  return pods.sort((a, b) => created(b) - created(a))[0]
}

/** Watch one pod by name until `done` says so; `done` may throw NotSeen when the pod shows the opposite. */
export function watchPod(kube: Kube, namespace: string, name: string, done: (p: V1Pod) => boolean, opts: { timeoutMs: number; what: string; onProgress?: Log }): Promise<V1Pod> {
  return kube.watchUntil<V1Pod, V1Pod>(
    `/api/v1/namespaces/${namespace}/pods`,
    { fieldSelector: `metadata.name=${name}` },
    (p, phase) => {
      if (phase === 'DELETED') throw new NotSeen(opts.what, `pod/${name} was deleted`)
      opts.onProgress?.(podSummary(p))
      return done(p) ? p : undefined
    },
    { ...opts, describe: (p) => (p ? podSummary(p) : `no pod/${name}`) },
  )
}

/** The exit of a container that stopped (now, or before its last restart), if any. */
export function lastExit(p: V1Pod, container = CONTAINER): { reason?: string; exitCode: number } | undefined {
  const c = p.status?.containerStatuses?.find((s) => s.name === container) ?? p.status?.containerStatuses?.[0]
  const t = c?.state?.terminated ?? c?.lastState?.terminated
  return t ? { reason: t.reason, exitCode: t.exitCode } : undefined
}

export function restartsOf(p: V1Pod): number {
  return (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0)
}

/** `KEY=value` lines (what `env` prints) as a map. */
export function envLines(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1).replace(/\r$/, '')
  }
  return env
}
