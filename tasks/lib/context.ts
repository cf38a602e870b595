/**
 * What every task shares: the run's settings (Ctx, carried through a listr2 list) and its dependencies
 * (Deps: shell, cluster client, provider — injected so tests can pass fakes).
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kube } from './kube.ts'
import type { Provider } from './providers/types.ts'
import type { Shell } from './shell.ts'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const MANIFESTS_DIR = join(ROOT, 'manifests')
export const HELLOGOPHER_DIR = join(ROOT, 'hellogopher')

/** The tutorial's names. */
export const NAMESPACE = 'hellogopher'
export const APP = 'hellogopher'
export const DEFAULT_IMAGE_REPO = 'programmingpercy/hellogopher'
/** Where lessons 3–9 and 12 work before the tutorial has a namespace of its own. */
export const LEFTOVER_NAMESPACE = 'default'
/** The APIService metrics-server registers (lesson 9's `kubectl top`, lesson 14, the lab). */
export const METRICS_API = 'v1beta1.metrics.k8s.io'
/** How long a rollout may take before it counts as failed (--timeout's default). */
export const ROLLOUT_DEADLINE_MS = 120_000

export interface TagSpec {
  timeoutSeconds: number
  database: boolean
  summary?: string
}

/** Tags 1.0–5.0 and what each build does; hellogopher/tags.json is the one source of truth. */
export function loadTags(): Record<string, TagSpec> {
  return JSON.parse(readFileSync(join(HELLOGOPHER_DIR, 'tags.json'), 'utf8')) as Record<string, TagSpec>
}

export function tagNames(): string[] {
  return Object.keys(loadTags()).sort((a, b) => Number(a) - Number(b))
}

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

export function imageRef(ctx: Pick<Ctx, 'imageRepo'>, tag: string): string {
  return `${ctx.imageRepo}:${tag}`
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
