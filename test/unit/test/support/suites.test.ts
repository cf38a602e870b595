/**
 * test/support/suites.ts + checkExpected: a deleted or renamed suite is reported missing, a provider's
 * exceptions are listed with their reason, and `test/run.ts --list` checks the real tree without running a suite.
 */
import { spawnSync } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../../../tasks/lib/tutorial.ts'
import { checkExpected } from '../../../support/parse.ts'
import { E2E_SUITES, exceptedOn } from '../../../support/suites.ts'

test('every lesson of the tutorial (0–15) has exactly one expected e2e suite', () => {
  for (let n = 0; n <= 15; n++) {
    const mine = E2E_SUITES.filter((s) => s.startsWith(`lesson-${String(n).padStart(2, '0')}-`))
    assert.is(mine.length, 1, `lesson ${n}: ${mine.join(', ') || 'none'}`)
  }
})

test('a renamed suite: the old name is missing, the new one is unexpected', () => {
  const found = ['a.test.ts', 'lesson-05-selectors.test.ts']
  const c = checkExpected(found, ['a.test.ts', 'lesson-05-labels.test.ts'])
  assert.equal(c.missing, ['lesson-05-labels.test.ts'])
  assert.equal(c.unexpected, ['lesson-05-selectors.test.ts'])
  assert.equal(c.run, found)
})

test('an excepted suite is not run but listed with its reason; a missing excepted one is still missing', () => {
  const c = checkExpected(['a.test.ts', 'lab.test.ts'], ['a.test.ts', 'lab.test.ts', 'gone.test.ts'], { 'lab.test.ts': 'lab only', 'gone.test.ts': 'lab only' })
  assert.equal(c.run, ['a.test.ts'])
  assert.equal(c.excepted, [{ name: 'lab.test.ts', reason: 'lab only' }])
  assert.equal(c.missing, ['gone.test.ts'])
})

test('the lab runs every e2e suite; kind and minikube except the four lab-only ones', () => {
  assert.equal(exceptedOn('lab'), {})
  for (const p of ['kind', 'minikube'] as const) {
    assert.equal(Object.keys(exceptedOn(p)).sort(), ['01-lab.test.ts', '03-remote-registry.test.ts', 'learn-reset.test.ts', 'zz-lab-restart.test.ts'])
    for (const why of Object.values(exceptedOn(p))) assert.match(why, /^lab only: /)
  }
})

const list = (mode: string, provider: string) =>
  spawnSync('npx', ['tsx', 'test/run.ts', mode, '--list'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, E2E_PROVIDER: provider } })

test('run.ts e2e --list on kind: the real tree has every expected suite, lab-only ones excepted, nothing run', () => {
  const r = list('e2e', 'kind')
  assert.is(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /would run \(E2E_PROVIDER=kind/)
  assert.match(r.stdout, /e2e\/lesson-15-teardown\.test\.ts/)
  assert.match(r.stdout, /e2e\/01-lab\.test\.ts\s+excepted \(lab only: /)
  assert.match(r.stdout, /e2e\/faults\s+excepted \(lab only: /)
  // the 3 lab-only e2e suites and the 2 lab reports (faults, conformance)
  assert.match(r.stdout, /6 suite\(s\) excepted on this provider/)
  assert.ok(!/lab cluster \(tasks\/lab\/up\.ts/.test(r.stdout), 'list mode must not bring the lab up')
  assert.is(r.stdout.trimEnd().split('\n').at(-1), '0 passed, 0 failed')
})

test('run.ts names and counts what it leaves out: unit mode the e2e suites, --only the unnamed ones, with the reason', () => {
  const u = list('unit', 'lab')
  assert.is(u.status, 0, u.stdout + u.stderr)
  assert.match(u.stdout, /e2e\/\*\.test\.ts \(\d+ suites\)\s+left out \(a unit run: they need a cluster/)
  assert.match(u.stdout, /\d+ suite\(s\) left out of this run/)
  const o = spawnSync('npx', ['tsx', 'test/run.ts', 'unit', '--list', '--only', 'redact'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '', E2E_PROVIDER: 'lab' } })
  assert.is(o.status, 0, o.stdout + o.stderr)
  assert.match(o.stdout, /unit\/tasks\/lib\/shell\.test\.ts\s+left out \(not named by --only redact\)/)
  assert.match(o.stdout, /go test \.\/\.\.\. in hellogopher\s+left out \(not named by --only redact\)/)
  assert.ok(!/unit\/tasks\/lib\/redact\.test\.ts\s+left out/.test(o.stdout))
  assert.match(o.stdout, /unit\/tasks\/lib\/redact\.test\.ts/)
  assert.is(o.stdout.trimEnd().split('\n').at(-1), '0 passed, 0 failed')
})

test('run.ts with a bad provider or mode: one line, exit 2, nothing run', () => {
  const r = list('e2e', 'docker-desktop')
  assert.is(r.status, 2)
  assert.is(r.stderr.trim().split('\n').length, 1)
  assert.match(r.stderr, /unknown E2E_PROVIDER 'docker-desktop'/)
  const m = spawnSync('npx', ['tsx', 'test/run.ts', 'everything'], { cwd: ROOT, encoding: 'utf8' })
  assert.is(m.status, 2)
  assert.match(m.stderr, /unknown arguments 'everything'/)
})

test.run()
