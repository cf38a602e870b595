/** tasks/lessons/diff.ts: --diff of every lesson against the one before, secret values masked, the learner's folder. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { clearSecrets } from '../../../../tasks/lib/redact.ts'
import { MANIFESTS_DIR } from '../../../../tasks/lib/tutorial.ts'
import { folderBefore, lessonDiff, maskedText } from '../../../../tasks/lessons/diff.ts'
import { LESSONS } from '../../../../tasks/lessons/index.ts'
import { SECRET_B64, SECRET_WORD } from '../../fakes.ts'

test.before.each(() => clearSecrets())

test('--diff: every lesson against the one before — a unified diff, or one line saying nothing changed; no secret value', () => {
  for (const l of LESSONS) {
    clearSecrets()
    const text = lessonDiff(LESSONS, l.number)
    assert.not.ok(text.includes(SECRET_B64), `lesson ${l.number} shows the Secret's base64`)
    assert.not.match(text, SECRET_WORD, `lesson ${l.number} shows the password`)
    assert.not.ok(text.includes('\x1b['), `lesson ${l.number}: colour without asking`)
    if (l.manifests?.length) {
      assert.match(text, /^--- manifests\/\S+|^--- \/dev\/null/m, `lesson ${l.number}`)
      assert.match(text, /^\+\+\+ manifests\/\S+/m, `lesson ${l.number}`)
      assert.match(text, /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m, `lesson ${l.number}`)
    } else {
      assert.match(text, new RegExp(`^Lesson ${l.number} \\(${l.title.replace(/[+()]/g, '\\$&')}\\) changes no manifest: `), `lesson ${l.number}: ${text}`)
      assert.is(text.split('\n').length, 1)
    }
  }
})

test('--diff 7: the liveness probe and the 2.0 image arrive, from lesson 6 to lesson 7', () => {
  const text = lessonDiff(LESSONS, 7)
  assert.match(text, /^--- manifests\/lessons\/06-readiness-fixed\.yml\tlesson 6$/m)
  assert.match(text, /^\+\+\+ manifests\/lessons\/07-liveness\.yml\tlesson 7$/m)
  assert.match(text, /^- {10}image: programmingpercy\/hellogopher:1\.0$/m)
  assert.match(text, /^\+ {10}image: programmingpercy\/hellogopher:2\.0$/m)
  assert.match(text, /^\+ {10}livenessProbe:$/m)
  assert.match(text, /^\+ {12}failureThreshold: 3$/m)
})

test('--diff 6 shows its two steps: the probe on 8081, then on 8080', () => {
  const text = lessonDiff(LESSONS, 6)
  const [first, second] = text.split(/^# step 2: /m)
  assert.match(first!, /^# step 1: a readiness probe on the wrong port/)
  assert.match(first!, /^\+ {14}port: 8081$/m)
  assert.match(second!, /^- {14}port: 8081$/m)
  assert.match(second!, /^\+ {14}port: 8080$/m)
  assert.match(second!, /lesson 6, step 1\n\+\+\+ manifests\/lessons\/06-readiness-fixed\.yml\tlesson 6, step 2/)
})

test('--diff 13: the Secret arrives with its value masked; the plain value leaves masked too', () => {
  const text = lessonDiff(LESSONS, 13)
  assert.match(text, /^\+kind: Secret$/m)
  assert.match(text, /^\+ {2}DATABASE_PASSWORD: ••••••$/m)
  assert.match(text, /^- {14}value: ••••••$/m)
  assert.match(text, /^\+ {16}secretKeyRef:$/m)
})

test('--diff: a file without secrets is shown as written; one with them only has its values masked', () => {
  assert.is(maskedText('lessons/08-oom.yml'), readFileSync(join(MANIFESTS_DIR, 'lessons/08-oom.yml'), 'utf8'))
  const db = readFileSync(join(MANIFESTS_DIR, '01_database.yml'), 'utf8')
  const masked = maskedText('01_database.yml')
  assert.is.not(masked, db)
  assert.is(masked.split('\n').length, db.split('\n').length)
  const changed = db.split('\n').filter((l, i) => l !== masked.split('\n')[i])
  assert.equal(changed, ['  DATABASE_PASSWORD: cGFzc3dvcmQ='])
  const plain = maskedText('lessons/10-database.yml').split('\n')
  assert.ok(plain.includes('              value: ••••••'), plain.join('\n'))
})

test('--diff: coloured when asked (a terminal), the same text plain otherwise', () => {
  const plain = lessonDiff(LESSONS, 7)
  const colour = lessonDiff(LESSONS, 7, { color: true })
  assert.match(colour, /\x1b\[32m\+ {10}image: programmingpercy\/hellogopher:2\.0\x1b\[0m/)
  assert.match(colour, /\x1b\[31m- {10}image: programmingpercy\/hellogopher:1\.0\x1b\[0m/)
  // eslint-disable-next-line no-control-regex
  assert.is(colour.replace(/\x1b\[[0-9;]*m/g, ''), plain)
})

test("--diff: the learner's folder, lesson by lesson; every lesson manifest is in it but the counter-example", () => {
  assert.equal(folderBefore(LESSONS, 3), {})
  assert.equal(folderBefore(LESSONS, 7), { app: 'lessons/06-readiness-fixed.yml' })
  assert.equal(folderBefore(LESSONS, 10), { app: 'lessons/07-liveness.yml', oom: 'lessons/08-oom.yml' })
  assert.equal(folderBefore(LESSONS, 15), { namespace: '00_namespace.yml', database: '01_database.yml', app: '02_hellogopher.yml', dbConfig: 'lessons/12-dbConfig.properties' })
  const named = new Set(LESSONS.flatMap((l) => (l.manifests ?? []).flatMap((s) => Object.values(s.files))).filter(Boolean))
  for (const p of named) assert.ok(existsSync(join(MANIFESTS_DIR, p!)), `${p} does not exist`)
  const files = readdirSync(join(MANIFESTS_DIR, 'lessons')).filter((f) => !f.endsWith('.md'))
  assert.equal(files.filter((f) => !named.has(`lessons/${f}`)), ['03-image-not-in-runtime.yml'])
})

test.run()
