/**
 * The whole tutorial to its final state, as one flat list that reads like its table of contents:
 * tools → cluster → docker env → images 1.0–5.0 → manifests/ → context namespace → NodePort → "Hello gopher".
 * Idempotent: every step skips what is already done, so a second run only checks.
 */
import { command } from './lib/command.ts'
import { APP, imageRef } from './lib/tutorial.ts'
import { type Ctx, type Deps } from './lib/run.ts'
import type { OverrideSpec } from './lib/manifests.ts'
import { MINIKUBE_FLAGS } from './lib/providers/minikube.ts'
import { spec, type Step } from './lib/task.ts'
import { applyManifests } from './steps/apply.ts'
import { buildImages } from './steps/build-images.ts'
import { assertCanRun, preflight } from './steps/preflight.ts'
import { dockerEnv } from './steps/docker-env.ts'
import { expose } from './steps/expose.ts'
import { startCluster } from './steps/start-cluster.ts'
import { useNamespace } from './steps/use-namespace.ts'
import { EXPECTED_BODY, verifyHello, type VerifyResult } from './steps/verify-hello.ts'

/** The tag manifests/02_hellogopher.yml names. */
export const MANIFEST_TAG = '5.0'

export interface UpOptions {
  skipBuild?: boolean
  result?: VerifyResult
}

/** The tutorial, in order. */
export function upSteps(deps: Deps, ctx: Ctx, opts: UpOptions = {}): Step[] {
  const finalTag: OverrideSpec[] =
    ctx.tag === MANIFEST_TAG ? [] : [{ source: `--tag ${ctx.tag}`, images: { [imageRef(ctx, MANIFEST_TAG)]: imageRef(ctx, ctx.tag) } }]
  const builds = buildImages(deps, ctx.tags).map((s) => (opts.skipBuild ? { ...s, enabled: false } : s))
  return [
    preflight(deps),
    startCluster(deps),
    dockerEnv(deps),
    ...builds,
    applyManifests(deps, { overrides: finalTag }),
    useNamespace(deps),
    expose(deps),
    verifyHello(deps, opts.result),
  ]
}

/** What to try next, printed after the list. */
export function finalLines(ctx: Ctx, url: string | undefined, reopen?: string): string {
  const lines = ctx.dryRun
    ? ['', 'Dry run: nothing was changed. Run it for real with: npx tsx tasks/up.ts']
    : ['', `${APP} ${ctx.tag} answers "${EXPECTED_BODY}" at ${url ?? '(see above)'} (namespace ${ctx.namespace})`]
  // a tunnel's URL died with the tunnel: the learner opens it again, in a terminal of its own
  if (reopen && !ctx.dryRun) lines.push(`That address was minikube's tunnel, closed now: ${reopen} opens it again (keep that terminal open)`)
  const next: Array<[string, string]> = [
    reopen ? [reopen, 'the address of the app (a tunnel: keep it running), then curl it'] : [`curl ${url ?? '<url>'}`, 'the app itself'],
    ['npx tsx tasks/rollout.ts --tag 2.0', 'a rolling update, then the liveness probe at work (lesson 7)'],
    ['npx tsx tasks/lesson.ts --list', 'every lesson, one at a time'],
    ['npx tsx tasks/teardown.ts', 'remove it all and restore the context namespace (lesson 15)'],
  ]
  const w = Math.max(...next.map(([c]) => c.length)) + 3
  lines.push('', 'Try next:', ...next.map(([c, what]) => `  ${c.padEnd(w)}${what}`))
  return `${lines.join('\n')}\n`
}

const cmd = spec(
  'tasks/up.ts',
  'The whole tutorial to its final state: cluster, images 1.0–5.0, namespace + MySQL + ConfigMap + Secret + hellogopher, NodePort, and a check that it answers. Every step skips what is already done.',
  {
    tag: { type: 'string', description: 'hellogopher tag the run ends on', default: MANIFEST_TAG },
    'skip-build': { type: 'boolean', description: 'do not build images (they must already be in the cluster runtime)' },
    ...MINIKUBE_FLAGS,
  },
  { examples: ['npx tsx tasks/up.ts --dry-run', 'npx tsx tasks/up.ts', 'npx tsx tasks/up.ts --provider minikube --tag 4.0', 'npx tsx tasks/up.ts --profile learn --driver docker'] },
)

await command({
  spec: cmd,
  options: ({ flags }) => ({ tag: flags.tag as string, skipBuild: !!flags['skip-build'], result: {} as VerifyResult }),
  ctx: ({ tag }) => ({ tag }),
  // the cluster may not exist yet: assertCanRun decides, in one line, whether it can; the guard and the ping when it runs.
  // The remote provider pulls from a registry: without --registry it fails now, not after five builds.
  // One run at a time: the lock is taken once everything is checked, just before the first change.
  guard: { mutates: true, mayStart: assertCanRun, lock: true, needsRegistry: true },
  steps: ({ deps, ctx, options }) => upSteps(deps, ctx, { skipBuild: options.skipBuild, result: options.result }),
  after: ({ ctx, options: { result } }) => finalLines(ctx, result.url, result.reopen),
}).mainIf(import.meta.url)
