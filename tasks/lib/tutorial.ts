/**
 * The tutorial's facts, in one place: where the project's files are, the names it uses (namespace, app, image
 * repository), the tags 1.0–5.0 (from hellogopher/tags.json) and the deadlines a lesson waits for.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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

/** The tutorial image of a tag, in the run's image repository. */
export function imageRef(ctx: { imageRepo: string }, tag: string): string {
  return `${ctx.imageRepo}:${tag}`
}
