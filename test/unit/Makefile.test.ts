/** Makefile.ts: every documented target is there with a description; extra args reach the last command; unknown → exit 2. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { listing, missingScript, plan, TARGETS } from '../../Makefile.ts'
import { ROOT } from '../../tasks/lib/tutorial.ts'

const run = promisify(execFile)

test('the targets, each with a one-line description', () => {
  assert.equal(Object.keys(TARGETS), ['up', 'teardown', 'doctor', 'lab-up', 'lab-down', 'lab-status', 'test', 'test-unit', 'test-e2e', 'typecheck', 'lint', 'bench', 'clean'])
  for (const [name, t] of Object.entries(TARGETS)) {
    assert.ok(t.description && !t.description.includes('\n'), name)
    assert.ok(t.commands?.length || t.run, `${name} does something`)
  }
  const text = listing()
  for (const name of Object.keys(TARGETS)) assert.match(text, new RegExp(`^  ${name} +\\S`, 'm'))
})

test('plan: the commands, with extra args appended to the last one', () => {
  assert.equal(plan(TARGETS.up!, ['--dry-run']), [['npx', 'tsx', 'tasks/up.ts', '--dry-run']])
  assert.equal(plan(TARGETS['test-unit']!, []), [['npm', 'run', 'test:unit', '--']])
  const lint = plan(TARGETS.lint!, ['-x'])
  assert.is(lint.length, 4)
  assert.equal(lint[3]!.at(-1), '-x')
  assert.not.ok(lint.slice(0, 3).some((c) => c.includes('-x')))
  assert.equal(plan(TARGETS.up!, []), [['npx', 'tsx', 'tasks/up.ts']], 'TARGETS itself is not changed')
})

test('missingScript: a tsx target whose file is not there yet is named', () => {
  assert.is(missingScript(['npx', 'tsx', 'tasks/up.ts']), undefined)
  assert.is(missingScript(['npx', 'tsx', 'bench/nothing-here.ts']), 'bench/nothing-here.ts')
  assert.is(missingScript(['npm', 'test']), undefined)
})

test('`npx tsx Makefile.ts` lists; an unknown target is one line and exit 2', async () => {
  const list = await run('npx', ['tsx', 'Makefile.ts'], { cwd: ROOT })
  assert.match(list.stdout, /^Usage: npx tsx Makefile\.ts <target>/)
  try {
    await run('npx', ['tsx', 'Makefile.ts', 'nope'], { cwd: ROOT })
    assert.unreachable()
  } catch (e) {
    const err = e as { code: number; stderr: string }
    assert.is(err.code, 2)
    assert.is(err.stderr.trim().split('\n').length, 1)
    assert.match(err.stderr, /^Makefile\.ts: unknown target 'nope' \(known: up, teardown/)
  }
})

test("a target runs its command and passes its output and exit code through (up --help; up with an unknown flag exits 2 with up's own line)", async () => {
  const ok = await run('npx', ['tsx', 'Makefile.ts', 'up', '--help'], { cwd: ROOT })
  assert.match(ok.stdout, /Usage: npx tsx tasks\/up\.ts/)
  // up.ts refuses an unknown flag with exit 2 and its own one-line message: Makefile.ts must hand both on
  try {
    await run('npx', ['tsx', 'Makefile.ts', 'up', '--no-such-flag'], { cwd: ROOT })
    assert.unreachable('a failing command must fail the target')
  } catch (e) {
    const err = e as { code: number; stderr: string }
    assert.is(err.code, 2)
    assert.match(err.stderr, /^tasks\/up\.ts: unknown flag --no-such-flag/)
  }
})

test.run()
