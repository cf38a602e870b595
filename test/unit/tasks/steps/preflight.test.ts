/** tasks/doctor.ts and tasks/steps/preflight.ts: tool versions, which providers can run, the one-line fail-fast of a run, and the preflight step. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  assertCanRun,
  assessProviders,
  checkTools,
  formatReport,
  hostNeeds,
  preflight,
  toolsFor,
  whatToInstall,
  type HostFacts,
  type ToolReport,
} from '../../../../tasks/steps/preflight.ts'
import { labProvider } from '../../../../tasks/lib/providers/lab.ts'
import { minikubeProvider } from '../../../../tasks/lib/providers/minikube.ts'
import { evalSkip, fakeDeps, fakeProvider, fakeShell, runStep, testCtx, type Call } from '../../fakes.ts'

const VERSIONS: Record<string, string> = {
  kubectl: 'Client Version: v1.34.4\nKustomize Version: v5.7.1\n',
  docker: '28.2.2\n',
  go: 'go version go1.26.8 linux/amd64\n',
  minikube: 'v1.37.0\n',
  kind: 'kind v0.30.0 go1.24.6 linux/amd64\n',
}
const reply = (c: Call) => ({ stdout: VERSIONS[c.bin] ?? '' })
const ROOT_LINUX: HostFacts = { platform: 'linux', uid: 0, labUpScript: true }
const report = (present: string[]): ToolReport[] =>
  ['kubectl', 'docker', 'go', 'minikube', 'kind'].map((name) => ({ name, hint: `get ${name}`, ...(present.includes(name) ? { path: `/usr/bin/${name}` } : {}) }))

test('checkTools: path and parsed version of each installed tool, the hint for missing ones', async () => {
  const sh = fakeShell({ installed: ['kubectl', 'docker', 'go'], reply })
  const r = await checkTools(sh)
  assert.equal(r.map((t) => [t.name, t.path, t.version]), [
    ['kubectl', '/usr/bin/kubectl', '1.34.4'],
    ['docker', '/usr/bin/docker', '28.2.2'],
    ['go', '/usr/bin/go', '1.26.8'],
    ['minikube', undefined, undefined],
    ['kind', undefined, undefined],
  ])
  assert.match(r[3]!.hint, /minikube\.sigs\.k8s\.io/)
  // version commands are quiet, read-only and may fail (docker without a daemon exits 1)
  assert.equal(sh.calls.map((c) => c.line), ['kubectl version --client', 'docker version --format {{.Client.Version}}', 'go version'])
  for (const c of sh.calls) assert.equal([c.opts.quiet, c.opts.readOnly, c.opts.allowFail], [true, true, true])
})

test('checkTools: a version printed on stderr (docker without a daemon) is still found', async () => {
  const sh = fakeShell({ installed: ['docker'], reply: () => ({ exitCode: 1, stdout: '', stderr: '28.2.2\nCannot connect to the Docker daemon' }) })
  assert.is((await checkTools(sh, ['docker']))[0]!.version, '28.2.2')
})

test("toolsFor: the provider's own tools plus docker and go", () => {
  assert.equal(toolsFor('minikube', minikubeProvider()), ['minikube', 'kubectl', 'docker', 'go'])
  assert.equal(toolsFor('lab', labProvider()), ['docker', 'go'])
  assert.equal(toolsFor('kind'), ['kubectl', 'docker', 'go', 'kind'])
})

test('hostNeeds: the lab needs Linux, root and its up script; others nothing', () => {
  assert.equal(hostNeeds('minikube', { platform: 'darwin', labUpScript: false }), [])
  assert.equal(hostNeeds('lab', { platform: 'linux', uid: 1000, labUpScript: true }).map((n) => [n.what, n.ok]), [['Linux', true], ['root', false], ['tasks/lab/up.ts', true]])
})

const cases: Array<[string, string[], HostFacts, Record<string, boolean>]> = [
  ['everything, root on Linux', ['kubectl', 'docker', 'go', 'minikube'], ROOT_LINUX, { minikube: true, kind: false, lab: true, remote: true }],
  ['no minikube', ['kubectl', 'docker', 'go'], ROOT_LINUX, { minikube: false, lab: true }],
  ['not root', ['kubectl', 'docker', 'go'], { ...ROOT_LINUX, uid: 1000 }, { minikube: false, lab: false }],
  ['macOS with minikube', ['kubectl', 'docker', 'go', 'minikube'], { platform: 'darwin', uid: 501, labUpScript: true }, { minikube: true, lab: false }],
  ['no go', ['kubectl', 'docker', 'minikube'], ROOT_LINUX, { minikube: false, lab: false }],
]
for (const [name, present, host, usable] of cases) {
  test(`assessProviders: ${name}`, () => {
    const r = assessProviders(report(present), host)
    for (const [p, ok] of Object.entries(usable)) assert.is(r.find((x) => x.name === p)!.usable, ok, p)
  })
}

test('every provider is implemented; kind is usable with kind, kubectl, docker and go', () => {
  const r = assessProviders(report(['kubectl', 'docker', 'go', 'kind']), ROOT_LINUX)
  assert.equal(r.filter((p) => !p.implemented).map((p) => p.name), [])
  assert.is(r.find((p) => p.name === 'kind')!.usable, true)
})

test('whatToInstall: one line naming what each provider misses, with the first hint', () => {
  const line = whatToInstall(assessProviders(report(['kubectl', 'docker']), { platform: 'linux', uid: 1000, labUpScript: true }))
  assert.not.match(line, /\n/)
  assert.is(line, 'no cluster provider can run here — closest: remote needs go (get go); minikube needs minikube, go; kind needs kind, go; lab needs root, go')
  const labClosest = whatToInstall(assessProviders(report(['kubectl', 'docker']), ROOT_LINUX))
  assert.is(labClosest, 'no cluster provider can run here — closest: lab needs go (get go); remote needs go; minikube needs minikube, go; kind needs kind, go')
})

test('formatReport: tools with versions or hints, providers with state, the selected one marked', () => {
  const tools: ToolReport[] = [
    { name: 'docker', path: '/usr/bin/docker', version: '28.2.2', hint: 'x' },
    { name: 'minikube', hint: 'install minikube' },
  ]
  const text = formatReport(tools, assessProviders(report(['kubectl', 'docker', 'go']), ROOT_LINUX), { name: 'lab', status: { running: false, detail: 'lab: not running' } })
  assert.match(text, /✔ docker\s+28\.2\.2\s+\/usr\/bin\/docker/)
  assert.match(text, /✖ minikube\s+missing\s+install minikube/)
  assert.match(text, /lab\s+✔ usable \(Linux, root, tasks\/lab\/up\.ts, docker, go\) {2}← selected/)
  assert.match(text, /minikube\s+✖ needs minikube/)
  assert.match(text, /kind\s+✖ needs kind/)
  assert.match(text, /Cluster: lab: not running/)
})

test('assertCanRun: a missing tool fails at once, in one line, before any status read', async () => {
  const sh = fakeShell({ installed: ['docker', 'go'], reply })
  const provider = fakeProvider({ name: 'minikube', requiredTools: ['minikube', 'kubectl', 'docker'], status: async () => assert.unreachable('no status read') as never })
  try {
    await assertCanRun({ sh, provider }, ROOT_LINUX)
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).message, 'minikube and kubectl not installed (needed by the minikube provider) — install minikube (https://minikube.sigs.k8s.io/docs/start/) or use --provider kind|lab')
  }
})

test('assertCanRun: a running cluster is fine even without root', async () => {
  const sh = fakeShell({ installed: ['docker', 'go'], reply })
  const s = await assertCanRun({ sh, provider: fakeProvider({ name: 'lab', requiredTools: ['docker', 'go'] }) }, { platform: 'linux', uid: 1000, labUpScript: true })
  assert.is(s.running, true)
})

test('assertCanRun: the lab not running and not root → one line saying so', async () => {
  const sh = fakeShell({ installed: ['docker', 'go'], reply })
  const provider = fakeProvider({ name: 'lab', requiredTools: ['docker', 'go'], status: async () => ({ running: false, detail: 'lab: not running (cannot read kubeconfig)' }) })
  try {
    await assertCanRun({ sh, provider }, { platform: 'linux', uid: 1000, labUpScript: true })
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, /^lab: not running \(cannot read kubeconfig\), and it cannot be started here: run as root/)
    assert.not.match((e as Error).message, /\n/)
  }
})

test('assertCanRun: not running but startable → returns the status (starting may take minutes)', async () => {
  const sh = fakeShell({ installed: ['docker', 'go'], reply })
  const provider = fakeProvider({ name: 'lab', requiredTools: ['docker', 'go'], status: async () => ({ running: false, detail: 'lab: not running' }) })
  assert.equal(await assertCanRun({ sh, provider }, ROOT_LINUX), { running: false, detail: 'lab: not running' })
})

test('preflight: reports where each tool is, starting no process; versions only when asked (lesson 0); never skipped', async () => {
  const sh = fakeShell({ installed: ['docker', 'go'], reply })
  const deps = fakeDeps({ sh, provider: fakeProvider({ name: 'lab', requiredTools: ['docker', 'go'] }) })
  const step = preflight(deps)
  assert.is(step.title, 'Check the tools the lab provider needs (lesson 0)')
  assert.is(await evalSkip(step, testCtx()), false)
  const t = await runStep(step, testCtx())
  assert.equal(t.outputs, ['docker (/usr/bin/docker)', 'go (/usr/bin/go)'])
  assert.equal(sh.calls, [])
  const v = await runStep(preflight(deps, { versions: true }), testCtx())
  assert.equal(v.outputs, ['docker 28.2.2 (/usr/bin/docker)', 'go 1.26.8 (/usr/bin/go)'])
})

test('preflight: a missing tool fails the run, but only reports under --dry-run', async () => {
  const mk = (dryRun: boolean) => fakeDeps({ sh: fakeShell({ dryRun, installed: ['docker'], reply }), provider: fakeProvider({ name: 'lab', requiredTools: ['docker', 'go'] }) })
  try {
    await runStep(preflight(mk(false)), testCtx())
    assert.unreachable()
  } catch (e) {
    assert.match((e as Error).message, /^go not installed — install Go/)
  }
  const t = await runStep(preflight(mk(true)), testCtx({ dryRun: true }))
  assert.match(t.outputs[1]!, /^go: missing — install Go/)
})

test('checkTools: up checks paths before its list and in preflight with no process; each version is asked once per run (shell), when a step needs it', async () => {
  const sh = fakeShell({ installed: ['docker', 'go'], reply })
  const deps = fakeDeps({ sh, provider: fakeProvider({ name: 'lab', requiredTools: ['docker', 'go'] }) })
  await assertCanRun(deps, ROOT_LINUX)
  const t = await runStep(preflight(deps), testCtx())
  assert.equal(t.outputs, ['docker (/usr/bin/docker)', 'go (/usr/bin/go)'])
  assert.equal(sh.calls, [])
  await checkTools(sh, ['go', 'docker'])
  await checkTools(sh, ['docker'])
  assert.equal(sh.calls.map((c) => c.line), ['go version', 'docker version --format {{.Client.Version}}'])
  // another run (another shell) asks again
  const other = fakeShell({ installed: ['docker', 'go'], reply })
  await checkTools(other, ['go'])
  assert.equal(other.calls.map((c) => c.line), ['go version'])
})

test('checkTools: a version command that throws is not remembered — the next ask runs it again', async () => {
  let n = 0
  const sh = fakeShell({ installed: ['go'], reply: () => (n++ === 0 ? new Error('spawn failed') : { stdout: VERSIONS.go! }) })
  await checkTools(sh, ['go']).then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'spawn failed'))
  assert.is((await checkTools(sh, ['go']))[0]!.version, '1.26.8')
  assert.is(n, 2)
})

test.run()
