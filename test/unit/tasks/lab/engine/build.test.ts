/** tasks/lab/engine/build.ts: the helper module for k/k's staging modules, the version ldflags, the builds' go commands and their caches (under temp lab dirs). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assertLabDirs, fakeShell, labTempDirs } from '../../../fakes.ts'

const dirs = labTempDirs('build-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const { BIN_DIR, ETCD_VERSION, K8S_VERSION, METRICS_SERVER_VERSION } = paths
const B = await import('../../../../../tasks/lab/engine/build.ts')

test.after(() => dirs.cleanup())

const KK_GO_MOD = [
  'module k8s.io/kubernetes',
  '',
  'go 1.24.0',
  '',
  'godebug default=go1.24',
  '',
  'require (',
  '\tk8s.io/api v0.0.0',
  ')',
  '',
  'replace (',
  '\tk8s.io/api => ./staging/src/k8s.io/api',
  '\tk8s.io/client-go => ./staging/src/k8s.io/client-go',
  '\tgithub.com/other/x => github.com/other/x v1.2.3',
  ')',
].join('\n')

test("stagingModules: only the modules k/k replaces with ./staging paths", () => {
  assert.equal(B.stagingModules(KK_GO_MOD), ['k8s.io/api', 'k8s.io/client-go'])
  assert.equal(B.stagingModules('module x\n'), [])
})

test("helperGoMod: requires k/k at its tag, each staging module at the published version, keeps k/k's go and godebug lines", () => {
  const mod = B.helperGoMod(KK_GO_MOD, 'v1.34.4', 'v0.34.4')
  const lines = mod.split('\n')
  assert.is(lines[0], 'module lab.local/k8sbuild')
  assert.ok(lines.includes('go 1.24.0'))
  assert.ok(lines.includes('godebug default=go1.24'))
  assert.ok(lines.includes('require k8s.io/kubernetes v1.34.4'))
  assert.ok(lines.includes('\tk8s.io/api => k8s.io/api v0.34.4') && lines.includes('\tk8s.io/client-go => k8s.io/client-go v0.34.4'))
  assert.not.ok(mod.includes('github.com/other/x'), 'a non-staging replace is not carried over')
  const bare = B.helperGoMod('module k8s.io/kubernetes\n', 'v1.34.4', 'v0.34.4')
  assert.ok(bare.includes('go 1.24.0') && !bare.includes('godebug'), 'no go line → 1.24.0; no godebug line → none')
})

test('ldflags: stripped, and the version stamped into component-base and client-go (major, minor, clean tree)', () => {
  const f = B.ldflags('v1.34.4')
  assert.ok(f.startsWith('-s -w '))
  for (const p of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    for (const x of [`${p}.gitVersion=v1.34.4`, `${p}.gitMajor=1`, `${p}.gitMinor=34`, `${p}.gitTreeState=clean`]) assert.ok(f.includes(`-X ${x}`), x)
  }
})

test('metrics-server is installed from its module at the pinned tag, version stamped like its Makefile', () => {
  const v = METRICS_SERVER_VERSION
  assert.match(v, /^v\d+\.\d+\.\d+$/, 'a release tag, not a branch or pseudo-version')
  assert.equal(B.metricsServerInstallArgs(), ['install', '-trimpath', '-ldflags', `-s -w -X k8s.io/client-go/pkg/version.gitVersion=${v}`, `${B.METRICS_SERVER_PKG}@${v}`])
  assert.is(B.metricsServerLdflags('v9.9.9'), '-s -w -X k8s.io/client-go/pkg/version.gitVersion=v9.9.9')
})

test('countDeps: the lines go list -deps prints; undefined under --dry-run (nothing runs) or when go list fails', async () => {
  const ok = fakeShell({ reply: () => ({ stdout: 'errors\nunsafe\nk8s.io/x\n' }) })
  assert.is(await B.countDeps(ok, '/mod', ['k8s.io/x'], 'selinux'), 3)
  assert.equal(ok.calls.map((c) => c.line), ['go list -deps -tags selinux k8s.io/x'])
  assert.equal([ok.calls[0]!.opts.quiet, ok.calls[0]!.opts.readOnly, ok.calls[0]!.opts.cwd], [true, true, '/mod'])
  const dry = fakeShell({ dryRun: true })
  assert.is(await B.countDeps(dry, '/mod', ['k8s.io/x']), undefined)
  assert.equal(dry.calls, [])
  assert.is(await B.countDeps(fakeShell({ reply: () => ({ exitCode: 1, stdout: 'partial\n' }) }), '/mod', ['k8s.io/x']), undefined)
})

test('buildMetricsServer: go install into BIN_DIR, then a stamp; metricsServerBuilt needs both the binary and that stamp', async () => {
  assert.is(B.metricsServerBuilt(), false)
  const dry = fakeShell({ dryRun: true })
  await B.buildMetricsServer(dry, () => {})
  writeFileSync(join(BIN_DIR, 'metrics-server'), '')
  assert.is(B.metricsServerBuilt(), false, 'a dry run writes no stamp')
  const sh = fakeShell()
  await B.buildMetricsServer(sh, () => {})
  assert.equal(sh.calls.map((c) => c.args), [B.metricsServerInstallArgs()])
  assert.equal(sh.calls[0]!.opts.env, { GOBIN: BIN_DIR, CGO_ENABLED: '0' })
  assert.is(B.metricsServerBuilt(), `metrics-server ${METRICS_SERVER_VERSION} cached in ${BIN_DIR}`)
  writeFileSync(join(BIN_DIR, '.metrics-server.stamp'), 'metrics-server v0.0.1 -s -w\n')
  assert.is(B.metricsServerBuilt(), false, 'a stamp of another version is a rebuild')
})

test('buildEtcd: a helper module requiring etcd at the version, go get, then go build -v of its server to `out`', async () => {
  const sh = fakeShell({ reply: (c) => (c.args[0] === 'list' ? { stdout: 'a\nb\n' } : {}) })
  const out = join(dirs.root, 'etcd-out')
  await B.buildEtcd(sh, () => {}, 'v3.5.21', out)
  const modDir = join(BIN_DIR, '..', 'etcd-mod-v3.5.21')
  assert.match(readFileSync(join(modDir, 'go.mod'), 'utf8'), /^module lab\.local\/etcdbuild\n/)
  assert.match(readFileSync(join(modDir, 'tools.go'), 'utf8'), /import _ "go\.etcd\.io\/etcd\/server\/v3"/)
  assert.equal(sh.calls.map((c) => c.line), [
    'go get go.etcd.io/etcd/server/v3@v3.5.21',
    'go list -deps go.etcd.io/etcd/server/v3',
    `go build -v -trimpath -ldflags -s -w -o ${out} go.etcd.io/etcd/server/v3`,
  ])
  assert.is(sh.calls[2]!.opts.env?.CGO_ENABLED, '0')
  assert.ok(existsSync(join(BIN_DIR, '..', 'etcd-mod')) === false, `the lab's own etcd ${ETCD_VERSION} module dir is another one`)
})

test('binariesBuilt: false until every binary is in BIN_DIR; buildKubernetes under --dry-run only echoes the download', async () => {
  assert.is(B.binariesBuilt(), false)
  const dry = fakeShell({ dryRun: true })
  const lines: string[] = []
  await B.buildKubernetes(dry, (l) => lines.push(l))
  assert.equal(dry.calls.map((c) => c.line), [`go mod download -json k8s.io/kubernetes@${K8S_VERSION}`])
  assert.ok(lines.at(-1)!.startsWith('then: a helper module in ') && lines.at(-1)!.endsWith(`go mod tidy, go build of ${B.COMPONENTS.join(', ')}, and etcd ${ETCD_VERSION}`), lines.at(-1))
  mkdirSync(BIN_DIR, { recursive: true })
  for (const b of B.BINARIES) writeFileSync(join(BIN_DIR, b), '')
  assert.is(B.binariesBuilt(), false, 'binaries without the stamp of this version are not trusted')
})

test.run()
