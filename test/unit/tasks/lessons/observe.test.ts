/** tasks/lessons/observe.ts: a check's title says what it saw; deadlines become "not seen"; the line and env pickers. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KubeError, TimeoutError } from '../../../../tasks/lib/kube-state.ts'
import type { V1Pod } from '../../../../tasks/lib/kube.ts'
import { asNotSeen, envLines, lastExit, observe, pickLines } from '../../../../tasks/lessons/observe.ts'
import { NotSeen } from '../../../../tasks/lessons/types.ts'
import { fakeDeps, runStep, testCtx } from '../../fakes.ts'

test('asNotSeen: a watch deadline becomes "not seen" with what was seen last; other errors pass through', () => {
  const e = asNotSeen(new TimeoutError(60, 'pod/x to be restarted', 'pod/x Running 1/1 ready, 0 restarts'), 'the restart count climbing')
  assert.instance(e, NotSeen)
  assert.is((e as Error).message, 'not seen: the restart count climbing — saw: pod/x Running 1/1 ready, 0 restarts (after waiting 60s for pod/x to be restarted)')
  const other = new KubeError('list pods in default: HTTP 403 forbidden')
  assert.is(asNotSeen(other, 'x'), other)
  // decided by the type, not the words: a message that merely reads like a deadline is not one
  const lookalike = new KubeError('timed out after 1s waiting for x; last seen: y')
  assert.is(asNotSeen(lookalike, 'x'), lookalike)
})

test('observe: the title says what the check saw; a check that saw nothing is "not seen", never the expectation as "Seen:"', async () => {
  const expect = 'pod/x 1/1 ready'
  const t = await runStep(observe(fakeDeps(), { title: 'the pod', expect, check: async () => 'pod/x Running 1/1 ready, 0 restarts' }), testCtx())
  assert.is(t.title, 'Seen: pod/x Running 1/1 ready, 0 restarts')
  for (const nothing of ['', '  ', undefined]) {
    try {
      const r = await runStep(observe(fakeDeps(), { title: 'the pod', expect, check: async () => nothing as unknown as string }), testCtx())
      assert.unreachable(`a check that returned ${JSON.stringify(nothing)} gave the title ${r.title}`)
    } catch (e) {
      assert.instance(e, NotSeen)
      assert.is((e as Error).message, `not seen: ${expect} — saw: the check reported nothing it saw`)
    }
  }
})

test('pickLines, envLines, lastExit', () => {
  assert.equal(pickLines('NAME  READY\nhellogopher-1  0/1   \n\nmysql-2  1/1\n', /hellogopher|NAME/), ['NAME  READY', 'hellogopher-1  0/1'])
  assert.equal(pickLines('a\nb\nc', undefined, 2), ['a', 'b'])
  assert.equal(envLines('PATH=/bin\nMYSQL_PORT=tcp://10.96.0.9:3306\nEMPTY=\nnoise\n'), { PATH: '/bin', MYSQL_PORT: 'tcp://10.96.0.9:3306', EMPTY: '' })
  const oom = { status: { containerStatuses: [{ name: 'oom-demo', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] } } as unknown as V1Pod
  assert.equal(lastExit(oom, 'oom-demo'), { reason: 'OOMKilled', exitCode: 137 })
  const crashLooping = { status: { containerStatuses: [{ name: 'hellogopher', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'Error', exitCode: 1 } } }] } } as unknown as V1Pod
  assert.equal(lastExit(crashLooping), { reason: 'Error', exitCode: 1 })
  assert.is(lastExit({ status: { containerStatuses: [{ name: 'hellogopher', state: { running: {} } }] } } as unknown as V1Pod), undefined)
})

test.run()
