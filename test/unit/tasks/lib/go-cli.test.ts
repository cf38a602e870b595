/** tasks/lib/go-cli.ts: go's argv for every verb (flags always in one order), and the runner passing options through. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { go, goArgs } from '../../../../tasks/lib/go-cli.ts'
import { fakeShell } from '../../fakes.ts'

test('goArgs.build: -v, -trimpath, -tags, -ldflags, -o, in that order, then the packages', () => {
  assert.equal(goArgs.build(['.']), ['build', '.'])
  assert.equal(goArgs.build(['.'], { trimpath: true, out: '/bin/nocap' }), ['build', '-trimpath', '-o', '/bin/nocap', '.'])
  assert.equal(goArgs.build(['k8s.io/kubernetes/cmd/kubelet', 'k8s.io/kubernetes/cmd/kubectl'], { out: '/bin/', ldflags: '-s -w', tags: 'selinux,notest', trimpath: true, verbose: true }), [
    'build', '-v', '-trimpath', '-tags', 'selinux,notest', '-ldflags', '-s -w', '-o', '/bin/', 'k8s.io/kubernetes/cmd/kubelet', 'k8s.io/kubernetes/cmd/kubectl',
  ])
  assert.equal(goArgs.build(['.'], { ldflags: '' }), ['build', '-ldflags', '', '.'], 'an empty -ldflags is still passed (it clears GOFLAGS ldflags)')
})

test('goArgs.install: <pkg>@<version> last, with the build flags', () => {
  assert.equal(goArgs.install('github.com/rhysd/actionlint/cmd/actionlint', 'v1.7.12', { trimpath: true }), ['install', '-trimpath', 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.12'])
  assert.equal(goArgs.install('sigs.k8s.io/metrics-server/cmd/metrics-server', 'v0.8.0', { trimpath: true, ldflags: '-s -w' }), [
    'install', '-trimpath', '-ldflags', '-s -w', 'sigs.k8s.io/metrics-server/cmd/metrics-server@v0.8.0',
  ])
})

test('goArgs: list -deps (tags only when given), mod download -json, mod tidy, get', () => {
  assert.equal(goArgs.listDeps(['./a', './b']), ['list', '-deps', './a', './b'])
  assert.equal(goArgs.listDeps(['./a'], 'selinux'), ['list', '-deps', '-tags', 'selinux', './a'])
  assert.equal(goArgs.modDownloadJson('k8s.io/kubernetes', 'v1.34.4'), ['mod', 'download', '-json', 'k8s.io/kubernetes@v1.34.4'])
  assert.equal(goArgs.modTidy(), ['mod', 'tidy'])
  assert.equal(goArgs.get('go.etcd.io/etcd/server/v3', 'v3.6.5'), ['get', 'go.etcd.io/etcd/server/v3@v3.6.5'])
})

test('go(sh): runs `go` with the verb argv and the caller options untouched; the command is echoed to the log', async () => {
  const sh = fakeShell()
  const lines: string[] = []
  const g = go(sh)
  await g.build(['.'], { trimpath: true, out: 'bin/x' }, { log: (l) => lines.push(l), cwd: '/src', env: { CGO_ENABLED: '0' } })
  await g.install('example.com/tool', 'v1.0.0', { trimpath: true }, { log: (l) => lines.push(l), env: { GOBIN: '/t' } })
  await g.listDeps(['./...'], undefined, { quiet: true, readOnly: true, cwd: '/src' })
  await g.modDownloadJson('m.example/x', 'v2.0.0', { cwd: '/m' })
  await g.modTidy({ cwd: '/m' })
  await g.get('m.example/y', 'v0.1.0', { cwd: '/m' })
  assert.equal(sh.calls.map((c) => c.bin), ['go', 'go', 'go', 'go', 'go', 'go'])
  assert.equal(sh.calls.map((c) => c.args[0]), ['build', 'install', 'list', 'mod', 'mod', 'get'])
  assert.equal(sh.calls[0]!.opts.cwd, '/src')
  assert.equal(sh.calls[0]!.opts.env, { CGO_ENABLED: '0' })
  assert.equal(sh.calls[1]!.opts.env, { GOBIN: '/t' })
  assert.equal(lines, ['$ go build -trimpath -o bin/x .', '$ go install -trimpath example.com/tool@v1.0.0'])
  assert.not.ok(sh.commands().includes('go list -deps ./...'), 'a quiet read is not echoed')
})

test.run()
