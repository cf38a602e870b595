/** What a lesson is: its place in the tutorial, what you will see, and the steps that get you there and show it. */
import type { Deps } from '../lib/context.ts'
import { redact } from '../lib/redact.ts'
import type { Step } from '../lib/task.ts'

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
