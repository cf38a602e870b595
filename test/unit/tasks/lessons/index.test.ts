/** tasks/lessons/index.ts: the 16 lessons in order, their names and summaries, finding one by number or name, the listing. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../../../../tasks/lib/cli.ts'
import { findLesson, LESSONS, listing } from '../../../../tasks/lessons/index.ts'

test('listing (--list): the 16 lessons 0–15 in order, one line each (number, name, what you will see)', () => {
  const lines = listing().split('\n')
  assert.is(lines.length, 16)
  lines.forEach((line, i) => {
    const l = LESSONS[i]!
    assert.is(l.number, i)
    assert.match(line, new RegExp(`^\\s?${i}  ${l.name}\\s+\\S`))
    assert.ok(line.endsWith(l.summary), line)
  })
})

test('lessons: unique names (lowercase slugs), one-line summaries, namespace default for 3–9 only', () => {
  assert.is(new Set(LESSONS.map((l) => l.name)).size, 16)
  for (const l of LESSONS) {
    assert.match(l.name, /^[a-z][a-z0-9-]*$/)
    assert.not.match(l.summary, /\n/)
    assert.ok(l.observable.length > 10, l.name)
    assert.is(l.namespace, l.number >= 3 && l.number <= 9 ? 'default' : 'hellogopher', l.name)
  }
})

test('findLesson: by number (6, 06), by name, by file-style name, case and spaces ignored', () => {
  for (const q of ['6', '06', 'readiness', '06-readiness', ' Readiness ']) assert.is(findLesson(q).number, 6, q)
  assert.is(findLesson('0').name, 'prerequisites')
  assert.is(findLesson('15').name, 'teardown')
  assert.is(findLesson('service-env').number, 11)
})

test('findLesson: an unknown lesson is a one-line usage error naming what exists', () => {
  for (const q of ['16', '-1', 'foo', '6-liveness', '', '1.5']) {
    try {
      findLesson(q)
      assert.unreachable(q)
    } catch (e) {
      assert.instance(e, UsageError, q)
      assert.not.match((e as Error).message, /\n/)
      assert.match((e as Error).message, /^unknown lesson '.*' \(a number 0–15 or a name: prerequisites, cluster, .*, teardown\)$/)
    }
  }
})

test.run()
