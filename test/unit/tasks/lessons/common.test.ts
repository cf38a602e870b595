/** tasks/lessons/common.ts: the step wrappers lessons share — withCtx, deferred, expectRefusal. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Ctx } from '../../../../tasks/lib/run.ts'
import { CommandError } from '../../../../tasks/lib/shell.ts'
import type { Step } from '../../../../tasks/lib/task.ts'
import { deferred, expectRefusal, withCtx } from '../../../../tasks/lessons/common.ts'
import { NotSeen } from '../../../../tasks/lessons/types.ts'
import { runStep, testCtx } from '../../fakes.ts'

test('withCtx: the wrapped step sees the changed settings; the shared ctx is untouched', async () => {
  const seen: string[] = []
  const step: Step = { title: 't', skip: (ctx) => (seen.push(`skip ${ctx.namespace}`), false), task: (ctx) => void seen.push(`task ${ctx.namespace}`) }
  const ctx = testCtx({ namespace: 'default' })
  const wrapped = withCtx(step, { namespace: 'hellogopher' })
  await (wrapped.skip as (c: Ctx) => Promise<boolean>)(ctx)
  await runStep(wrapped, ctx)
  assert.equal(seen, ['skip hellogopher', 'task hellogopher'])
  assert.is(ctx.namespace, 'default')
})

test("deferred: built while it runs, and the built step's skip reason is honoured (not under --dry-run)", async () => {
  let built = 0
  const inner: Step = { title: 'inner', skip: () => 'already done', task: () => assert.unreachable('skipped step ran') }
  const t = await runStep(deferred('outer', () => (built++, inner)), testCtx())
  assert.is(built, 1)
  assert.is(t.skipped, 'already done')
  assert.is(t.title, 'inner')
  let ran = false
  await runStep(deferred('outer', () => ({ ...inner, task: () => void (ran = true) })), testCtx({ dryRun: true }))
  assert.ok(ran)
})

test("expectRefusal: kubectl's refusal is what is seen; the change going through is not", async () => {
  const refusing: Step = { title: 'label', task: () => Promise.reject(new CommandError('kubectl label pod/x author=ironman', 1, "error: 'author' already has a value (percy), and --overwrite is false")) }
  const t = await runStep(expectRefusal(refusing, /--overwrite is false/, 'kubectl refuses'), testCtx())
  assert.equal(t.outputs, ["refused, as expected: error: 'author' already has a value (percy), and --overwrite is false"])
  assert.match(t.title, /^Seen: kubectl refuses — error: 'author' already has a value/)
  const accepting: Step = { title: 'label', task: () => undefined }
  try {
    await runStep(expectRefusal(accepting, /--overwrite is false/, 'kubectl refuses'), testCtx())
    assert.unreachable()
  } catch (e) {
    assert.instance(e, NotSeen)
    assert.is((e as Error).message, 'not seen: kubectl refuses — saw: kubectl accepted the change')
  }
  const other: Step = { title: 'label', task: () => Promise.reject(new CommandError('kubectl label pod/x', 1, 'Error from server (NotFound): pods "x" not found')) }
  try {
    await runStep(expectRefusal(other, /--overwrite is false/, 'kubectl refuses'), testCtx())
    assert.unreachable()
  } catch (e) {
    assert.instance(e, CommandError, 'another failure is not the refusal the lesson shows')
  }
})

test.run()
