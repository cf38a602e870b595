/** tasks/lib/state.ts: the small JSON file that remembers the context namespace for teardown. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readState, STATE_FILE, writeState } from '../../../../tasks/lib/state.ts'
import { ROOT } from '../../../../tasks/lib/tutorial.ts'

const dirs: string[] = []
const fresh = () => {
  dirs.push(mkdtempSync(join(tmpdir(), 'state-test-')))
  return join(dirs[dirs.length - 1]!, 'nested', 'state.json')
}
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

test('the file lives in <repo>/.cache (gitignored)', () => {
  assert.is(STATE_FILE, join(ROOT, '.cache', 'state.json'))
  assert.match(readFileSync(join(ROOT, '.gitignore'), 'utf8'), /^\.cache\/$/m)
})

test('no file yet → empty state', () => {
  assert.equal(readState(fresh()), {})
})

test('writeState creates the folder, merges, and reads back', () => {
  const f = fresh()
  assert.equal(writeState({ previousNamespace: 'team-a' }, f), { previousNamespace: 'team-a' })
  assert.equal(readState(f), { previousNamespace: 'team-a' })
  writeFileSync(f, JSON.stringify({ previousNamespace: 'team-a', other: 1 }))
  writeState({ previousNamespace: 'team-b' }, f)
  assert.equal(readState(f) as unknown, { previousNamespace: 'team-b', other: 1 })
})

test('a key set to undefined is removed', () => {
  const f = fresh()
  writeState({ previousNamespace: 'team-a' }, f)
  assert.equal(writeState({ previousNamespace: undefined }, f), {})
  assert.equal(readState(f), {})
})

test('no temp file is left behind', () => {
  const f = fresh()
  writeState({ previousNamespace: 'x' }, f)
  assert.equal(readdirSync(join(f, '..')), ['state.json'])
})

for (const [name, text] of [
  ['broken JSON', '{"previousNamespace": '],
  ['a JSON array', '["default"]'],
  ['JSON null', 'null'],
] as const) {
  test(`a damaged file (${name}) throws, naming the file`, () => {
    const f = fresh()
    writeState({}, f)
    writeFileSync(f, text)
    assert.throws(() => readState(f), (e: Error) => e.message.includes(f) && e.message.includes('delete it'))
  })
}

test.run()
