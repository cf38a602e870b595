/** What a lesson is: its place in the tutorial, what you will see, and the steps that get you there and show it. */
import type { Deps } from '../lib/run.ts'
import { redact } from '../lib/redact.ts'
import type { Step } from '../lib/task.ts'
import type { Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

export interface Lesson {
  /** 0–15, TUTORIAL.md's order. */
  number: number
  /** Short name, usable instead of the number: `npx tsx tasks/lesson.ts readiness`. */
  name: string
  title: string
  /** What you will see, one line (for --list). */
  summary: string
  /** The observable the lesson checks at the end, as TUTORIAL.md states it. */
  observable: string
  /** Where the lesson works: `default` until lesson 10 moves everything into `hellogopher`. */
  namespace: string
  /**
   * Starting point (the same factories up.ts uses, after a reset of what earlier lessons left), the
   * lesson's own commands, then the observation steps that show and check what a learner must see.
   */
  steps(deps: Deps): Step[]
  /** `--check`: the observables read from the cluster after the learner did the lesson by hand (reads only). */
  checks: Check[]
  /** `--explain` / `--solution`: the lesson's commands in order, what each does, what to try next. */
  explain: Explanation
  /** `--diff`: how the learner's YAML folder changes in this lesson (none: the lesson changes no manifest). */
  manifests?: ManifestStage[]
}

/** The lesson ran but its observable did not show; the message says what was seen instead. */
export class NotSeen extends Error {
  override name = 'NotSeen'
  constructor(
    readonly expected: string,
    readonly saw: string,
  ) {
    // what was seen may quote a log line or a command's output: never a registered secret
    super(redact(`not seen: ${expected} — saw: ${saw}`))
  }
}
