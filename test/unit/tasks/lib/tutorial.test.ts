/** tasks/lib/tutorial.ts: the tutorial's facts — the repo's paths, the tags from hellogopher/tags.json, an image's ref. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { HELLOGOPHER_DIR, imageRef, loadTags, MANIFESTS_DIR, ROOT, tagNames } from '../../../../tasks/lib/tutorial.ts'

test('ROOT is the project root (package.json, tasks/, manifests/ and hellogopher/ under it)', () => {
  assert.ok(existsSync(join(ROOT, 'package.json')) && existsSync(join(ROOT, 'Makefile.ts')))
  assert.ok(existsSync(join(ROOT, 'tasks', 'up.ts')))
  assert.is(MANIFESTS_DIR, join(ROOT, 'manifests'))
  assert.is(HELLOGOPHER_DIR, join(ROOT, 'hellogopher'))
})

test('tagNames: the keys of hellogopher/tags.json, in numeric order', () => {
  const fromFile = Object.keys(JSON.parse(readFileSync(join(HELLOGOPHER_DIR, 'tags.json'), 'utf8')) as object)
  assert.equal(tagNames(), [...fromFile].sort((a, b) => Number(a) - Number(b)))
  assert.equal(tagNames(), ['1.0', '2.0', '3.0', '4.0', '5.0'])
})

test('loadTags: what each build does (2.0 and 3.0 time out, 5.0 needs the database)', () => {
  const tags = loadTags()
  assert.is(tags['1.0']!.timeoutSeconds, 0)
  assert.is(tags['2.0']!.timeoutSeconds, 10)
  assert.is(tags['3.0']!.timeoutSeconds, 100)
  assert.equal(Object.entries(tags).filter(([, t]) => t.database).map(([k]) => k), ['5.0'])
})

test('imageRef: <repo>:<tag> in the run\'s repository', () => {
  assert.is(imageRef({ imageRepo: 'programmingpercy/hellogopher' }, '3.0'), 'programmingpercy/hellogopher:3.0')
  assert.is(imageRef({ imageRepo: 'localhost:5000/hg' }, '5.0'), 'localhost:5000/hg:5.0')
})

test.run()
