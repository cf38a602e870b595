/**
 * One lesson of the tutorial, replayed: the cluster brought to the lesson's starting point (up.ts's own steps,
 * after a reset of what earlier lessons left), the lesson's commands, then what a learner must see — shown with
 * the command a person would use to look, and checked. Exit 0 when it was seen; 1 with one line saying what was
 * seen instead. Idempotent: every run starts from the same point.
 *
 * Learn by doing: `--reset` brings the cluster to the lesson's start (lessons 0…N−1 replayed), the learner types
 * the lesson (`--explain`, `--solution`, `--diff` show what and why), and `--check` reads — never changes — the
 * cluster to say ✔/✘ per observable, with a hint for each ✘. Exit 0 only when every check passes.
 */
import { UsageError, type Parsed } from './lib/cli.ts'
import { command as defineCommand, type Run } from './lib/command.ts'
import { redact } from './lib/redact.ts'
import { spec } from './lib/task.ts'
import { assertCanRun } from './steps/preflight.ts'
import { reset, runCleanups } from './lessons/common.ts'
import { clusterAnswers, liveCheckDeps, runChecks, summary } from './lessons/check.ts'
import { lessonDiff } from './lessons/diff.ts'
import { formatExplain, formatSolution } from './lessons/explain.ts'
import { findLesson, LESSONS, listing, type Lesson } from './lessons/index.ts'
import { isObservation } from './lessons/observe.ts'
import { NotSeen } from './lessons/types.ts'
import type { Step } from './lib/task.ts'
import type { Ctx, Deps } from './lib/run.ts'

export const command = spec(
  'tasks/lesson.ts',
  "Replay one lesson of the tutorial (0–15) on the cluster: reset to the lesson's starting point with up.ts's own steps, run the lesson's commands, then show and check what you should see. --list shows every lesson. To learn by doing: --reset to the lesson's start, type the lesson yourself (--explain, --solution, --diff show what and why), then --check it.",
  {
    list: { type: 'boolean', description: 'list the lessons: number, name, what you will see' },
    check: { type: 'boolean', description: "you did the lesson by hand: check what you should see on the cluster, ✔/✘ per observable with a hint for each ✘ — reads only, changes nothing; exit 0 only when all pass" },
    reset: { type: 'boolean', description: "bring the cluster to the lesson's starting point (what lessons 0…N−1 leave, replayed), so you can do the lesson by hand; idempotent" },
    explain: { type: 'boolean', description: "the lesson's commands in order, what each does and what to look at afterwards, then what to try next (no cluster needed)" },
    solution: { type: 'boolean', description: "just the lesson's commands, in order (no cluster needed)" },
    diff: { type: 'boolean', description: "how the lesson's YAML differs from the previous lesson's, as a unified diff (coloured on a terminal; secrets masked)" },
    yes: { type: 'boolean', description: 'confirm the reset of a replay or --reset (it deletes) on a cluster that is not recognisably local' },
  },
  {
    positionals: '<number|name>',
    examples: [
      'npx tsx tasks/lesson.ts --list',
      'npx tsx tasks/lesson.ts 6',
      'npx tsx tasks/lesson.ts readiness --dry-run',
      'npx tsx tasks/lesson.ts 6 --reset      # the cluster as lessons 0–5 leave it',
      'npx tsx tasks/lesson.ts 6 --explain    # what to type, and why',
      'npx tsx tasks/lesson.ts 6 --check      # after typing it yourself',
      'npx tsx tasks/lesson.ts 7 --diff       # the YAML change: liveness probe, image 2.0',
    ],
  },
)

/** What a lesson run does: replay it (default), or one of the learn-by-doing modes. */
export type Mode = 'replay' | 'check' | 'reset' | 'explain' | 'solution' | 'diff'
const MODES = ['check', 'reset', 'explain', 'solution', 'diff'] as const

export type LessonChoice = { help: true } | { list: true } | { lesson: Lesson; mode: Mode }

/** What the command line asks for; a missing, extra or unknown lesson is a one-line usage error. */
export function chooseLesson(parsed: Parsed, lessons: readonly Lesson[] = LESSONS): LessonChoice {
  if (parsed.help) return { help: true }
  const [first, ...extra] = parsed.positionals
  const modes = MODES.filter((m) => parsed.flags[m])
  if (parsed.flags.list) {
    if (modes.length) throw new UsageError(`--list takes no --${modes[0]}`)
    if (first !== undefined) throw new UsageError(`--list takes no lesson (got '${first}')`)
    return { list: true }
  }
  if (modes.length > 1) throw new UsageError(`one of --${MODES.join(', --')} at a time (got --${modes[0]} and --${modes[1]})`)
  const mode: Mode = modes[0] ?? 'replay'
  if (parsed.flags['dry-run'] && mode !== 'replay' && mode !== 'reset') throw new UsageError(`--dry-run goes with a replay or --reset, not --${mode} (it changes nothing anyway)`)
  if (parsed.flags.yes && mode !== 'replay' && mode !== 'reset') throw new UsageError(`--yes goes with a replay or --reset, not --${mode}`)
  if (first === undefined) throw new UsageError('which lesson? give its number or name (npx tsx tasks/lesson.ts --list)')
  if (extra.length) throw new UsageError(`one lesson at a time (got '${first}' and '${extra[0]}')`)
  return { lesson: findLesson(first, lessons), mode }
}

/**
 * `--reset N`: what lessons 0…N−1 leave — lesson N−1 replayed (every replay from lesson 3 on first resets what
 * later lessons left, so this is idempotent). Before lesson 3 nothing of the tutorial is on the cluster yet: the
 * replay of lesson N−1 is followed by the same reset. A cluster is never stopped and images are never deleted.
 */
export function resetSteps(lesson: Lesson, deps: Deps, lessons: readonly Lesson[] = LESSONS): Step[] {
  const before = lessons.find((l) => l.number === lesson.number - 1)
  if (!before) return []
  const replay = before.steps(deps).map((s) => (isObservation(s) ? notBlocking(s, before.number) : s))
  return [...replay, ...(lesson.number >= 2 && lesson.number <= 3 ? reset(deps) : [])]
}

/**
 * In a reset, what lesson N−1 shows is not the point: its observable not showing (no metrics-server on this
 * cluster, say) is said, and the reset goes on — `--check N−1` reports it. Any other failure stops the reset.
 */
export function notBlocking(step: Step, lesson: number): Step {
  return {
    ...step,
    task: async (ctx, task) => {
      try {
        return await step.task(ctx, task)
      } catch (e) {
        if (!(e instanceof NotSeen)) throw e
        task.skip(redact(`lesson ${lesson}'s ${e.message} — the reset goes on (npx tsx tasks/lesson.ts ${lesson} --check says more)`))
      }
    },
  }
}

/** The lines printed after --reset. */
export function resetClosing(lesson: Lesson, dryRun: boolean): string {
  const n = lesson.number
  const lines = dryRun
    ? ['', `Dry run: nothing was changed. Run it for real with: npx tsx tasks/lesson.ts ${n} --reset`]
    : [
        '',
        n === 0 ? 'Lesson 0 starts from nothing: there is nothing to reset.' : `The cluster is where lessons 0–${n - 1} leave it: lesson ${n} (${lesson.name}) starts here.`,
        `Now do it by hand:  npx tsx tasks/lesson.ts ${n} --explain   (or --solution for just the commands, --diff for the YAML change)`,
        `Then check it:      npx tsx tasks/lesson.ts ${n} --check`,
      ]
  return `${lines.join('\n')}\n`
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

/** Where --diff output goes: coloured only on a terminal that wants colour. */
const wantsColour = () => !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb'

/** What --check runs: from lesson 1 on, first whether the cluster answers at all. */
export const checksOf = (lesson: Lesson) => (lesson.number >= 1 ? [clusterAnswers, ...lesson.checks] : lesson.checks)

/** `--check`: every observable of the lesson read from the cluster (nothing changed); exit 0 only when all pass. */
async function checkLesson(lesson: Lesson, { deps }: Run<unknown, Ctx>): Promise<number> {
  const t0 = Date.now()
  const out = (line: string) => process.stdout.write(`${line}\n`)
  out(`Checking lesson ${lesson.number} (${lesson.title}) on the ${deps.provider.name} cluster — reads only, nothing is changed`)
  const lines = await runChecks(checksOf(lesson), liveCheckDeps(deps), { out })
  const ok = lines.every((l) => l.status === 'pass')
  out('')
  out(`${ok ? '✔' : '✘'} lesson ${lesson.number}: ${summary(lines)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  if (!ok) out(`Stuck? npx tsx tasks/lesson.ts ${lesson.number} --explain (what each command does) or --solution (just the commands)`)
  else {
    const next = LESSONS.find((l) => l.number === lesson.number + 1)
    if (next) out(`Next: npx tsx tasks/lesson.ts ${next.number} --explain   (${next.name}: ${next.summary})`)
  }
  return ok ? 0 : 1
}

type Chosen = Exclude<LessonChoice, { help: true }>
/** The lesson a run acts like: a reset replays the lesson before, so it runs where that one works. */
const targetOf = (c: { lesson: Lesson; mode: Mode }) => (c.mode === 'reset' ? (LESSONS.find((l) => l.number === c.lesson.number - 1) ?? c.lesson) : c.lesson)
const chosen = (c: Chosen) => ('list' in c ? undefined : { ...c, target: targetOf(c) })

export const lesson = defineCommand<Chosen>({
  spec: command,
  options: (parsed) => chooseLesson(parsed) as Chosen,
  answer: (c) => {
    if ('list' in c) return listing()
    const { lesson, mode } = c
    if (mode === 'explain') return formatExplain(lesson)
    if (mode === 'solution') return formatSolution(lesson)
    if (mode === 'diff') return lessonDiff(LESSONS, lesson.number, { color: wantsColour() })
    return undefined
  },
  ctx: (c) => ({ namespace: chosen(c)!.target.namespace }),
  guard: (c) => {
    const { lesson, mode, target } = chosen(c)!
    // --check reads only: no context guard; an unreachable cluster is a ✘ per check, saying so
    if (mode === 'check') return { mutates: false, noPing: true }
    // like up.ts: the cluster may not run yet (lessons 0–2 start it); assertCanRun says in one line whether it can.
    // Every lesson changes the cluster; from lesson 3 on (a reset: from lesson 2 on) it also deletes.
    const lockAs = `${command.name} ${lesson.number}`
    if (target.number === 0) return { mutates: false, noPing: true, lock: true, lockAs, needsRegistry: true }
    return { mutates: true, mayStart: assertCanRun, destructive: mode === 'reset' ? lesson.number >= 2 : lesson.number >= 3, lock: true, lockAs, needsRegistry: true }
  },
  report: (c) => chosen(c)!.mode === 'check',
  run: (r) => checkLesson(chosen(r.options)!.lesson, r),
  steps: ({ deps, options }) => {
    const { lesson, mode } = chosen(options)!
    return mode === 'reset' ? resetSteps(lesson, deps) : lesson.steps(deps)
  },
  before: ({ options }) => {
    const { lesson, mode, target } = chosen(options)!
    return mode === 'reset' && target !== lesson ? `Lesson ${lesson.number}'s starting point is where lesson ${target.number} (${target.name}) ends: replaying lesson ${target.number}\n` : undefined
  },
  finally: runCleanups,
  after: ({ ctx, options }) => {
    const { lesson, mode } = chosen(options)!
    return redact(mode === 'reset' ? resetClosing(lesson, ctx.dryRun) : closingLines(lesson, ctx.dryRun))
  },
})

await lesson.mainIf(import.meta.url)
