/**
 * The layering of tasks/, read from the import lines: entry points on top (tasks/*.ts, tasks/lab/{up,down,status}.ts)
 * are imported by nothing under tasks/; a lesson never imports another lesson; the lab never imports the providers
 * (the lab provider imports the lab); lib/ (outside providers/) never imports steps/ or lessons/. And the cluster has one
 * door: only tasks/lib/kube*.ts call client-node's generated APIs (a Kube's `core` / `apps`) or import anything but its types.
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

/** The cluster module: the client and its reads, its watches and waits, its errors, the pure judgements of objects. */
const clusterModule = (p: string) => /^tasks\/lib\/kube(-[a-z]+)?\.ts$/.test(p)

test('no file under tasks/ outside the cluster module calls the generated APIs (kube.core / kube.apps)', () => {
  const calls = tsFiles(TASKS)
    .filter((file) => !clusterModule(relative(ROOT, file)))
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\.(core|apps)\.[a-z]\w*\(/.test(line) ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [])),
    )
  assert.equal(calls, [])
})

test('no file under tasks/ outside the cluster module imports more than types from @kubernetes/client-node', () => {
  const valueImport = /import\s+(?!type\b)(\{[^}]*\}|\*\s+as\s+\w+|\w+)\s+from\s+'@kubernetes\/client-node'/
  const files = tsFiles(TASKS).filter((file) => !clusterModule(relative(ROOT, file)) && valueImport.test(readFileSync(file, 'utf8')))
  assert.equal(files.map((f) => relative(ROOT, f)), [])
  assert.ok(valueImport.test("import {\n  Watch,\n  type V1Pod,\n} from '@kubernetes/client-node'"))
  assert.ok(valueImport.test("import * as k8s from '@kubernetes/client-node'"))
  assert.not.ok(valueImport.test("import type { V1Pod } from '@kubernetes/client-node'"))
  assert.not.ok(valueImport.test("import { x } from './kube.ts'\nimport type { V1Pod } from '@kubernetes/client-node'"))
})

test('the cluster-module rule sees a call on either API, and only the cluster module may make one', () => {
  assert.ok(/\.(core|apps)\.[a-z]\w*\(/.test('const r = await kube().core.readNamespacedPodLog({ namespace })'))
  assert.ok(/\.(core|apps)\.[a-z]\w*\(/.test('k.apps.listNamespacedDeployment({ namespace })'))
  assert.not.ok(/\.(core|apps)\.[a-z]\w*\(/.test("look for deployment.apps/hellogopher in kubectl get all"))
  assert.ok(clusterModule('tasks/lib/kube.ts') && clusterModule('tasks/lib/kube-watch.ts'))
  assert.not.ok(clusterModule('tasks/lib/kubectl.ts') || clusterModule('tasks/lib/view/source.ts'))
})

test.run()
