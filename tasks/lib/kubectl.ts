/**
 * kubectl: the one place `'kubectl', argv` is run. The tutorial's commands (lessons, steps) go through kubectl(),
 * pinned to the run's context without the learner having to switch; the lab's own set-up runs kubectlArgs through
 * runKubectl with its admin kubeconfig in the environment.
 */
import type { Deps } from './run.ts'
import { fileCurrentContext } from './kubeconfig.ts'
import type { Log } from './providers/types.ts'
import type { RunOpts, RunResult, Shell } from './shell.ts'

/**
 * Arguments that pin kubectl to the run's context: the resolved one (deps.context, set by prepare), else the
 * provider's. Empty only when neither names one (a unit test's fake provider; a run always has one).
 */
export function contextArgs(deps: Pick<Deps, 'provider'> & { context?: string }, explicitContext?: string): string[] {
  const ctx = explicitContext ?? deps.context ?? deps.provider.target().context
  return ctx ? ['--context', ctx] : []
}

/** kubectl's argv for the verbs the project's own set-up uses (the tutorial's commands are written in its lessons). */
export const kubectlArgs = {
  applyServerSide: (file: string) => ['apply', '--server-side', '-f', file],
  rolloutStatus: (namespace: string, target: string, timeoutSeconds: number) => ['-n', namespace, 'rollout', 'status', target, `--timeout=${timeoutSeconds}s`],
  /** `kubectl config` edits the kubeconfig file itself: it takes the context by name (or --current), not --context. */
  setContextNamespace: (contextRef: string, namespace: string) => ['config', 'set-context', contextRef, `--namespace=${namespace}`],
}

/** Run `kubectl <args>` as given: the cluster is whatever opts.env's KUBECONFIG (or the environment) names. */
export function runKubectl(sh: Shell, args: string[], opts?: RunOpts): Promise<RunResult> {
  return sh.run('kubectl', args, opts)
}

/** Run `kubectl <args>` for this run's cluster. */
export function kubectl(deps: Pick<Deps, 'sh' | 'provider'> & { context?: string }, args: string[], opts?: RunOpts): Promise<RunResult> {
  return runKubectl(deps.sh, [...contextArgs(deps), ...args], opts)
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
  return runKubectl(deps.sh, kubectlArgs.setContextNamespace(contextRef(deps, dryRun), namespace), { log })
}
