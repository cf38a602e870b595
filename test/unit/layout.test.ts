/**
 * The layering of tasks/, read from the import lines: entry points on top (tasks/*.ts, tasks/lab/{up,down,status}.ts)
 * are imported by nothing under tasks/; a lesson never imports another lesson; the lab never imports the providers
 * (the lab provider imports the lab); lib/ (outside providers/) never imports steps/ or lessons/.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../tasks/lib/context.ts'

const TASKS = join(ROOT, 'tasks')

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

/** Every relative import of every file under tasks/, as repo paths. */
const edges = tsFiles(TASKS).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => ({
    from: relative(ROOT, file),
    to: relative(ROOT, resolve(dirname(file), m[1]!)),
  })),
)
const lesson = (p: string) => /^tasks\/lessons\/\d\d-/.test(p)

const rules: Array<[string, (e: { from: string; to: string }) => boolean]> = [
  ['an entry point (tasks/*.ts, tasks/lab/*.ts) is imported', (e) => ['tasks', 'tasks/lab'].includes(dirname(e.to))],
  ['a lesson imports another lesson', (e) => lesson(e.from) && lesson(e.to)],
  ['the lab imports a provider', (e) => e.from.startsWith('tasks/lab/') && e.to.startsWith('tasks/lib/providers/')],
  ['lib/ imports a step or a lesson', (e) => e.from.startsWith('tasks/lib/') && !e.from.startsWith('tasks/lib/providers/') && /^tasks\/(steps|lessons)\//.test(e.to)],
  ['a step imports a lesson', (e) => e.from.startsWith('tasks/steps/') && e.to.startsWith('tasks/lessons/')],
]

test('the import lines were read', () => {
  assert.ok(edges.length > 200, String(edges.length))
  assert.ok(edges.some((e) => e.from === 'tasks/up.ts' && e.to === 'tasks/steps/start-cluster.ts'))
})

for (const [rule, broken] of rules) {
  test(`no file under tasks/: ${rule}`, () => {
    assert.equal(edges.filter(broken).map((e) => `${e.from} → ${e.to}`), [])
  })
}

test.run()
