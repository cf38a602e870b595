/**
 * `lesson N --explain` and `--solution`: the lesson's commands in order, as data kept next to each lesson
 * (each command with two or three lines on what it does and what to look at afterwards, then what to try next).
 */
import { redact } from '../lib/redact.ts'

export interface ExplainedCommand {
  /** What the learner types (as the article has it; minikube's words where it uses minikube). */
  run: string
  /** Two or three lines: what it does, what to look at afterwards. */
  does: string[]
}

export interface Explanation {
  commands: ExplainedCommand[]
  /** What to try next, once the lesson's observable is seen. */
  next: string
}

interface Titled {
  number: number
  title: string
  observable: string
  explain: Explanation
}

/** The commands with their explanations, ending with what to try next. */
export function formatExplain(l: Titled): string {
  const out = [`Lesson ${l.number} — ${l.title}`, `You should see: ${l.observable}`, '']
  l.explain.commands.forEach((c, i) => {
    out.push(`${String(i + 1).padStart(2)}. ${prompt(c.run)}${c.run}`)
    for (const line of c.does) out.push(`      ${line}`)
    out.push('')
  })
  out.push(`What to try next: ${l.explain.next}`)
  out.push(`Check your work: npx tsx tasks/lesson.ts ${l.number} --check`)
  return redact(out.join('\n'))
}

/** Just the commands, in order (what --solution prints). */
export function formatSolution(l: Titled): string {
  return redact([`Lesson ${l.number} — ${l.title}: the commands`, ...l.explain.commands.map((c) => `${prompt(c.run)}${c.run}`)].join('\n'))
}

/** `$ ` before a command to type, `✎ ` before a change to make in a file. */
export const prompt = (run: string): string => (/^(edit|declare|fix|patch the|mkdir \S+; write) /.test(run) ? '✎ ' : '$ ')
