/**
 * Lessons 10–14: `kubectl apply --server-side -f manifests/` (or a lesson variant), with the provider's image
 * swaps shown, then wait for every Deployment in it to roll out.
 * Idempotent: skips when a server-side dry-run says no object would change and every Deployment is rolled out.
 */
import { existsSync } from 'node:fs'
import { basename, isAbsolute, join, resolve } from 'node:path'
import { DEFAULT_IMAGE_REPO, MANIFESTS_DIR, ROOT } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { KubernetesObject, V1Deployment } from '../lib/kube.ts'
import { KubeError, rolloutStatus } from '../lib/kube-state.ts'
import { kubectl } from '../lib/kubectl.ts'
import { applyOverrides, describeOverride, loadManifests, manifestObjects, renderManifests, type OverrideSpec } from '../lib/manifests.ts'
import { logTo, type Step } from '../lib/task.ts'

/** A 5.0 hellogopher crash-loops until MySQL answers; that is expected for a while, so the deadline is generous. */
export const ROLLOUT_TIMEOUT_MS = 180_000

const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass'])

export interface ApplyOptions {
  /** File or folder; default manifests/. */
  path?: string
  /** Extra image swaps (up.ts --tag: the final hellogopher tag). */
  overrides?: OverrideSpec[]
  /** Wait for Deployments to roll out (default true; a lesson showing a broken probe turns it off). */
  wait?: boolean
  timeoutMs?: number
}

/** The provider's swaps: image refs it cannot pull, and a forced pull policy on tutorial images. */
export function providerOverrides(deps: Pick<Deps, 'provider'>): OverrideSpec[] {
  const p = deps.provider
  return [{ source: p.name, images: p.imageOverrides(), pullPolicy: p.pullPolicyOverride?.(), pullPolicyRepo: DEFAULT_IMAGE_REPO }]
}

/** A relative --file is looked up from the current directory, then from the repo root. */
export function resolveManifestPath(p: string | undefined): string {
  if (!p) return MANIFESTS_DIR
  if (isAbsolute(p) || existsSync(resolve(p))) return resolve(p)
  return join(ROOT, p)
}

/** Objects without a namespace land in the context's namespace (as kubectl does). */
function withNamespace(o: KubernetesObject, fallback: string): KubernetesObject {
  if (o.metadata?.namespace || CLUSTER_SCOPED.has(o.kind ?? '')) return o
  return { ...o, metadata: { ...o.metadata, namespace: fallback } }
}

export const applyManifests = (deps: Deps, opts: ApplyOptions = {}): Step => {
  // loaded now, not in the task: secrets are registered before anything can print them, and bad YAML fails before any step runs
  const loaded = loadManifests(resolveManifestPath(opts.path))
  const { manifests, overrides } = applyOverrides(loaded, [...(opts.overrides ?? []), ...providerOverrides(deps)]) // the caller's (--tag) first, so the provider maps the final ref
  const objects = manifestObjects(manifests)
  const deployments = () => {
    const ns = deps.kube().contextNamespace
    return objects.filter((o) => o.kind === 'Deployment').map((o) => withNamespace(o, ns))
  }
  return {
    title: loaded.files.length > 1 || loaded.files[0]?.path !== loaded.source
      ? `Apply ${loaded.rel}/ (${loaded.files.map((f) => basename(f.path)).join(', ')})`
      : `Apply ${loaded.rel}`,
    skip: async () => {
      const kube = deps.kube()
      const ns = kube.contextNamespace
      // every object's dry run at once; judged in manifest order, as one after another would be
      const verdicts = await Promise.all(objects.map((o) => kube.applyWouldChange(withNamespace(o, ns)).then((changes) => ({ changes }), (error: unknown) => ({ error }))))
      for (const v of verdicts) {
        if ('changes' in v) {
          if (v.changes) return false
          continue
        }
        // 409: another field manager (kubectl set image, kubectl patch) owns a field the manifests set: applying changes it
        if (v.error instanceof KubeError && v.error.status === 409) return false
        throw v.error
      }
      const live = await Promise.all(deployments().map((d) => kube.getDeployment(d.metadata!.namespace!, d.metadata!.name!)))
      if (live.some((d) => !d || !rolloutStatus(d).done)) return false
      return `all ${objects.length} objects in ${loaded.rel} are up to date and rolled out`
    },
    task: async (ctx, task) => {
      const log = logTo(task)
      for (const o of overrides) log(describeOverride(o))
      const rendered = renderManifests(manifests, overrides, { dryRun: ctx.dryRun })
      try {
        log(`manifests: ${manifests.files.map((f) => f.rel).join(', ')}`)
        // --force-conflicts: re-applying the tutorial's final state takes back fields later lessons changed by hand
        await kubectl(deps, ['apply', '--server-side', '--force-conflicts', '-f', rendered.dir], { log })
      } finally {
        await rendered.cleanup()
      }
      if (ctx.dryRun || opts.wait === false) return
      const kube = deps.kube()
      await Promise.all(
        deployments().map((d) =>
          kube.waitForRollout(d.metadata!.namespace!, d.metadata!.name!, { timeoutMs: opts.timeoutMs ?? ROLLOUT_TIMEOUT_MS, onProgress: log }).then((r: V1Deployment) => log(rolloutStatus(r).message)),
        ),
      )
    },
  }
}
