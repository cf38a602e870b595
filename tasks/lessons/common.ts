/**
 * What every lesson is built from: the cluster and images (the same factories as up.ts), a reset of what an
 * earlier lesson left, the starting points lessons share, and small wrappers that let a lesson reuse a task
 * factory whose options are only known while it runs.
 */
import { join } from 'node:path'
import { APP, MANIFESTS_DIR, NAMESPACE, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import { type Ctx, type Deps } from '../lib/run.ts'
import { kubectl } from '../lib/kubectl.ts'
import { redact } from '../lib/redact.ts'
import { CommandError } from '../lib/shell.ts'
import { logTo, type Step } from '../lib/task.ts'
import { applyManifests, type ApplyOptions } from '../steps/apply.ts'
import { buildImages, DEFAULT_BASE } from '../steps/build-images.ts'
import { dockerEnv } from '../steps/docker-env.ts'
import { expose } from '../steps/expose.ts'
import { startCluster } from '../steps/start-cluster.ts'
import { teardown } from '../steps/teardown.ts'
import { useNamespace } from '../steps/use-namespace.ts'
import { NotSeen } from './types.ts'

export const LESSON_MANIFESTS = join(MANIFESTS_DIR, 'lessons')

/** manifests/lessons/<file> */
export const lessonFile = (file: string): string => join(LESSON_MANIFESTS, file)

/** Pods some lessons make beside the Deployment (lesson 3's image that is not there, lesson 8's OOM demo). */
export const DEMO_PODS = ['hellogopher-not-built', 'oom-demo'] as const

/** Every pod an earlier lesson may have left in `default`. */
export const OLD_PODS = `app in (${[APP, ...DEMO_PODS].join(',')})`

export const POD_GONE_TIMEOUT_MS = 90_000

const cleanups: Array<() => void> = []

/** Something to undo when the lesson ends, however it ends (a watch still open, …). */
export function onCleanup(fn: () => void): void {
  cleanups.push(fn)
}

/** Run (and forget) every cleanup; lesson.ts calls it after the list, failed or not. */
export function runCleanups(): void {
  for (const fn of cleanups.splice(0)) {
    try {
      fn()
    } catch {
      // a cleanup that fails must not hide the lesson's own result
    }
  }
}

/** Prefix a factory's title, so the learner sees which steps only set the lesson up. */
export function labelled(prefix: string, step: Step): Step {
  return { ...step, title: `${prefix}: ${String(step.title)}` }
}

/** Run a step with some settings changed (e.g. teardown on namespace hellogopher while a lesson works in default). */
export function withCtx(step: Step, over: Partial<Ctx>): Step {
  const skip = step.skip
  return {
    ...step,
    skip: typeof skip === 'function' ? (ctx: Ctx) => skip({ ...ctx, ...over }) : skip,
    task: (ctx, task) => step.task({ ...ctx, ...over }, task),
  }
}

/**
 * A factory whose options are known only while the lesson runs (a pod's generated name): it is built then,
 * and its own skip is honoured. Under --dry-run `build` gets placeholders.
 */
export function deferred(title: string, build: (ctx: Ctx) => Step | Promise<Step>): Step {
  return {
    title,
    task: async (ctx, task) => {
      const step = await build(ctx)
      if (step.title) task.title = redact(String(step.title))
      if (!ctx.dryRun && typeof step.skip === 'function') {
        const reason = await step.skip(ctx)
        if (reason) return task.skip(typeof reason === 'string' ? reason : undefined)
      }
      return step.task(ctx, task)
    },
  }
}

/**
 * A command the lesson expects kubectl to REFUSE (e.g. relabel without --overwrite): its refusal, in kubectl's
 * words, is what the learner must see. It going through is "not seen". The refusal is read from kubectl's stderr, not
 * from the message this project composes around it.
 */
export function expectRefusal(step: Step, refusal: RegExp, expected: string): Step {
  return {
    ...step,
    skip: undefined,
    task: async (ctx, task) => {
      try {
        await step.task(ctx, task)
      } catch (e) {
        if (e instanceof CommandError && refusal.test(e.stderr)) {
          const said = e.said ? `${e.said}${e.hint ? ` — ${e.hint}` : ''}` : e.message
          task.output = redact(`refused, as expected: ${said}`)
          task.title = redact(`Seen: ${expected} — ${said}`)
          return
        }
        throw e
      }
      if (!ctx.dryRun) throw new NotSeen(expected, 'kubectl accepted the change')
      task.title = `${String(task.title)} — expect: ${expected}`
    },
  }
}

/** Lessons 1–2's part of up.ts: the cluster runs, docker points at it, the lesson's images are built into it. */
export function clusterWithImages(deps: Deps, tags: readonly string[]): Step[] {
  return [startCluster(deps), dockerEnv(deps), ...buildImages(deps, tags)].map((s) => labelled('Setup', s))
}

/** Pods of an earlier lesson left in `default` (demo pods, and the Deployment's pods still shutting down) are gone. */
export const clearOldPods = (deps: Deps): Step => ({
  title: `Remove the demo pods (${DEMO_PODS.join(', ')}) and wait until no pod of an earlier lesson is left in ${LEFTOVER_NAMESPACE}`,
  skip: async () => ((await deps.kube().listPods(LEFTOVER_NAMESPACE, OLD_PODS)).length ? false : `no pod of an earlier lesson is left in ${LEFTOVER_NAMESPACE}`),
  task: async (ctx, task) => {
    const log = logTo(task)
    const left = ctx.dryRun ? [] : await deps.kube().listPods(LEFTOVER_NAMESPACE, OLD_PODS)
    const demo = DEMO_PODS.filter((n) => ctx.dryRun || left.some((p) => p.metadata?.name === n))
    if (demo.length) await kubectl(deps, ['delete', 'pod', ...demo, '-n', LEFTOVER_NAMESPACE, '--ignore-not-found', '--wait=false'], { log })
    if (ctx.dryRun) return
    for (const p of left) {
      const name = p.metadata?.name ?? ''
      log(`waiting for pod/${name} to be gone`)
      await deps.kube().waitForDeletion({ apiVersion: 'v1', kind: 'Pod', name, namespace: LEFTOVER_NAMESPACE }, { timeoutMs: POD_GONE_TIMEOUT_MS })
    }
  },
})

/**
 * Back to a clean cluster: teardown's factory (namespace hellogopher, what early lessons leave in `default`,
 * the context namespace restored), then the lessons' own leftovers. Idempotent: both skip when there is nothing.
 */
export function reset(deps: Deps): Step[] {
  // teardown deletes ctx.namespace: always the tutorial's own, also while a lesson works in `default`
  return [withCtx(teardown(deps), { namespace: NAMESPACE }), clearOldPods(deps)].map((s) => labelled('Reset', s))
}

/** Apply a lesson manifest with the apply task's factory (the provider's image swaps shown). */
export function applyLesson(deps: Deps, file: string, opts: Omit<ApplyOptions, 'path'> = {}): Step {
  return applyManifests(deps, { ...opts, path: lessonFile(file) })
}

/** Apply one of the final manifests (manifests/<file>), or all of them. */
export function applyFinal(deps: Deps, file?: string, opts: Omit<ApplyOptions, 'path'> = {}): Step {
  return applyManifests(deps, { ...opts, path: file ? join(MANIFESTS_DIR, file) : MANIFESTS_DIR })
}

/**
 * Lesson 10's shape with a given database and app manifest: namespace hellogopher, MySQL and its Service, then
 * the app (created after the Service, so it gets MYSQL_SERVICE_HOST), the context namespace, the NodePort.
 */
export function inNamespace(deps: Deps, database: string, app: string): Step[] {
  return [applyFinal(deps, '00_namespace.yml'), applyManifests(deps, { path: database }), applyManifests(deps, { path: app }), useNamespace(deps), expose(deps)]
}

/** The image the OOM demo runs is the hellogopher images' base: put it where the kubelet finds it. */
export const baseInRuntime = (deps: Deps, image = DEFAULT_BASE): Step => ({
  title: `Put ${image} into the cluster's runtime`,
  // providers without loadImage build straight into the runtime (minikube docker-env)
  enabled: !!deps.provider.loadImage,
  skip: async () => ((await deps.provider.imageInRuntime(deps.sh, image)) ? `${image} is already in the cluster's runtime` : false),
  task: async (_ctx, task) => {
    await deps.provider.loadImage?.(deps.sh, image, logTo(task))
  },
})

/** A step that only tells the learner something (what the lesson shows next, what differs on this cluster). */
export function note(title: string, lines: string[] = []): Step {
  return {
    title,
    task: (_ctx, task) => {
      for (const l of lines) task.output = l
    },
  }
}
