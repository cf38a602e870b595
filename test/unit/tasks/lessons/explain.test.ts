/** tasks/lessons/explain.ts: every lesson's --explain (commands in order, 2–3 lines each) and --solution, no secret value. */
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadManifests } from '../../../../tasks/lib/manifests.ts'
import { clearSecrets } from '../../../../tasks/lib/redact.ts'
import { MANIFESTS_DIR } from '../../../../tasks/lib/tutorial.ts'
import { formatExplain, formatSolution } from '../../../../tasks/lessons/explain.ts'
import { findLesson, LESSONS } from '../../../../tasks/lessons/index.ts'
import { SECRET_B64, SECRET_WORD } from '../../fakes.ts'

test.before.each(() => clearSecrets())

test('--explain: every lesson has its commands in order, each with 2–3 lines, ending with what to try next', () => {
  for (const l of LESSONS) {
    const { commands, next } = l.explain
    assert.ok(commands.length >= 1, `lesson ${l.number} has no commands`)
    for (const c of commands) {
      assert.ok(c.run.trim().length > 3, `lesson ${l.number}: empty command`)
      assert.ok(c.does.length >= 2 && c.does.length <= 3, `lesson ${l.number}, ${c.run}: ${c.does.length} lines`)
      for (const line of c.does) assert.not.match(line, /\n/)
    }
    assert.ok(next.length > 10, `lesson ${l.number}: no next`)
    const text = formatExplain(l)
    const lines = text.split('\n')
    assert.is(lines[0], `Lesson ${l.number} — ${l.title}`)
    // the commands in their order
    let at = 0
    for (const c of commands) {
      const i = lines.findIndex((x, j) => j >= at && x.endsWith(c.run))
      assert.ok(i >= at, `lesson ${l.number}: ${c.run} missing or out of order`)
      at = i + 1
    }
    assert.match(lines[lines.length - 2]!, /^What to try next: /)
    assert.is(lines[lines.length - 1], `Check your work: npx tsx tasks/lesson.ts ${l.number} --check`)
  }
})

test('--explain: the lessons with commands a learner types name the tutorial commands', () => {
  const ran = (n: number) => findLesson(String(n)).explain.commands.map((c) => c.run).join('\n')
  assert.match(ran(3), /kubectl create -f hellogopher\.yml/)
  assert.match(ran(4), /kubectl expose deployment hellogopher --type=NodePort --port=8080/)
  assert.match(ran(5), /kubectl label po\/<pod> author-/)
  assert.match(ran(7), /kubectl set image deployment\/hellogopher hellogopher=programmingpercy\/hellogopher:2\.0/)
  assert.match(ran(10), /kubectl config set-context --current --namespace=hellogopher/)
  assert.match(ran(12), /--from-env-file=dbConfig\.properties/)
  assert.match(ran(13), /kubectl patch secret database-secrets --type='json'/)
})

test('--solution: just the commands, "$ " before a command, "✎ " before a file edit', () => {
  const six = formatSolution(findLesson('6')).split('\n')
  assert.is(six[0], 'Lesson 6 — Readiness probe: the commands')
  assert.is(six.length, 1 + findLesson('6').explain.commands.length)
  assert.match(six[1]!, /^✎ edit hellogopher\.yml: readinessProbe/)
  assert.is(six[2], '$ kubectl get pods')
})

test('--explain and --solution show no secret value, even with every manifest loaded (secrets registered)', () => {
  loadManifests(MANIFESTS_DIR)
  loadManifests(join(MANIFESTS_DIR, 'lessons'))
  for (const l of LESSONS) {
    for (const text of [formatExplain(l), formatSolution(l)]) {
      assert.not.ok(text.includes(SECRET_B64), `lesson ${l.number}`)
      assert.not.match(text, SECRET_WORD, `lesson ${l.number}`)
      assert.not.ok(text.includes('••••••'), `lesson ${l.number}: its own text names a secret value`)
    }
  }
})

test.run()
