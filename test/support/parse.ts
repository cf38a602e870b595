/**
 * Reading what a test process printed, for test/run.ts: uvu's summary and `go test -json` events, and the
 * verdict on one suite (how many passed, failed, skipped — and why a suite counts as failed).
 * Pure functions over recorded text; their tests read real recorded outputs (test/unit/fixtures/).
 */

/** The numbers uvu prints at the end of a file's run. `total` EXCLUDES skipped tests. */
export interface UvuSummary {
  total: number
  passed: number
  skipped: number
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g

/**
 * uvu prints `Total: N`, `Passed: N`, `Skipped: N` once, at the very end of the process. A test may print text
 * that looks the same before it, so the LAST `Total:` block is the one that counts. undefined: no summary
 * (the process died before uvu could report).
 */
export function parseUvu(out: string): UvuSummary | undefined {
  const plain = out.replace(ANSI, '')
  const blocks = [...plain.matchAll(/^\s*Total:\s+(\d+)\s*\n\s*Passed:\s+(\d+)\s*\n(?:\s*Skipped:\s+(\d+))?/gm)]
  const last = blocks.at(-1)
  if (!last) return undefined
  return { total: Number(last[1]), passed: Number(last[2]), skipped: Number(last[3] ?? 0) }
}

/**
 * Does a uvu suite's source narrow itself with `.only(`? Looks for a statement that starts with it (test.only,
 * suite.only, a named suite's `.only`), so a test that mentions `.only(` inside a string does not count.
 */
export function hasOnly(source: string): boolean {
  return /^\s*[\w$]+\.only\s*\(/m.test(source)
}

/** How one suite went, as the runner counts it. `notes` say why anything beyond plain test failures counted. */
export interface Verdict {
  passed: number
  failed: number
  skipped: number
  notes: string[]
}

/**
 * The verdict on one uvu file: failures = max(0, total − passed) (uvu's total excludes skipped tests), plus one
 * when the process failed (non-zero exit, no summary, or no test at all) with no failure counted. In CI
 * (`ci`), every skipped test and a `.only` are failures too; elsewhere they are counted as skipped and noted.
 */
export function judgeUvu(out: string, code: number, opts: { ci: boolean; only: boolean }): Verdict {
  const notes: string[] = []
  const p = parseUvu(out)
  if (!p) return { passed: 0, failed: 1, skipped: 0, notes: [`no uvu summary: the process died before reporting (exit code ${code})`] }
  let failed = Math.max(0, p.total - p.passed)
  if (failed === 0 && code !== 0) {
    failed = 1
    notes.push(`exit code ${code} although no test failed (a hook or the process itself failed)`)
  }
  if (p.total + p.skipped === 0) {
    failed += 1
    notes.push('the suite ran no test')
  }
  if (p.skipped) {
    notes.push(`${p.skipped} skipped test(s)${opts.ci ? ': a failure in CI' : ''}`)
    if (opts.ci) failed += p.skipped
  }
  if (opts.only) {
    notes.push(`.only( in the source narrows the suite${opts.ci ? ': a failure in CI' : ''}`)
    if (opts.ci) failed += 1
  }
  return { passed: p.passed, failed, skipped: p.skipped, notes }
}

/** What `go test -json` reported. Tests are counted by their final event; subtests count on their own. */
export interface GoReport {
  passed: number
  failed: number
  skipped: number
  /** tests that started (`run`) and never ended (the binary was killed or timed out) */
  unfinished: string[]
  /** final action per package: pass, fail, or skip (`skip` = no test files) */
  packages: Map<string, 'pass' | 'fail' | 'skip'>
  /** packages whose test binary did not build */
  buildFailed: string[]
  /** failed tests per package */
  failedIn: Map<string, number>
}

interface GoEvent {
  Action?: string
  Package?: string
  Test?: string
  ImportPath?: string
  FailedBuild?: string
}

export function parseGoJson(out: string): GoReport {
  const r: GoReport = { passed: 0, failed: 0, skipped: 0, unfinished: [], packages: new Map(), buildFailed: [], failedIn: new Map() }
  const open = new Set<string>()
  const buildFailed = new Set<string>()
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) {
      // before Go 1.24 build errors came as plain text
      const m = /^FAIL\s+(\S+)\s+\[(build|setup) failed\]/.exec(line)
      if (m) buildFailed.add(m[1]!)
      continue
    }
    let ev: GoEvent
    try {
      ev = JSON.parse(line) as GoEvent
    } catch {
      continue
    }
    if (ev.Action === 'build-fail' && ev.ImportPath) buildFailed.add(ev.ImportPath.split(' ')[0]!)
    if (!ev.Package) continue
    if (ev.FailedBuild) buildFailed.add(ev.Package)
    if (ev.Test) {
      const key = `${ev.Package} ${ev.Test}`
      if (ev.Action === 'run') open.add(key)
      else if (ev.Action === 'pass' || ev.Action === 'fail' || ev.Action === 'skip') {
        open.delete(key)
        if (ev.Action === 'pass') r.passed++
        else if (ev.Action === 'fail') {
          r.failed++
          r.failedIn.set(ev.Package, (r.failedIn.get(ev.Package) ?? 0) + 1)
        }
        else r.skipped++
      }
      continue
    }
    if (ev.Action === 'pass' || ev.Action === 'fail' || ev.Action === 'skip') r.packages.set(ev.Package, ev.Action)
  }
  r.unfinished = [...open].sort()
  r.buildFailed = [...buildFailed].sort()
  return r
}

/**
 * The verdict on a `go test -json ./...` run: every failed test, every test that never finished, one per
 * package that failed with no failed test (build failure, panic outside a test, TestMain), one more if the
 * process failed with nothing counted; in CI every skipped test is a failure too.
 */
export function judgeGo(out: string, code: number, opts: { ci: boolean }): Verdict & { report: GoReport } {
  const g = parseGoJson(out)
  const notes: string[] = []
  let failed = g.failed + g.unfinished.length
  for (const t of g.unfinished) notes.push(`never finished: ${t}`)
  for (const pkg of g.buildFailed) notes.push(`build failed: ${pkg}`)
  for (const [pkg, action] of g.packages) {
    if (action === 'fail' && !g.failedIn.get(pkg)) {
      failed++
      if (!g.buildFailed.includes(pkg)) notes.push(`package ${pkg} failed outside any test`)
    }
  }
  for (const pkg of g.buildFailed) if (!g.packages.has(pkg)) failed++ // a build failure with no package event
  if (failed === 0 && code !== 0) {
    failed = 1
    notes.push(`go test exited ${code} although no test failed`)
  }
  if (g.skipped) {
    notes.push(`${g.skipped} skipped test(s)${opts.ci ? ': a failure in CI' : ''}`)
    if (opts.ci) failed += g.skipped
  }
  return { passed: g.passed, failed, skipped: g.skipped, notes, report: g }
}

/** Which expected suites are missing, which found ones nobody expected, and which the provider excepts. */
export function checkExpected(
  found: readonly string[],
  expected: readonly string[],
  excepted: Readonly<Record<string, string>> = {},
): { run: string[]; missing: string[]; unexpected: string[]; excepted: Array<{ name: string; reason: string }> } {
  const have = new Set(found)
  const want = new Set(expected)
  return {
    run: found.filter((f) => !(f in excepted)),
    missing: expected.filter((e) => !have.has(e)),
    unexpected: found.filter((f) => !want.has(f)),
    excepted: expected.filter((e) => e in excepted && have.has(e)).map((name) => ({ name, reason: excepted[name]! })),
  }
}

/**
 * The verdict on a report script (the fault suite, the Conformance slice): its LAST line that reads
 * `N passed, N failed` (`, N skipped` optional) is its count. No such line, or a non-zero exit with no failure
 * counted, is one failure; so is a report that ran nothing. Its skips are cases the script never runs by design
 * (known machine limits, each printed there with its reason): they are neither passed nor failed, and a note
 * says how many, so the total line stays `N passed, N failed`.
 */
export function judgeReport(out: string, code: number): Verdict {
  const plain = out.replace(ANSI, '')
  const last = [...plain.matchAll(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/gm)].at(-1)
  if (!last) return { passed: 0, failed: 1, skipped: 0, notes: [`no closing 'N passed, N failed' line: the report died before its end (exit code ${code})`] }
  const v: Verdict = { passed: Number(last[1]), failed: Number(last[2]), skipped: 0, notes: [] }
  const notRun = Number(last[3] ?? 0)
  if (notRun) v.notes.push(`${notRun} case(s) not run by design: a known limit of this machine, listed above with the reason`)
  if (v.failed === 0 && code !== 0) {
    v.failed = 1
    v.notes.push(`exit code ${code} although the report counted no failure`)
  }
  if (v.passed + v.failed === 0) {
    v.failed = 1
    v.notes.push('the report ran no case')
  }
  return v
}
