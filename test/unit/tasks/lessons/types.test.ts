/** tasks/lessons/types.ts: NotSeen — what was expected, what was seen, in one message that never carries a registered secret. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { clearSecrets, registerSecret } from '../../../../tasks/lib/redact.ts'
import { NotSeen } from '../../../../tasks/lessons/types.ts'

test.before.each(() => clearSecrets())

test('NotSeen: "not seen: <expected> — saw: <what was seen>", both kept as fields', () => {
  const e = new NotSeen('pod/x 1/1 ready', 'pod/x Running 0/1 ready')
  assert.instance(e, Error)
  assert.is(e.name, 'NotSeen')
  assert.is(e.message, 'not seen: pod/x 1/1 ready — saw: pod/x Running 0/1 ready')
  assert.is(e.expected, 'pod/x 1/1 ready')
  assert.is(e.saw, 'pod/x Running 0/1 ready')
})

test('NotSeen never carries a registered secret in its message', () => {
  registerSecret('s3cr3t-value')
  assert.is(new NotSeen('a login', 'log line: denied for s3cr3t-value').message, 'not seen: a login — saw: log line: denied for ••••••')
})

test.run()
