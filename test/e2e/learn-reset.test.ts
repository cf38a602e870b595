/**
 * Learn by doing, the reset: for EVERY lesson N (1–15), `lesson N --reset` brings the cluster to where lessons 0…N−1
 * leave it, and then `lesson N−1 --check` — what a learner who did lesson N−1 by hand would run — passes, every line ✔.
 * Lesson 0 starts from nothing: its reset says so and changes nothing.
 *
 * The order keeps the run short: N walks upward, so each reset replays one lesson (it clears what a later lesson
 * left first) and the images a lesson needs are built once, by the first reset that needs them. Every reset's and
 * check's time is printed, and a table of them closes the run.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LESSONS } from '../../tasks/lessons/index.ts'
import { expectOk, kube, kubectl } from './helpers.ts'
import { check, DEF, ok, passes, printTimings, reset, snapshot } from './learn.ts'

test('--reset 0: lesson 0 starts from nothing — it says so, and changes nothing', async () => {
  const before = await snapshot(DEF)
  const r = await reset(0)
  await expectOk(r, 'lesson 0 --reset', DEF)
  assert.match(r.stdout, /^Lesson 0 starts from nothing: there is nothing to reset\.$/m)
  assert.match(r.stdout, /^Then check it: +npx tsx tasks\/lesson\.ts 0 --check$/m)
  assert.equal(await snapshot(DEF), before, '--reset 0 changed objects in default')
})

for (const l of LESSONS.filter((x) => x.number >= 1)) {
  const n = l.number
  const prev = LESSONS.find((x) => x.number === n - 1)!
  test(`--reset ${n}, then --check ${n - 1} (${prev.name}) passes`, async () => {
    const r = await reset(n)
    await expectOk(r, `lesson ${n} --reset`, l.namespace)
    assert.match(r.stdout, new RegExp(`^Lesson ${n}'s starting point is where lesson ${n - 1} \\(${prev.name}\\) ends: replaying lesson ${n - 1}$`, 'm'))
    assert.match(r.stdout, new RegExp(`lessons 0–${n - 1} leave it: lesson ${n} \\(${l.name}\\) starts here\\.`))
    // lesson 0 checks one thing (the tools); from lesson 1 on "the cluster answers" comes first
    passes(await check(n - 1), n - 1, n - 1 === 0 ? 1 : 2)
  })
}

test('afterwards: the context namespace back to default (as lesson 15 leaves it); the timings', async () => {
  await ok(kubectl(['config', 'set-context', '--current', '--namespace=default']), 'kubectl config set-context default')
  assert.is(kube().contextNamespace, 'default')
  printTimings('learn-reset timings (each --reset N replays lesson N−1; each --check reads only)')
})

test.run()
