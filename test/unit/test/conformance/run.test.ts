/** test/conformance: which specs a run selects, e2e.test's arguments, the ginkgo report → passed/failed/skipped, the images' recipes. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../../../../tasks/lib/cli.ts'
import { choose } from '../../../conformance/run.ts'
import { e2eDockerfile, E2E_IMAGES } from '../../../conformance/images.ts'
import { e2eArgs, firstErrorLine, formatReport, KNOWN_LIMITS, LABEL_FILTER, outcomes, SETS, skipRegex, totalsLine, type SuiteReport } from '../../../conformance/report.ts'

const FIXTURE = join(import.meta.dirname, '../..', 'fixtures', 'ginkgo-dry-run-ci.json')
const recorded = (): SuiteReport[] => JSON.parse(readFileSync(FIXTURE, 'utf8')) as SuiteReport[]
/** The focus the fixture was recorded with (an earlier CI slice: it took the storage ConfigMap specs too). */
const RECORDED_FOCUS = [String.raw`\[sig-network\] (Services|DNS) `, String.raw`\[sig-(node|storage)\] (ConfigMap|Secrets|Downward API|Downward API volume) `]
const paths = { kubeconfig: '/k', kubectl: '/kubectl', reportDir: '/r', jsonReport: '/r/report.json' }

test('choose: default is the focused set, --slice ci and --all pick theirs, --focus replaces the set', () => {
  assert.equal(choose({}), { set: 'focused', focus: [] })
  assert.equal(choose({ slice: 'ci' }), { set: 'ci', focus: [] })
  assert.equal(choose({ all: true }), { set: 'all', focus: [] })
  assert.equal(choose({ focus: ['DNS'] }), { set: 'all', focus: ['DNS'] })
})

test('choose: two selections, or a focus that is no regex, are usage errors', () => {
  assert.throws(() => choose({ slice: 'ci', all: true }), (e: Error) => e instanceof UsageError && /--slice and --all/.test(e.message))
  assert.throws(() => choose({ all: true, focus: ['x'] }), (e: Error) => e instanceof UsageError)
  assert.throws(() => choose({ focus: ['(unclosed'] }), (e: Error) => e instanceof UsageError && /not a regular expression/.test(e.message))
})

test('e2eArgs: the label filter, one --ginkgo.focus per regex of the set, the known limits skipped by name', () => {
  const a = e2eArgs('ci', paths)
  assert.ok(a.includes(`--ginkgo.label-filter=${LABEL_FILTER}`))
  assert.equal(
    a.filter((x) => x.startsWith('--ginkgo.focus=')),
    SETS.ci.focus.map((f) => `--ginkgo.focus=${f}`),
  )
  assert.ok(a.includes(`--ginkgo.skip=${skipRegex()}`))
  assert.ok(a.includes('--provider=skeleton') && a.includes('--kubectl-path=/kubectl') && a.includes('--ginkgo.json-report=/r/report.json'))
  assert.not.ok(e2eArgs('all', paths).some((x) => x.startsWith('--ginkgo.focus=')))
  assert.equal(e2eArgs('all', paths, ['X']).filter((x) => x.startsWith('--ginkgo.focus=')), ['--ginkgo.focus=X'])
})

test('the skip regex matches the known-limit spec and not its neighbours', () => {
  const re = new RegExp(skipRegex())
  assert.ok(re.test('[sig-network] Services should serve endpoints on same port and different protocols [Conformance]'))
  assert.not.ok(re.test('[sig-network] Services should serve a basic endpoint from pods  [Conformance]'))
})

test('the CI focus takes Services, DNS, ConfigMap/Secrets as env, Downward API; leaves volume ConfigMap/Secrets and workloads out', () => {
  const res = SETS.ci.focus.map((f) => new RegExp(f))
  const hit = (name: string) => res.some((r) => r.test(name))
  assert.ok(hit('[sig-network] Services should find a service from listing all namespaces [Conformance]'))
  assert.ok(hit('[sig-network] DNS should provide DNS for the cluster [Conformance]'))
  assert.ok(hit('[sig-node] Downward API should provide pod UID as env vars [NodeConformance] [Conformance]'))
  assert.ok(hit('[sig-storage] Downward API volume should provide podname only [NodeConformance] [Conformance]'))
  assert.ok(hit('[sig-node] ConfigMap should be consumable via environment variable [NodeConformance] [Conformance]'))
  assert.not.ok(hit('[sig-storage] ConfigMap updates should be reflected in volume [NodeConformance] [Conformance]'))
  assert.not.ok(hit('[sig-storage] Secrets optional updates should be reflected in volume [NodeConformance] [Conformance]'))
  assert.not.ok(hit('[sig-apps] Deployment deployment should delete old replica sets [Conformance]'))
  assert.not.ok(hit('[sig-network] EndpointSlice should support creating EndpointSlice API operations [Conformance]'))
})

test('outcomes of a recorded report: specs in the set, the known limit as a skip with its reason, filtered specs left out', () => {
  const o = outcomes(recorded(), RECORDED_FOCUS)
  assert.equal(
    o.map((x) => [x.state, x.area]),
    [
      ['passed', '[sig-network] Services'],
      ['skipped', '[sig-network] Services'],
      ['passed', '[sig-network] DNS'],
      ['passed', '[sig-storage] ConfigMap'],
    ],
  )
  const skip = o.find((x) => x.state === 'skipped')!
  assert.ok(skip.name.includes(KNOWN_LIMITS[0]!.spec))
  assert.ok(skip.detail.includes('accepts a TCP connection to any address'))
  assert.equal(totalsLine(o), '3 passed, 0 failed, 1 skipped')
})

test('outcomes: the known-limit spec is not listed when the focus leaves Services out', () => {
  const o = outcomes(recorded(), [String.raw`\[sig-storage\] ConfigMap `])
  assert.equal(o.filter((x) => x.state === 'skipped'), [])
})

test('outcomes: a failed spec carries its first non-blank error line; a failed BeforeSuite is a failure of the suite', () => {
  const r = recorded()
  const specs = r[0]!.SpecReports!
  // the recorded passes, turned into the states a real run reports
  const dns = specs.find((s) => s.ContainerHierarchyTexts?.[0] === '[sig-network] DNS')!
  dns.State = 'failed'
  dns.Failure = { Message: '\n  Unexpected error:\n      <*errors.errorString>: timed out waiting for the condition\n' }
  const before = specs.find((s) => s.LeafNodeType === 'SynchronizedBeforeSuite')!
  before.State = 'failed'
  before.Failure = { Message: 'there are not ready nodes' }
  const o = outcomes(r, RECORDED_FOCUS)
  const failed = o.filter((x) => x.state === 'failed')
  assert.equal(
    failed.map((x) => [x.area, x.detail]),
    [
      ['(suite)', 'there are not ready nodes'],
      ['[sig-network] DNS', 'Unexpected error: <*errors.errorString>: timed out waiting for the condition'],
    ],
  )
  assert.equal(totalsLine(o), '2 passed, 2 failed, 1 skipped')
})

test('outcomes: a spec that skipped itself while running is listed with its reason', () => {
  const r = recorded()
  const cm = r[0]!.SpecReports!.find((s) => s.ContainerHierarchyTexts?.[0] === '[sig-storage] ConfigMap')!
  cm.State = 'skipped'
  cm.Failure = { Message: 'Only supported for providers [gce gke] (not skeleton)' }
  const o = outcomes(r, RECORDED_FOCUS)
  assert.equal(o.find((x) => x.area === '[sig-storage] ConfigMap')?.detail, 'Only supported for providers [gce gke] (not skeleton)')
})

test('formatReport: passed/run by area (skips not counted as run), failures and skips listed, totals line last', () => {
  const text = formatReport(
    [
      { name: 'A x', area: 'A', state: 'passed', seconds: 61, detail: '' },
      { name: 'A y', area: 'A', state: 'failed', seconds: 10, detail: 'boom' },
      { name: 'B z', area: 'B', state: 'skipped', seconds: 0, detail: 'known limit: r' },
    ],
    3725,
  )
  const lines = text.split('\n')
  assert.match(lines.find((l) => l.startsWith('A '))!, /1\/2\s+1m11s$/)
  assert.match(lines.find((l) => l.startsWith('B '))!, /0\/0\s+0s$/)
  assert.ok(text.includes('✗ A y\n      boom'))
  assert.ok(text.includes('- B z\n      known limit: r'))
  assert.equal(lines.at(-2), 'took 1h02m05s')
  assert.equal(lines.at(-1), '1 passed, 1 failed, 1 skipped')
})

test('firstErrorLine: blank messages, a bare gomega "Expected", long lines', () => {
  assert.equal(firstErrorLine(undefined), '(no message)')
  assert.equal(firstErrorLine('Expected\n    <int>: 1\nto equal\n    <int>: 2'), 'Expected <int>: 1')
  assert.equal(firstErrorLine('x'.repeat(300)).length, 240)
})

test('images: every upstream name once; two tags of one image are distinct images; busybox sh is bash', () => {
  const refs = E2E_IMAGES.map((i) => i.ref)
  assert.equal(new Set(refs).size, refs.length)
  for (const r of ['agnhost:2.56', 'busybox:1.37.0-1', 'httpd:2.4.38-4', 'httpd:2.4.39-4', 'nginx:1.14-4', 'nginx:1.15-4', 'jessie-dnsutils:1.7']) {
    assert.ok(refs.includes(`registry.k8s.io/e2e-test-images/${r}`), r)
  }
  assert.ok(refs.includes('registry.k8s.io/pause:3.10.1'))
  const [h1, h2] = E2E_IMAGES.filter((i) => i.kind === 'httpd')
  assert.is.not(e2eDockerfile(h1!), e2eDockerfile(h2!))
  const busybox = e2eDockerfile(E2E_IMAGES.find((i) => i.kind === 'busybox')!)
  assert.match(busybox, /ln -sf bash \/usr\/bin\/sh/)
  assert.match(busybox, /sh\|ash\|bash\|busybox\) ;;/)
  assert.match(e2eDockerfile(E2E_IMAGES.find((i) => i.kind === 'httpd')!), /CMD \["httpd-foreground"\]/)
})

test.run()
