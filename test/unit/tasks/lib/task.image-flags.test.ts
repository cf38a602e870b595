/** `--image FROM=TO`: parsed strictly, and layered over the provider's own swaps (the user's win). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../../../../tasks/lib/cli.ts'
import { parseImageFlags, withImageFlags } from '../../../../tasks/lib/task.ts'
import { fakeProvider } from '../../fakes.ts'

const good: Array<[string[] | undefined, Record<string, string>]> = [
  [undefined, {}],
  [[], {}],
  [['mysql:8.0=127.0.0.1:5000/learn/mysql:8.0'], { 'mysql:8.0': '127.0.0.1:5000/learn/mysql:8.0' }],
  [['a=b', 'c:1=d.io/e:2'], { a: 'b', 'c:1': 'd.io/e:2' }],
]
for (const [input, want] of good) {
  test(`parseImageFlags(${JSON.stringify(input)})`, () => assert.equal(parseImageFlags(input), want))
}

for (const bad of ['mysql:8.0', '=x', 'x=', 'a=b=c', 'a b=c']) {
  test(`parseImageFlags rejects '${bad}' with one line`, () => {
    assert.throws(() => parseImageFlags([bad]), (e: Error) => e instanceof UsageError && e.message.includes('FROM=TO') && !e.message.includes('\n'))
  })
}

test('withImageFlags: no flags → the same provider object', () => {
  const p = fakeProvider()
  assert.is(withImageFlags(p, undefined), p)
})

test("withImageFlags: the user's swaps join the provider's and win on the same key", () => {
  const p = fakeProvider({ imageOverrides: () => ({ 'mysql:8.0': 'lab/mariadb', 'x:1': 'y:1' }) })
  const w = withImageFlags(p, ['mysql:8.0=mirror/mysql:8.0'])
  assert.equal(w.imageOverrides(), { 'mysql:8.0': 'mirror/mysql:8.0', 'x:1': 'y:1' })
  assert.is(w.name, p.name)
})

test.run()
