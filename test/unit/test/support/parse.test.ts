/**
 * test/support/parse.ts: the runner's reading of uvu and `go test -json` output, on outputs RECORDED from real
 * runs (test/unit/fixtures/uvu, fixtures/go-test-json; how they were made: fixtures/RECORDED.md). The exit
 * code each run had is part of the file name.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { hasOnly, judgeGo, judgeReport, judgeUvu, parseGoJson, parseUvu } from '../../../support/parse.ts'

function recorded(dir: string, name: string): { out: string; code: number } {
  const m = /\.exit(\d+)\./.exec(name)
  assert.ok(m, `fixture ${name} names no exit code`)
  return { out: readFileSync(join(import.meta.dirname, '../..', 'fixtures', dir, name), 'utf8'), code: Number(m[1]) }
}
const uvu = (name: string) => recorded('uvu', name)
const go = (name: string) => recorded('go-test-json', name)
const local = { ci: false, only: false }
const ci = { ci: true, only: false }

test('uvu pass: 2 passed, nothing failed', () => {
  const r = uvu('pass.exit0.txt')
  assert.equal(parseUvu(r.out), { total: 2, passed: 2, skipped: 0 })
  assert.equal(judgeUvu(r.out, r.code, local), { passed: 2, failed: 0, skipped: 0, notes: [] })
})

test('uvu fail: an assertion and a throw are 2 failures', () => {
  const r = uvu('fail.exit1.txt')
  assert.equal(parseUvu(r.out), { total: 3, passed: 1, skipped: 0 })
  assert.is(judgeUvu(r.out, r.code, local).failed, 2)
})

test('uvu fail with colours (FORCE_COLOR) reads the same', () => {
  const r = uvu('fail-color.exit1.txt')
  assert.ok(r.out.includes('\x1b['), 'the recording has ANSI colours')
  assert.equal(parseUvu(r.out), { total: 3, passed: 1, skipped: 0 })
})

test('uvu skip: Total excludes skipped, so 1 failure + 2 skips is 1 failed, not -1', () => {
  const r = uvu('skip.exit1.txt')
  assert.equal(parseUvu(r.out), { total: 2, passed: 1, skipped: 2 })
  const v = judgeUvu(r.out, r.code, local)
  assert.is(v.failed, 1)
  assert.is(v.skipped, 2)
  assert.match(v.notes.join('\n'), /2 skipped/)
})

test('uvu skip in CI: each skipped test is a failure', () => {
  const r = uvu('skip.exit1.txt')
  assert.is(judgeUvu(r.out, r.code, ci).failed, 3)
})

test('uvu .only: uvu exits 0 and shows the others as skipped; counted locally, failure in CI', () => {
  const r = uvu('only.exit0.txt')
  assert.is(r.code, 0)
  assert.equal(parseUvu(r.out), { total: 1, passed: 1, skipped: 2 })
  const here = judgeUvu(r.out, r.code, { ci: false, only: true })
  assert.is(here.failed, 0)
  assert.is(here.skipped, 2)
  assert.match(here.notes.join('\n'), /\.only\(/)
  assert.is(judgeUvu(r.out, r.code, { ci: true, only: true }).failed, 3)
})

test('hasOnly finds a statement test.only / suite.only / named-suite .only; not a mention in a string or a name', () => {
  const yes = ["import { test } from 'uvu'\ntest.only('x', () => {})\ntest.run()", "const s = suite('a')\n  s.only ('x', f)\n", "suite.only('y')"]
  for (const src of yes) assert.ok(hasOnly(src), src)
  const no = ["test('only this', () => {})", 'const only = 1', 'assert.ok(onlyOne)', "const src = \"test.only('x')\"", "for (const s of ['x.only(1)']) f(s)"]
  for (const src of no) assert.not.ok(hasOnly(src), src)
})

test('hasOnly on the recorded sources: the .only file yes, the .skip file no', () => {
  const src = (n: string) => readFileSync(join(import.meta.dirname, '../..', 'fixtures', 'uvu', n), 'utf8')
  assert.ok(hasOnly(src('only.source.txt')))
  assert.not.ok(hasOnly(src('skip.source.txt')))
})

test("hasOnly on this repo's own parse.test.ts (it mentions .only( in strings) is false", () => {
  assert.not.ok(hasOnly(readFileSync(join(import.meta.dirname, 'parse.test.ts'), 'utf8')))
})

test('uvu crash at import: no summary at all → one failure', () => {
  const r = uvu('crash.exit1.txt')
  assert.is(parseUvu(r.out), undefined)
  const v = judgeUvu(r.out, r.code, local)
  assert.is(v.failed, 1)
  assert.match(v.notes[0]!, /died before reporting \(exit code 1\)/)
})

test('uvu before-hook throwing: uvu exits 0, yet Total − Passed counts the 2 tests that never ran', () => {
  const r = uvu('hook-before.exit0.txt')
  assert.is(r.code, 0)
  assert.equal(parseUvu(r.out), { total: 3, passed: 1, skipped: 0 })
  assert.is(judgeUvu(r.out, r.code, local).failed, 2)
})

test('uvu after-hook throwing: the process dies with no summary → one failure', () => {
  const r = uvu('hook-after.exit1.txt')
  assert.is(parseUvu(r.out), undefined)
  assert.is(judgeUvu(r.out, r.code, local).failed, 1)
})

test('uvu before.each throwing: every test fails', () => {
  const r = uvu('hook-each.exit1.txt')
  assert.is(judgeUvu(r.out, r.code, local).failed, 2)
})

test('uvu several suites in one file: one summary for all', () => {
  const r = uvu('multi.exit1.txt')
  assert.equal(parseUvu(r.out), { total: 3, passed: 2, skipped: 0 })
  assert.is(judgeUvu(r.out, r.code, local).failed, 1)
})

test('uvu: the LAST Total block counts, not a look-alike a test printed earlier', () => {
  const r = uvu('lastblock.exit1.txt')
  assert.ok(r.out.indexOf('Total:     9') < r.out.lastIndexOf('Total:'), 'the recording has the look-alike first')
  assert.equal(parseUvu(r.out), { total: 2, passed: 1, skipped: 0 })
  assert.is(judgeUvu(r.out, r.code, local).failed, 1)
})

test('uvu: a file with no test is a failure', () => {
  const r = uvu('empty.exit0.txt')
  assert.equal(parseUvu(r.out), { total: 0, passed: 0, skipped: 0 })
  const v = judgeUvu(r.out, r.code, local)
  assert.is(v.failed, 1)
  assert.match(v.notes.join('\n'), /no test/)
})

test('uvu: a non-zero exit with every test passed is one failure', () => {
  const r = uvu('pass.exit0.txt')
  const v = judgeUvu(r.out, 1, local)
  assert.is(v.failed, 1)
  assert.match(v.notes.join('\n'), /exit code 1/)
})

test('go pass: tests and subtests counted, package passed', () => {
  const r = go('pass.exit0.jsonl')
  const g = parseGoJson(r.out)
  assert.equal([g.passed, g.failed, g.skipped], [4, 0, 0])
  assert.is(g.packages.get('example.com/pass'), 'pass')
  assert.is(judgeGo(r.out, r.code, { ci: false }).failed, 0)
})

test('go fail: a failing test, a failing subtest and its parent', () => {
  const r = go('fail.exit1.jsonl')
  const v = judgeGo(r.out, r.code, { ci: false })
  assert.equal([v.passed, v.failed], [2, 3])
})

test('go skip: counted as skipped locally, a failure in CI', () => {
  const r = go('skip.exit0.jsonl')
  const here = judgeGo(r.out, r.code, { ci: false })
  assert.equal([here.passed, here.failed, here.skipped], [1, 0, 1])
  assert.is(judgeGo(r.out, r.code, { ci: true }).failed, 1)
})

test('go build failure: no test events, still one failure, named', () => {
  const r = go('build.exit1.jsonl')
  const v = judgeGo(r.out, r.code, { ci: false })
  assert.is(v.passed, 0)
  assert.is(v.failed, 1)
  assert.equal(v.report.buildFailed, ['example.com/build'])
})

test('go build failure of one package next to a passing one: still counted', () => {
  const r = go('mixed-build.exit1.jsonl')
  const v = judgeGo(r.out, r.code, { ci: false })
  assert.equal([v.passed, v.failed], [1, 1])
  assert.is(v.report.packages.get('example.com/mixed/a'), 'pass')
  assert.is(v.report.packages.get('example.com/mixed/b'), 'fail')
})

test('go panic: the panicking test fails, the tests after it never ran', () => {
  const r = go('panic.exit1.jsonl')
  const v = judgeGo(r.out, r.code, { ci: false })
  assert.equal([v.passed, v.failed], [1, 1])
})

test('go package without tests reports skip (the runner treats an expected one as missing)', () => {
  const r = go('nopkg.exit0.jsonl')
  const g = parseGoJson(r.out)
  assert.is(g.packages.get('example.com/nopkg'), 'skip')
  assert.equal([g.passed, g.failed, g.skipped], [0, 0, 0])
})

test('go: a test that started and never ended (binary killed) is a failure', () => {
  const r = go('pass.exit0.jsonl')
  const cut = r.out.split('\n').filter((l) => !(l.includes('"Test":"TestOne"') && l.includes('"Action":"pass"'))).join('\n')
  const v = judgeGo(cut, 1, { ci: false })
  assert.equal(v.report.unfinished, ['example.com/pass TestOne'])
  assert.is(v.failed, 1)
})

test('go: non-zero exit with no failure counted is one failure', () => {
  const r = go('pass.exit0.jsonl')
  assert.is(judgeGo(r.out, 2, { ci: false }).failed, 1)
})

// report scripts (test/faults/run.ts, test/conformance/run.ts): the closing line of the script is the count
const REPORT = ['case   result  seconds', 'R3 up --tag 9.9  pass  1.6', '', 'took 6m15s', '51 passed, 0 failed, 1 skipped', ''].join('\n')

test('report: the closing line counts; its by-design skips are a note, not a pass or a failure', () => {
  const v = judgeReport(REPORT, 0)
  assert.equal([v.passed, v.failed, v.skipped], [51, 0, 0])
  assert.match(v.notes.join('\n'), /1 case\(s\) not run by design/)
})

test('report: failures are taken as printed, and the LAST count line wins over one printed earlier', () => {
  const v = judgeReport('3 passed, 0 failed\nmore cases\n59 passed, 1 failed\n', 1)
  assert.equal([v.passed, v.failed], [59, 1])
  assert.equal(v.notes, [])
})

test('report: no closing line (the script died) is one failure', () => {
  const v = judgeReport('case  result\nR1 trial 1  pass\nKilled\n', 137)
  assert.equal([v.passed, v.failed], [0, 1])
  assert.match(v.notes[0]!, /exit code 137/)
})

test('report: a non-zero exit with no failure counted is one failure; a report of nothing is a failure', () => {
  assert.is(judgeReport('4 passed, 0 failed\n', 2).failed, 1)
  assert.is(judgeReport('0 passed, 0 failed\n', 0).failed, 1)
})

test.run()
