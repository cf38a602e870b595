/**
 * Roll deployment/hellogopher to another image tag (lesson 7: `kubectl set image`, or edit the YAML and
 * `kubectl apply -f`). Idempotent: skips when the template, the rollout and every ready pod already run that tag.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { APP, imageRef, MANIFESTS_DIR, ROOT, ROLLOUT_DEADLINE_MS } from '../lib/tutorial.ts'
import { clusterImage, type Ctx, type Deps } from '../lib/run.ts'
import type { Kube, V1Deployment, V1Pod } from '../lib/kube.ts'
import { isPodReady, podSummary, rolloutStatus, TimeoutError } from '../lib/kube-state.ts'
import { kubectl } from '../lib/kubectl.ts'
import { changesOnly, logTo, type Step } from '../lib/task.ts'

export type RolloutVia = 'set-image' | 'apply'

export interface RolloutOptions {
  via?: RolloutVia
  timeoutMs?: number
}

/** `app=hellogopher` from the deployment's own selector, so the pods read are exactly the ones it owns. */
export function selectorOf(d: V1Deployment | undefined): string {
  const labels = d?.spec?.selector?.matchLabels
  return labels && Object.keys(labels).length ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') : `app=${APP}`
}

function containerImage(containers: Array<{ name: string; image?: string }> | undefined): string | undefined {
  return containers?.find((c) => c.name === APP)?.image
}

/** Template on `image`, rollout finished, and every ready pod running it — nothing left to do. */
export function alreadyRuns(d: V1Deployment, pods: V1Pod[], image: string): boolean {
  if (containerImage(d.spec?.template?.spec?.containers) !== image) return false
  if (!rolloutStatus(d).done) return false
  return pods.filter(isPodReady).every((p) => containerImage(p.spec?.containers) === image)
}

function newest(pods: V1Pod[]): V1Pod | undefined {
  const t = (p: V1Pod) => new Date((p.metadata?.creationTimestamp as unknown as string) ?? 0).getTime()
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp)
  return (live.length ? live : pods).reduce<V1Pod | undefined>((a, p) => (!a || t(p) >= t(a) ? p : a), undefined)
}

function lastLine(text: string | undefined): string | undefined {
  const line = text?.split('\n').map((l) => l.trim()).filter(Boolean).pop()
  return line && line.length > 200 ? `${line.slice(0, 197)}...` : line
}

/**
 * Where a crashed container's output is: while it runs again or waits to (CrashLoopBackOff), in the instance
 * before the restart (`kubectl logs --previous`); once it has stopped, in its own log — the instance before that
 * may already be garbage-collected by the kubelet, and asking for it fails.
 */
export function crashInPreviousLog(pod: V1Pod, container = APP): boolean {
  const c = (pod.status?.containerStatuses ?? []).find((s) => s.name === container)
  return !!c && !c.state?.terminated && !!c.lastState?.terminated
}

/**
 * One line about the newest pod of a selector: its state, its last Event and (with `logs`) the last line
 * its container wrote — what a person would look at with `kubectl describe` and `kubectl logs`.
 */
export async function diagnoseNewestPod(kube: Kube, namespace: string, selector: string, { logs = false } = {}): Promise<string> {
  const pod = newest(await kube.listPods(namespace, selector))
  if (!pod) return `no pod matches ${selector} in ${namespace}`
  const name = pod.metadata?.name ?? '?'
  const parts = [`newest ${podSummary(pod)}`]
  const ev = (await kube.eventsFor(namespace, 'Pod', name)).pop()
  if (ev) parts.push(`last event: ${ev.reason ?? ''} ${(ev.message ?? '').trim()}`.trim())
  if (logs) {
    const previous = crashInPreviousLog(pod)
    try {
      const text = await kube.podLog(namespace, name, { container: APP, previous, tailLines: 20, what: `read logs of pod/${name}` })
      const line = lastLine(text)
      parts.push(line ? `last log: ${line}` : 'no log lines')
    } catch (e) {
      // the rollout already failed; a log that cannot be read must not hide that
      parts.push(`log unavailable (${(e as Error).message})`)
    }
  }
  return parts.join('; ')
}

export interface ExplainedWaitOptions {
  timeoutMs: number
  onProgress?: (line: string) => void
  /** Include the newest pod's last log line when the deadline passes. */
  logs?: boolean
  /** What to tell the learner after the diagnosis. */
  hint?: string
}

/** kube.waitForRollout, whose timeout says what the newest pod is doing (state, last Event, last log). */
export async function waitForRolloutExplained(kube: Kube, namespace: string, name: string, opts: ExplainedWaitOptions): Promise<V1Deployment> {
  try {
    return await kube.waitForRollout(namespace, name, { timeoutMs: opts.timeoutMs, onProgress: opts.onProgress })
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e
    const last = e.lastSeen
    const d = await kube.getDeployment(namespace, name)
    const diagnosis = await diagnoseNewestPod(kube, namespace, selectorOf(d), { logs: opts.logs })
    throw new Error(
      `deployment/${name} did not finish rolling out within ${Math.round(opts.timeoutMs / 1000)}s (${last}); ${diagnosis}${opts.hint ? ` — ${opts.hint}` : ''}`,
    )
  }
}

/** manifests/02_hellogopher.yml with the image changed — the "edit the YAML" half of lesson 7. */
export function renderDeployment(deps: Pick<Deps, 'provider'>, ctx: Pick<Ctx, 'namespace' | 'imageRepo' | 'tag'>): string {
  const docs = parseAllDocuments(readFileSync(join(MANIFESTS_DIR, '02_hellogopher.yml'), 'utf8'))
  const doc = docs.find((d) => d.get('kind') === 'Deployment' && d.getIn(['metadata', 'name']) === APP)
  if (!doc) throw new Error(`manifests/02_hellogopher.yml has no Deployment ${APP}`)
  doc.setIn(['metadata', 'namespace'], ctx.namespace)
  const containers = doc.getIn(['spec', 'template', 'spec', 'containers']) as { items: Array<{ get(k: string): unknown; set(k: string, v: unknown): void }> }
  const c = containers.items.find((i) => i.get('name') === APP)
  if (!c) throw new Error(`manifests/02_hellogopher.yml has no container ${APP}`)
  c.set('image', clusterImage(deps, imageRef(ctx, ctx.tag)))
  const pull = deps.provider.pullPolicyOverride?.()
  if (pull) c.set('imagePullPolicy', pull)
  return doc.toString()
}

export const rollout = (deps: Deps, opts: RolloutOptions = {}): Step => ({
  title: 'Roll out hellogopher to the requested tag',
  skip: async (ctx) => {
    const d = await deps.kube().getDeployment(ctx.namespace, APP)
    if (!d) return false // task says how to create it
    const pods = await deps.kube().listPods(ctx.namespace, selectorOf(d))
    return alreadyRuns(d, pods, clusterImage(deps, imageRef(ctx, ctx.tag))) ? `deployment/${APP} already runs ${ctx.tag}` : false
  },
  task: async (ctx, task) => {
    const image = imageRef(ctx, ctx.tag)
    const log = logTo(task)
    task.title = `Roll out ${APP} ${ctx.tag} (${opts.via === 'apply' ? 'kubectl apply -f' : 'kubectl set image'})`
    if (!ctx.dryRun) {
      if (!(await deps.kube().getDeployment(ctx.namespace, APP))) {
        throw new Error(`deployment/${APP} does not exist in namespace ${ctx.namespace} — create it first: npx tsx tasks/apply.ts`)
      }
      if (!(await deps.provider.imageInRuntime(deps.sh, image))) {
        throw new Error(`image ${image} is not in the cluster's runtime — build it: npx tsx tasks/build-images.ts --tag ${ctx.tag}`)
      }
    }
    if (opts.via === 'apply') {
      const file = join(ROOT, '.cache', 'rollout', `${APP}-${ctx.tag}.yml`)
      mkdirSync(join(ROOT, '.cache', 'rollout'), { recursive: true })
      writeFileSync(file, renderDeployment(deps, ctx))
      await kubectl(deps, ['apply', '-f', relative(ROOT, file)], { log, cwd: ROOT })
    } else {
      await kubectl(deps, ['set', 'image', `deployment/${APP}`, `${APP}=${clusterImage(deps, image)}`, '-n', ctx.namespace], { log })
    }
    if (ctx.dryRun) return
    const timeoutMs = opts.timeoutMs ?? ROLLOUT_DEADLINE_MS
    await waitForRolloutExplained(deps.kube(), ctx.namespace, APP, { timeoutMs, onProgress: changesOnly(log) })
    task.title = `deployment/${APP} runs ${ctx.tag}`
  },
})
