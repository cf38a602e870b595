/**
 * tasks/lib/task.ts runList: listr2 prints titles, outputs, skip reasons and its own `✖ … [FAILED: …]` line
 * straight from what a step gives it — every one of them must come out redacted. The renderer's real output is
 * captured (process.stdout/stderr) while a list runs.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { clearSecrets, registerSecret } from '../../../../tasks/lib/redact.ts'
import { runList, type Step } from '../../../../tasks/lib/task.ts'
import { testCtx } from '../../fakes.ts'

/** Run the list with stdout/stderr captured (listr2 binds its writers when the list is made). */
async function capture(steps: Step[]): Promise<{ out: string; error?: Error }> {
  let out = ''
  const w1 = process.stdout.write.bind(process.stdout)
  const w2 = process.stderr.write.bind(process.stderr)
  const sink = (chunk: string | Uint8Array) => ((out += chunk.toString()), true)
  process.stdout.write = sink as typeof process.stdout.write
  process.stderr.write = sink as typeof process.stderr.write
  let error: Error | undefined
  try {
    await runList(steps, testCtx())
  } catch (e) {
    error = e as Error
  } finally {
    process.stdout.write = w1
    process.stderr.write = w2
  }
  return { out, error }
}

test.before.each(() => clearSecrets())

test("a failing step: listr2's own FAILED line, the title and the output show no secret", async () => {
  registerSecret('hunter22')
  const { out, error } = await capture([
    {
      title: 'Patch with hunter22',
      task: async (_ctx, task) => {
        task.output = 'sending hunter22'
        task.title = 'still hunter22'
        throw new Error('kubectl said: bad value hunter22 (aHVudGVyMjI=)')
      },
    },
  ])
  assert.ok(error, 'the list failed')
  assert.match(out, /kubectl said: bad value/, 'the failure itself is shown')
  assert.not.match(out, 'hunter22')
  assert.not.match(out, 'aHVudGVyMjI=')
  assert.not.match(error!.message, 'hunter22')
})

test('a skip reason and a failing skip check are redacted too', async () => {
  registerSecret('s3cr3t-pw')
  const { out } = await capture([{ title: 'one', skip: async () => 'already has s3cr3t-pw', task: async () => {} }])
  assert.match(out, /already has/)
  assert.not.match(out, 's3cr3t-pw')
  const failed = await capture([
    {
      title: 'two',
      skip: async () => {
        throw new Error('read failed for s3cr3t-pw')
      },
      task: async () => {},
    },
  ])
  assert.ok(failed.error)
  assert.not.match(failed.out, 's3cr3t-pw')
})

test.run()
