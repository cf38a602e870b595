/** tasks/lib/hash.ts: sha256Parts frames each part by its name and byte length, so any change to names, bytes or their split changes the hash. */
import { createHash } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { sha256Parts } from '../../../../tasks/lib/hash.ts'

test('sha256Parts: the sha256 (hex) of each part framed as name NUL byte-length NUL content, in order', () => {
  const h = sha256Parts([['Dockerfile', 'FROM scratch\n'], ['main.go', 'package main // é']])
  // the framing is what images carry in their label: an independent digest of the documented bytes must match
  const framed = Buffer.concat([Buffer.from('Dockerfile\x0013\x00FROM scratch\n'), Buffer.from(`main.go\x00${Buffer.byteLength('package main // é')}\x00package main // é`)])
  assert.is(h, createHash('sha256').update(framed).digest('hex'))
  assert.match(h, /^[0-9a-f]{64}$/)
})

test('sha256Parts: the same parts give the same hash; a string and a Buffer of the same bytes hash alike', () => {
  const a = sha256Parts([['a', 'x'], ['b', 'y']])
  assert.is(sha256Parts([['a', 'x'], ['b', 'y']]), a)
  assert.is(sha256Parts([['a', Buffer.from('x')], ['b', Buffer.from('y')]]), a)
})

test('sha256Parts: moving bytes from one part to the next changes the hash (lengths are framed)', () => {
  assert.is.not(sha256Parts([['a', 'xy'], ['b', 'z']]), sha256Parts([['a', 'x'], ['b', 'yz']]))
  assert.is.not(sha256Parts([['a', ''], ['b', 'xy']]), sha256Parts([['a', 'xy'], ['b', '']]))
})

test('sha256Parts: renaming a part, reordering the parts or changing one byte changes the hash', () => {
  const base = sha256Parts([['a', 'x'], ['b', 'y']])
  assert.is.not(sha256Parts([['c', 'x'], ['b', 'y']]), base)
  assert.is.not(sha256Parts([['b', 'y'], ['a', 'x']]), base)
  assert.is.not(sha256Parts([['a', 'x'], ['b', 'Y']]), base)
  assert.is.not(sha256Parts([['a', 'x']]), base)
})

test('sha256Parts: a multi-byte character is framed by its byte length, not its string length', () => {
  // 'é' is 1 UTF-16 unit but 2 bytes: were the length counted in units, this part would frame as `a\x001\x00é`
  const wrongFraming = createHash('sha256').update(Buffer.from('a\x001\x00é')).digest('hex')
  assert.is.not(sha256Parts([['a', 'é']]), wrongFraming)
  assert.is(sha256Parts([['a', 'é']]), createHash('sha256').update(Buffer.from('a\x002\x00é')).digest('hex'))
})

test.run()
