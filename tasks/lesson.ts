/**
 * One lesson of the tutorial, replayed: the cluster brought to the lesson's starting point (up.ts's own steps,
 * after a reset of what earlier lessons left), the lesson's commands, then what a learner must see — shown with
 * the command a person would use to look, and checked. Exit 0 when it was seen; 1 with one line saying what was
 * seen instead. Idempotent: every run starts from the same point.
 */
import { isMain, parseCli, runMain, UsageError, type Parsed } from './lib/cli.ts'
import { acquireRunLock } from './lib/lifecycle.ts'
import { guardRun } from './lib/providers/index.ts'
import { redact } from './lib/redact.ts'
import { prepare, runList, spec } from './lib/task.ts'
import { assertCanRun } from './doctor.ts'
import { runCleanups } from './lessons/common.ts'
import { findLesson, LESSONS, listing, type Lesson } from './lessons/index.ts'

export const command = spec(
  'tasks/lesson.ts',
  "Replay one lesson of the tutorial (0–15) on the cluster: reset to the lesson's starting point with up.ts's own steps, run the lesson's commands, then show and check what you should see. --list shows every lesson.",
  {
    list: { type: 'boolean', description: 'list the lessons: number, name, what you will see' },
    yes: { type: 'boolean', description: 'confirm the reset (it deletes) on a cluster that is not recognisably local' },
  },
  {
    positionals: '<number|name>',
    examples: ['npx tsx tasks/lesson.ts --list', 'npx tsx tasks/lesson.ts 6', 'npx tsx tasks/lesson.ts readiness --dry-run', 'npx tsx tasks/lesson.ts 13'],
  },
)

export type LessonChoice = { help: true } | { list: true } | { lesson: Lesson }

/** What the command line asks for; a missing, extra or unknown lesson is a one-line usage error. */
export function chooseLesson(parsed: Parsed, lessons: readonly Lesson[] = LESSONS): LessonChoice {
  if (parsed.help) return { help: true }
  const [first, ...extra] = parsed.positionals
  if (parsed.flags.list) {
    if (first !== undefined) throw new UsageError(`--list takes no lesson (got '${first}')`)
    return { list: true }
  }
  if (first === undefined) throw new UsageError('which lesson? give its number or name (npx tsx tasks/lesson.ts --list)')
  if (extra.length) throw new UsageError(`one lesson at a time (got '${first}' and '${extra[0]}')`)
  return { lesson: findLesson(first, lessons) }
}

/** The line printed after the lesson's list. */
export function closingLines(lesson: Lesson, dryRun: boolean): string {
  const next = LESSONS.find((l) => l.number === lesson.number + 1)
  const lines = dryRun
    ? ['', `Dry run: nothing was changed. Run it for real with: npx tsx tasks/lesson.ts ${lesson.number}`]
    : ['', `Lesson ${lesson.number} (${lesson.name}) — seen: ${lesson.observable}`]
  if (next && !dryRun) lines.push(`Next: npx tsx tasks/lesson.ts ${next.number}   (${next.name}: ${next.summary})`)
  return `${lines.join('\n')}\n`
}

export async function lessonMain(argv: string[]): Promise<void> {
  const choice = chooseLesson(parseCli(command, argv))
  if ('list' in choice) {
    process.stdout.write(`${listing()}\n`)
    return
  }
  // prepare prints --help itself
  const lesson = 'lesson' in choice ? choice.lesson : undefined
  // like up.ts: the cluster may not run yet (lessons 0–2 start it); assertCanRun says in one line whether it can
  const prepared = await prepare(command, argv, { mutates: false, noPing: true, needsRegistry: true }, () => (lesson ? { namespace: lesson.namespace } : {}))
  if (!prepared || !lesson) return
  const { ctx, deps, parsed } = prepared
  if (!ctx.dryRun && lesson.number > 0) {
    const status = await assertCanRun(deps)
    if (status.running) {
      // from lesson 3 on, the reset deletes what earlier lessons made; every lesson changes the cluster
      await guardRun({ provider: deps.provider, sh: deps.sh, explicitContext: parsed.flags.context as string | undefined, destructive: lesson.number >= 3, yes: !!parsed.flags.yes })
      await deps.kube().ping()
    }
  }
  if (!ctx.dryRun) acquireRunLock({ context: deps.context ?? '(no context)', command: `${command.name} ${lesson.number}` })
  try {
    await runList(lesson.steps(deps), ctx)
  } finally {
    runCleanups()
  }
  process.stdout.write(redact(closingLines(lesson, ctx.dryRun)))
}

if (isMain(import.meta.url)) await runMain(command, () => lessonMain(process.argv.slice(2)))
