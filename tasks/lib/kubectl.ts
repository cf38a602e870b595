/** kubectl as the tutorial types it, pinned to the run's context without the learner having to switch. */
import type { Deps } from './context.ts'
import { fileCurrentContext } from './kubeconfig.ts'
import type { Log } from './providers/types.ts'
import type { RunOpts, RunResult } from './shell.ts'

/**
 * Arguments that pin kubectl to the run's context: the resolved one (deps.context, set by prepare), else the
 * provider's. Empty only when neither names one (a unit test's fake provider; a run always has one).
 */
export function contextArgs(deps: Pick<Deps, 'provider'> & { context?: string }, explicitContext?: string): string[] {
  const ctx = explicitContext ?? deps.context ?? deps.provider.target().context
  return ctx ? ['--context', ctx] : []
}

/** Run `kubectl <args>` for this run's cluster. */
export function kubectl(deps: Pick<Deps, 'sh' | 'provider'> & { context?: string }, args: string[], opts?: RunOpts): Promise<RunResult> {
  return deps.sh.run('kubectl', [...contextArgs(deps), ...args], opts)
}

/**
 * `--current` when the run's context is the kubeconfig's current one (what the tutorial types); otherwise the
 * context by name, so another context (say, a production one that happens to be current) is never touched.
 */
export function contextRef(deps: Pick<Deps, 'provider' | 'kube'> & { context?: string }, dryRun: boolean): string {
  const target = deps.provider.target()
  const mine = dryRun ? (deps.context ?? target.context) : deps.kube().contextName
  const current = fileCurrentContext(target)
  return !mine || !current || current === mine ? '--current' : mine
}

/**
 * `kubectl config set-context <the run's context> --namespace=<ns>`: up (lesson 10) and teardown (lesson 15) both
 * change the namespace of the context they act on — never of whichever context happens to be current.
 */
export function setContextNamespace(deps: Pick<Deps, 'sh' | 'provider' | 'kube'> & { context?: string }, namespace: string, dryRun: boolean, log: Log): Promise<RunResult> {
  // `kubectl config` edits the kubeconfig file itself: it takes the context by name (or --current), not --context
  return deps.sh.run('kubectl', ['config', 'set-context', contextRef(deps, dryRun), `--namespace=${namespace}`], { log })
}
