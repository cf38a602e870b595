/**
 * Lesson 15: delete everything the tutorial made (namespace hellogopher, and what early lessons leave in
 * `default`), put the kubectl context's namespace back, optionally stop the cluster.
 * Idempotent: deletes only what exists and skips when nothing of the tutorial is left.
 */
import { APP, LEFTOVER_NAMESPACE, ROLLOUT_DEADLINE_MS } from '../lib/tutorial.ts'
import { type Ctx, type Deps } from '../lib/run.ts'
import type { Kube, KubernetesObject } from '../lib/kube.ts'
import { TimeoutError } from '../lib/kube-state.ts'
import { kubectl, setContextNamespace } from '../lib/kubectl.ts'
import { logTo, type Step } from '../lib/task.ts'
import { readState, STATE_FILE, writeState } from '../lib/state.ts'

/** What those lessons create there, by kind; only the ones that exist are deleted. */
export const LEFTOVERS: ReadonlyArray<{ apiVersion: string; kind: string; names: readonly string[] }> = [
  { apiVersion: 'apps/v1', kind: 'Deployment', names: [APP] },
  { apiVersion: 'v1', kind: 'Service', names: [APP] },
  { apiVersion: 'v1', kind: 'ConfigMap', names: ['hellogopher-config', 'database-configs'] },
  { apiVersion: 'v1', kind: 'Secret', names: ['database-secrets'] },
]

export interface TeardownOptions {
  timeoutMs?: number
  /** Where up.ts saved the namespace the context had before (tests pass their own). */
  stateFile?: string
}

export interface TeardownPlan {
  /** `delete`: it exists; `wait`: it is already terminating. */
  namespace?: 'delete' | 'wait'
  /** kubectl resource name → object names that exist in `default`. */
  leftovers: Array<{ kind: string; names: string[] }>
  /** Set the context namespace back to this (it points at the tutorial's namespace now). */
  restoreTo?: string
}

/** The namespace to go back to: the one saved before up.ts switched, else `default`. */
export function previousNamespace(ctx: Pick<Ctx, 'namespace' | 'previousNamespace'>, stateFile = STATE_FILE): string {
  const prev = ctx.previousNamespace ?? readState(stateFile).previousNamespace
  return prev && prev !== ctx.namespace ? prev : 'default'
}

/** Read what is left (API reads only). */
export async function planTeardown(kube: Kube, ctx: Pick<Ctx, 'namespace' | 'previousNamespace'>, stateFile = STATE_FILE): Promise<TeardownPlan> {
  const nsObj = await kube.read({ apiVersion: 'v1', kind: 'Namespace', name: ctx.namespace })
  const found = await Promise.all(
    LEFTOVERS.map(async ({ apiVersion, kind, names }) => {
      const present = await Promise.all(names.map((name) => kube.read({ apiVersion, kind, name, namespace: LEFTOVER_NAMESPACE })))
      return { kind: kind.toLowerCase(), names: names.filter((_, i) => present[i]) }
    }),
  )
  return {
    namespace: !nsObj ? undefined : nsObj.metadata?.deletionTimestamp ? 'wait' : 'delete',
    leftovers: found.filter((f) => f.names.length),
    restoreTo: kube.contextNamespace === ctx.namespace ? previousNamespace(ctx, stateFile) : undefined,
  }
}

export function isClean(p: TeardownPlan): boolean {
  return !p.namespace && !p.leftovers.length && !p.restoreTo
}

/** Under --dry-run nothing is read: show every command teardown can run. */
function fullPlan(ctx: Pick<Ctx, 'namespace' | 'previousNamespace'>, stateFile: string): TeardownPlan {
  return {
    namespace: 'delete',
    leftovers: LEFTOVERS.map(({ kind, names }) => ({ kind: kind.toLowerCase(), names: [...names] })),
    restoreTo: previousNamespace(ctx, stateFile),
  }
}

/** What keeps a namespace from going away (its status conditions), for the timeout message. */
function stuckReason(ns: KubernetesObject | undefined): string {
  const conds = ((ns as { status?: { conditions?: Array<{ type?: string; status?: string; message?: string }> } })?.status?.conditions ?? [])
    .filter((c) => c.status === 'True')
    .map((c) => `${c.type}: ${c.message ?? ''}`.trim())
  return conds.length ? conds.join('; ') : 'no condition reported'
}

export const teardown = (deps: Deps, opts: TeardownOptions = {}): Step => {
  const stateFile = opts.stateFile ?? STATE_FILE
  return {
    title: 'Delete everything the tutorial made and restore the context namespace',
    skip: async (ctx) => (isClean(await planTeardown(deps.kube(), ctx, stateFile)) ? 'nothing of the tutorial is left' : false),
    task: async (ctx, task) => {
      const log = logTo(task)
      const plan = ctx.dryRun ? fullPlan(ctx, stateFile) : await planTeardown(deps.kube(), ctx, stateFile)
      for (const { kind, names } of plan.leftovers) {
        await kubectl(deps, ['delete', kind, ...names, '-n', LEFTOVER_NAMESPACE, '--ignore-not-found'], { log })
      }
      if (plan.namespace === 'delete') {
        // --wait=false: the watch below waits instead, with a deadline and a reason when it is stuck
        await kubectl(deps, ['delete', 'namespace', ctx.namespace, '--wait=false'], { log })
      }
      if (plan.namespace && !ctx.dryRun) {
        const ref = { apiVersion: 'v1', kind: 'Namespace', name: ctx.namespace }
        const timeoutMs = opts.timeoutMs ?? ROLLOUT_DEADLINE_MS
        log(`waiting for namespace/${ctx.namespace} to be gone (its pods stop first)`)
        try {
          await deps.kube().waitForDeletion(ref, { timeoutMs, onProgress: log })
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e
          const ns = await deps.kube().read(ref)
          throw new Error(`namespace/${ctx.namespace} is still terminating after ${Math.round(timeoutMs / 1000)}s: ${stuckReason(ns)} — see kubectl get all -n ${ctx.namespace}`)
        }
        log(`namespace/${ctx.namespace} is gone`)
      }
      if (plan.restoreTo) {
        // the namespace of the context this run acted on (by name when it is not the current one), as up set it
        await setContextNamespace(deps, plan.restoreTo, ctx.dryRun, log)
        if (!ctx.dryRun) writeState({ previousNamespace: undefined }, stateFile)
      }
      if (!ctx.dryRun) task.title = 'Nothing of the tutorial is left'
    },
  }
}

export const stopCluster = (deps: Deps): Step => ({
  title: `Stop the cluster (${deps.provider.name})`,
  skip: async () => ((await deps.provider.status(deps.sh)).running ? false : 'the cluster is already stopped'),
  task: async (_ctx, task) => {
    await deps.provider.stop(deps.sh, logTo(task))
  },
})
