/** Pure helpers of the bench (parsing strace and GNU time output, medians): tested in test/unit/bench/measure.test.ts. */

export const median = (xs: number[]): number => {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export interface Exec {
  pid: number
  /** The program as argv[0] names it, without its directory. */
  name: string
  argv: string[]
}

/**
 * The successful execve calls in `strace -f -qq -e trace=execve -o FILE` output (one per line, `PID execve(...) = 0`;
 * with -f and -o every line starts with the pid). Failed lookups (`= -1 ENOENT`, PATH search) are not processes.
 */
export function parseExecs(text: string): Exec[] {
  const out: Exec[] = []
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+execve\("([^"]*)", \[(.*)\](?:, 0x[0-9a-f]+ \/\* \d+ vars \*\/|, \[.*\])?\) = 0\s*$/.exec(line)
    if (!m) continue
    const argv = [...m[3]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1]!.replace(/\\(.)/g, '$1'))
    const path = m[2]!
    out.push({ pid: Number(m[1]), name: (argv[0] ?? path).split('/').pop()!, argv })
  }
  return out
}

/** The launcher's own programs: what `npx tsx FILE` costs before the task's first line runs. */
const LAUNCHER = new Set(['npx', 'node', 'sh', 'tsx'])

export interface ExecSummary {
  total: number
  /** Execs beyond the launcher (npx → sh → node): what the task itself started. */
  task: number
  /** `bash -c` wrappers among them. */
  shells: number
  /** Most frequent commands first, as `name subcommand`. */
  top: Array<[string, number]>
}

export function summarizeExecs(execs: Exec[]): ExecSummary {
  const counts = new Map<string, number>()
  let task = 0
  let shells = 0
  for (const e of execs) {
    if (LAUNCHER.has(e.name)) continue
    task++
    if (e.name === 'bash' && e.argv[1] === '-c') shells++
    // the subcommand: the first word of letters (skips flags and their values: paths, k8s.io)
    const sub = e.argv.slice(1).find((a) => /^[a-z][a-z-]*$/.test(a))
    const key = e.name === 'bash' ? 'bash -c' : sub ? `${e.name} ${sub}` : e.name
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  return { total: execs.length, task, shells, top }
}

/** `Maximum resident set size (kbytes): N` from `/usr/bin/time -v`, in MB (the largest single process of the tree). */
export function parseMaxRssMb(text: string): number | undefined {
  const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text)
  return m ? Number(m[1]) / 1024 : undefined
}

export interface Stamped {
  ms: number
  line: string
}

/**
 * Time spent per step of a listr2 list printed by its simple renderer (piped): a finished step's line
 * (`✔ Title`, `↓ Title [SKIPPED: …]`, `✖ Title`) is stamped when it arrives, and the step took the time since the
 * previous finished step (or since the start).
 */
export function stepDurations(lines: Stamped[]): Array<{ step: string; ms: number; skipped: boolean }> {
  const out: Array<{ step: string; ms: number; skipped: boolean }> = []
  let prev = 0
  for (const { ms, line } of lines) {
    const m = /^\s*([✔✖↓])\s+(.*)$/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''))
    if (!m) continue
    const skipped = m[1] === '↓' || /\[SKIPPED/.test(m[2]!)
    out.push({ step: m[2]!.replace(/\s*\[SKIPPED:.*$/, '').trim(), ms: ms - prev, skipped })
    prev = ms
  }
  return out
}

/**
 * When a process started (ms since the epoch), from its /proc/PID/stat line and /proc/stat's btime: field 22
 * (starttime, clock ticks since boot), counted after the `(comm)` field, which may itself hold spaces or parentheses.
 */
export function processStartMs(statLine: string, bootTimeSec: number, ticksPerSec = 100): number | undefined {
  const rest = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(rest[19])
  return Number.isFinite(ticks) && rest.length > 19 ? bootTimeSec * 1000 + (ticks * 1000) / ticksPerSec : undefined
}

/** `btime N` of /proc/stat: boot time, seconds since the epoch. */
export function bootTimeSec(procStat: string): number | undefined {
  const m = /^btime (\d+)$/m.exec(procStat)
  return m ? Number(m[1]) : undefined
}
