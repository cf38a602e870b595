/** The tutorial's lessons, in order, and how a lesson is found by number or name. */
import { UsageError } from '../lib/cli.ts'
import { lesson as prerequisites } from './00-prerequisites.ts'
import { lesson as cluster } from './01-cluster.ts'
import { lesson as image } from './02-image.ts'
import { lesson as deployment } from './03-deployment.ts'
import { lesson as exposeLesson } from './04-expose.ts'
import { lesson as labels } from './05-labels.ts'
import { lesson as readiness } from './06-readiness.ts'
import { lesson as liveness } from './07-liveness.ts'
import { lesson as debugging } from './08-debugging.ts'
import { lesson as metrics } from './09-metrics.ts'
import { lesson as namespace } from './10-namespace.ts'
import { lesson as serviceEnv } from './11-service-env.ts'
import { lesson as configmap } from './12-configmap.ts'
import { lesson as secret } from './13-secret.ts'
import { lesson as resources } from './14-resources.ts'
import { lesson as teardownLesson } from './15-teardown.ts'
import type { Lesson } from './types.ts'

export type { Lesson } from './types.ts'

export const LESSONS: readonly Lesson[] = [
  prerequisites,
  cluster,
  image,
  deployment,
  exposeLesson,
  labels,
  readiness,
  liveness,
  debugging,
  metrics,
  namespace,
  serviceEnv,
  configmap,
  secret,
  resources,
  teardownLesson,
]

/** `6`, `06`, `readiness` or `06-readiness` → the lesson; anything else is a usage error naming what exists. */
export function findLesson(query: string, lessons: readonly Lesson[] = LESSONS): Lesson {
  const q = query.trim().toLowerCase()
  const m = /^(\d{1,2})(?:-([a-z0-9-]+))?$/.exec(q)
  const found = m
    ? lessons.find((l) => l.number === Number(m[1]) && (m[2] === undefined || m[2] === l.name))
    : lessons.find((l) => l.name === q)
  if (!found) {
    const range = `${lessons[0]?.number ?? 0}–${lessons[lessons.length - 1]?.number ?? 0}`
    throw new UsageError(`unknown lesson '${query}' (a number ${range} or a name: ${lessons.map((l) => l.name).join(', ')})`)
  }
  return found
}

/** One line per lesson: number, name, what you will see. */
export function listing(lessons: readonly Lesson[] = LESSONS): string {
  const w = Math.max(...lessons.map((l) => l.name.length))
  return lessons.map((l) => `${String(l.number).padStart(2)}  ${l.name.padEnd(w)}  ${l.summary}`).join('\n')
}
