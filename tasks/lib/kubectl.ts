/** kubectl as the tutorial types it, pointed at the provider's context without the learner having to switch. */
import type { Deps } from './context.ts'
import type { RunOpts, RunResult } from './shell.ts'

/** Arguments that pin kubectl to the run's context (empty when the kubeconfig's current context is already it). */
export function contextArgs(deps: Pick<Deps, 'provider'>, explicitContext?: string): string[] {
  const ctx = explicitContext ?? deps.provider.target().context
  return ctx && !deps.provider.target().kubeconfig ? ['--context', ctx] : []
}

/** Run `kubectl <args>` for this run's cluster. */
export function kubectl(deps: Pick<Deps, 'sh' | 'provider'>, args: string[], opts?: RunOpts): Promise<RunResult> {
  return deps.sh.run('kubectl', [...contextArgs(deps), ...args], opts)
}
