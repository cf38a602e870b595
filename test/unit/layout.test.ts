/**
 * The layering of tasks/, read from the import lines: entry points on top (tasks/*.ts, tasks/lab/{up,down,status}.ts)
 * are imported by nothing under tasks/; a lesson never imports another lesson; the lab never imports the providers
 * (the lab provider imports the lab); lib/ (outside providers/) never imports steps/ or lessons/. And the cluster has one
 * door: only tasks/lib/kube*.ts call client-node's generated APIs (a Kube's `core` / `apps`) or import anything but its types.
 * And test/unit mirrors the tree: the suite of <repo path>.ts is test/unit/<repo path>.test.ts (a second suite of the
 * same module: <repo path>.<aspect>.test.ts); this file, which tests the tree itself, is the one exception.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../tasks/lib/tutorial.ts'

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

/** A reach into the project's Kube for client-node's objects: `kube().core`, `k.apps`, `kube.kc`, `x.objects.list`. */
const intoKube = /\b(kube\(\)|kube|k)\.(core|apps|kc|objects)\b/

test('the e2e and fault suites and the bench read through their own client (api()), never through the Kube they check', () => {
  const dirs = [join(ROOT, 'test', 'e2e'), join(ROOT, 'test', 'faults'), join(ROOT, 'bench')]
  const reaches = dirs
    .flatMap((d) => tsFiles(d))
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (intoKube.test(line) ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [])))
  assert.equal(reaches, [])
  assert.ok(intoKube.test('await kube().core.readNamespacedService(x)') && intoKube.test('new Watch(kube.kc)') && intoKube.test('k.objects.list(a, b)'))
  assert.not.ok(intoKube.test('await api().core.readNamespacedService(x)') || intoKube.test('a.apps.listNamespacedDeployment(x)'))
})

test('the cluster-module rule sees a call on either API, and only the cluster module may make one', () => {
  assert.ok(/\.(core|apps)\.[a-z]\w*\(/.test('const r = await kube().core.readNamespacedPodLog({ namespace })'))
  assert.ok(/\.(core|apps)\.[a-z]\w*\(/.test('k.apps.listNamespacedDeployment({ namespace })'))
  assert.not.ok(/\.(core|apps)\.[a-z]\w*\(/.test("look for deployment.apps/hellogopher in kubectl get all"))
  assert.ok(clusterModule('tasks/lib/kube.ts') && clusterModule('tasks/lib/kube-watch.ts'))
  assert.not.ok(clusterModule('tasks/lib/kubectl.ts') || clusterModule('tasks/lib/view/source.ts'))
})

test('every entry point is one command(): no hand-written main, no re-parse of process.argv', () => {
  const entries = tsFiles(TASKS).filter((f) => ['tasks', 'tasks/lab'].includes(dirname(relative(ROOT, f))))
  assert.ok(entries.length >= 19, String(entries.length))
  const bad = entries.flatMap((f) => {
    const src = readFileSync(f, 'utf8')
    const why = [
      !/\bcommand\b[\s\S]*\.mainIf\(import\.meta\.url\)|\.main\(\)/.test(src) && 'no command(…).mainIf(import.meta.url)',
      /\brunMain\(|\bprepare\(|\bparseCli\(/.test(src) && 'a hand-written main (runMain / prepare / parseCli)',
      /process\.argv/.test(src) && 'reads process.argv',
    ].filter(Boolean)
    return why.length ? [`${relative(ROOT, f)}: ${why.join(', ')}`] : []
  })
  assert.equal(bad, [])
})

/**
 * One wrapper per outside tool: each tool's argv is built in one module. The one exception is lesson 2's look
 * (`docker image ls <image>`, written out as the command the learner is shown). kubectl's wrapper runs the
 * tutorial's own commands too: lessons and steps hand it the argv the tutorial types (kubectl(deps, ['get', …])).
 */
const WRAPPERS: Record<string, { home: string; elsewhere?: string[] }> = {
  docker: { home: 'tasks/lib/docker-cli.ts', elsewhere: ['tasks/lessons/02-image.ts'] },
  go: { home: 'tasks/lib/go-cli.ts' },
  kind: { home: 'tasks/lib/kind-cli.ts' },
  minikube: { home: 'tasks/lib/minikube-cli.ts' },
  kubectl: { home: 'tasks/lib/kubectl.ts' },
  ctr: { home: 'tasks/lab/engine/containerd.ts' },
}

/** `'<tool>', [argv…]` on one line, or `'<tool>',` alone on its line (a call broken over lines). */
const argvOf = (tool: string) => new RegExp(`'${tool}',\\s*\\[|^\\s*'${tool}',\\s*$`)

for (const [tool, { home, elsewhere = [] }] of Object.entries(WRAPPERS)) {
  test(`no file under tasks/ but ${home} builds ${tool}'s argv${elsewhere.length ? ' (besides the listed ones)' : ''}`, () => {
    const re = argvOf(tool)
    const builds = tsFiles(TASKS)
      .map((f) => relative(ROOT, f))
      .filter((f) => f !== home && !elsewhere.includes(f))
      .flatMap((f) => readFileSync(join(ROOT, f), 'utf8').split('\n').flatMap((line, i) => (re.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])))
    assert.equal(builds, [])
    assert.ok(existsSync(join(ROOT, home)), home)
  })
}

test('the argv rule matches a call and a call broken over lines, not a list of tool names', () => {
  const re = argvOf('docker')
  assert.ok(re.test("await sh.run('docker', ['tag', a, b])") && re.test("        'docker',"))
  assert.not.ok(re.test("for (const t of ['go', 'docker', 'gcc'])") || re.test("  name: 'docker',") || re.test("requiredTools: ['kind', 'kubectl', 'docker'],"))
})

// ── test/unit mirrors the tree ────────────────────────────────────────────────────────────────────────────────────
const UNIT = join(ROOT, 'test', 'unit')
const suites = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'fixtures' ? [] : suites(join(dir, e.name))) : e.name.endsWith('.test.ts') ? [relative(UNIT, join(dir, e.name))] : []))
/** The module a suite tests: test/unit/<p>.test.ts → <p>.ts, test/unit/<p>.<aspect>.test.ts → <p>.ts. */
function moduleOf(suite: string): string | undefined {
  const p = suite.replace(/\.test\.ts$/, '')
  if (existsSync(join(ROOT, `${p}.ts`))) return `${p}.ts`
  const base = p.replace(/\.[a-z0-9-]+$/, '')
  return base !== p && existsSync(join(ROOT, `${base}.ts`)) ? `${base}.ts` : undefined
}

/**
 * Modules tested today only through another module's suite (a lesson through lesson.test.ts, an entry point through
 * the contract suites…). A new module under tasks/ comes with its suite at its mirrored path — or is added here, seen.
 */
const NOT_AT_OWN_PATH = new Set([
  'tasks/apply.ts',
  'tasks/build-images.ts',
  'tasks/diagram.ts',
  'tasks/docker-env.ts',
  'tasks/doctor.ts',
  'tasks/kind-image.ts',
  'tasks/lab/down.ts',
  'tasks/lab/images/build.ts',
  'tasks/lab/up.ts',
  'tasks/lessons/00-prerequisites.ts',
  'tasks/lessons/01-cluster.ts',
  'tasks/lessons/02-image.ts',
  'tasks/lessons/03-deployment.ts',
  'tasks/lessons/04-expose.ts',
  'tasks/lessons/05-labels.ts',
  'tasks/lessons/06-readiness.ts',
  'tasks/lessons/07-liveness.ts',
  'tasks/lessons/08-debugging.ts',
  'tasks/lessons/09-metrics.ts',
  'tasks/lessons/10-namespace.ts',
  'tasks/lessons/11-service-env.ts',
  'tasks/lessons/12-configmap.ts',
  'tasks/lessons/13-secret.ts',
  'tasks/lessons/14-resources.ts',
  'tasks/lessons/15-teardown.ts',
  'tasks/lib/providers/types.ts',
  'tasks/lint-workflows.ts',
  'tasks/patch-secret.ts',
  'tasks/relabel.ts',
  'tasks/rollout.ts',
  'tasks/start-cluster.ts',
  'tasks/status.ts',
  'tasks/teardown.ts',
])

test('every suite under test/unit sits at the path of the module it tests (or is layout.test.ts)', () => {
  const all = suites(UNIT)
  assert.ok(all.length >= 50, String(all.length))
  assert.equal(all.filter((s) => s !== 'layout.test.ts' && !moduleOf(s)), [])
})

test('every module under tasks/ has its suite at its mirrored path, or is listed as tested elsewhere', () => {
  const tested = new Set(suites(UNIT).map(moduleOf))
  const modules = tsFiles(TASKS).map((f) => relative(ROOT, f))
  assert.equal(modules.filter((m) => !tested.has(m) && !NOT_AT_OWN_PATH.has(m)), [])
  // the list only shrinks: a module that got its suite, or was removed, leaves it
  assert.equal([...NOT_AT_OWN_PATH].filter((m) => tested.has(m) || !modules.includes(m)), [])
})

test('the mirror rule reads suite paths as meant', () => {
  assert.is(moduleOf('tasks/lib/redact.test.ts'), 'tasks/lib/redact.ts')
  assert.is(moduleOf('tasks/lib/providers/index.guard.test.ts'), 'tasks/lib/providers/index.ts')
  assert.is(moduleOf('Makefile.test.ts'), 'Makefile.ts')
  assert.is(moduleOf('redact.test.ts'), undefined)
  assert.is(moduleOf('tasks/lib/nothing.test.ts'), undefined)
})

test.run()
