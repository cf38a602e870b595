/** tasks/lib/redact.ts: registered secrets are masked in plain and base64 form; 1–2 character values only where they stand as a value. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { clearSecrets, redact, REDACTED, registerSecret } from '../../../../tasks/lib/redact.ts'

test.before.each(() => clearSecrets())

test('nothing registered → text unchanged', () => {
  assert.is(redact('password cGFzc3dvcmQ='), 'password cGFzc3dvcmQ=')
})

test('a plain value is masked, and so is its base64', () => {
  registerSecret('password')
  assert.is(redact('-p password and cGFzc3dvcmQ='), `-p ${REDACTED} and ${REDACTED}`)
})

test('a value given in base64 masks its decoded form too', () => {
  registerSecret('cGFzc3dvcmQ=')
  assert.is(redact('password / cGFzc3dvcmQ='), `${REDACTED} / ${REDACTED}`)
})

test('a base64-looking value whose decoded form is binary only masks itself', () => {
  registerSecret('////')
  assert.is(redact('a //// b'), `a ${REDACTED} b`)
})

for (const empty of ['', undefined, null]) {
  test(`empty value ${JSON.stringify(empty)} registers nothing`, () => {
    registerSecret(empty)
    assert.is(redact('a 12 abc'), 'a 12 abc')
  })
}

test('a 1-character password is registered: masked as a value and in base64, everywhere', () => {
  registerSecret('x')
  assert.is(redact('DATABASE_PASSWORD=x'), `DATABASE_PASSWORD=${REDACTED}`)
  assert.is(redact('password: x'), `password: ${REDACTED}`)
  assert.is(redact('{"value":"x"}'), `{"value":"${REDACTED}"}`)
  assert.is(redact('x'), REDACTED)
  // its base64 (eA==) is masked wherever it appears
  assert.is(redact('DATABASE_PASSWORD: eA== and data eA=='), `DATABASE_PASSWORD: ${REDACTED} and data ${REDACTED}`)
})

test('a 1–2 character value is not masked inside words or free prose (that would shred every line)', () => {
  registerSecret('a')
  registerSecret('12')
  assert.is(redact('a cat ran 12 laps in 2012'), 'a cat ran 12 laps in 2012')
  assert.is(redact('K=12'), `K=${REDACTED}`)
  assert.is(redact('K=123'), 'K=123')
})

test('a three-character value is the shortest registered', () => {
  registerSecret('abc')
  assert.is(redact('xabcx'), `x${REDACTED}x`)
})

test('longest first: a secret containing another is masked whole', () => {
  registerSecret('pass')
  registerSecret('password123')
  assert.is(redact('password123 pass'), `${REDACTED} ${REDACTED}`)
})

test('every occurrence is masked, across lines', () => {
  registerSecret('s3cr3t')
  assert.is(redact('s3cr3t\nx s3cr3t s3cr3t'), `${REDACTED}\nx ${REDACTED} ${REDACTED}`)
})

test('clearSecrets forgets everything', () => {
  registerSecret('s3cr3t')
  clearSecrets()
  assert.is(redact('s3cr3t'), 's3cr3t')
})

test.run()
