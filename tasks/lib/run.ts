/**
 * What every task of a run shares: its settings (Ctx, carried through a listr2 list) and its dependencies
 * (Deps: shell, cluster client, provider — injected so tests can pass fakes).
 */
import type { Kube } from './kube.ts'
import type { Provider } from './providers/types.ts'
import type { Shell } from './shell.ts'
import { DEFAULT_IMAGE_REPO, NAMESPACE, tagNames } from './tutorial.ts'

export interface Ctx {
  namespace: string
  /** The hellogopher tag the run ends on (up: 5.0). */
  tag: string
  /** Tags build-images builds. */
  tags: string[]
  imageRepo: string
  dryRun: boolean
  verbose: boolean
  /** Captured once by docker-env, passed to later steps' commands. */
  dockerEnv?: Record<string, string>
  /** The namespace the kubectl context pointed at before the tutorial switched it (restored by teardown). */
  previousNamespace?: string
}

export function defaultCtx(over: Partial<Ctx> = {}): Ctx {
  return {
    namespace: NAMESPACE,
    tag: '5.0',
    tags: tagNames(),
    imageRepo: DEFAULT_IMAGE_REPO,
    dryRun: false,
    verbose: false,
    ...over,
  }
}

/** The ref the cluster runs for a tutorial image: the provider's override (a registry ref) or the tutorial's own. */
export function clusterImage(deps: Pick<Deps, 'provider'>, image: string): string {
  return deps.provider.imageOverrides()[image] ?? image
}

export interface Deps {
  sh: Shell
  /** Created on first use, so --dry-run never needs a kubeconfig or a cluster. */
  kube: () => Kube
  provider: Provider
  /**
   * The context the run acts on, from the one kubeconfig resolution (set by prepare): every kubectl command is
   * pinned to it with --context, so nothing drifts if the kubeconfig's current context changes mid-run.
   */
  context?: string
}
