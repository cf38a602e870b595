/** tasks/lab/engine/progress.ts and the lab build's use of it: `go build -v` lines counted into "compiled N/M packages". */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { goBuildWithProgress } from '../../../../../tasks/lab/engine/build.ts'
import { BuildProgress, elapsed } from '../../../../../tasks/lab/engine/progress.ts'
import { fakeShell } from '../../../fakes.ts'

// what `go build -v` writes (stderr) on a cold cache: downloads, then one import path per compiled package
const GO_BUILD_V = [
  'go: downloading k8s.io/api v0.34.4',
  'go: downloading k8s.io/apimachinery v0.34.4',
  'internal/goarch',
  'internal/unsafeheader',
  'k8s.io/apimachinery/pkg/util/sets',
  'k8s.io/kubernetes/cmd/kube-proxy',
  'gopkg.in/yaml.v3',
  'k8s.io/kubernetes/cmd/kubelet',
  '# k8s.io/kubernetes/pkg/foo',
  './foo.go:3:1: undefined: bar',
]

const clock = (start = 1_000_000) => {
  let t = start
  return { now: () => t, tick: (ms: number) => (t += ms) }
}

test('elapsed: seconds, then minutes with padded seconds', () => {
  assert.equal([elapsed(0), elapsed(42_900), elapsed(65_000), elapsed(3_600_000)], ['0s', '42s', '1m05s', '60m00s'])
})

test('piped: only one line per finished component and the closing count — packages, downloads, elapsed', () => {
  const c = clock()
  const out: string[] = []
  const shown: string[] = []
  const p = new BuildProgress(
    { label: 'Kubernetes v1.34.4', total: 2150, live: false, now: c.now, components: { 'k8s.io/kubernetes/cmd/kubelet': 'kubelet', 'k8s.io/kubernetes/cmd/kube-proxy': 'kube-proxy' } },
    (l) => out.push(l),
    (s) => shown.push(s),
  )
  for (const l of GO_BUILD_V) {
    c.tick(10_000)
    p.line(l)
  }
  p.done()
  assert.equal(shown, [])
  assert.equal(out, [
    'kube-proxy: compiled (Kubernetes v1.34.4: compiled 4/2150 packages, 2 modules downloaded, elapsed 1m00s)',
    'kubelet: compiled (Kubernetes v1.34.4: compiled 6/2150 packages, 2 modules downloaded, elapsed 1m20s)',
    'Kubernetes v1.34.4: compiled 6/2150 packages, 2 modules downloaded, elapsed 1m40s — done',
  ])
})

test('live: the count replaces itself at most once per interval; error lines are not packages', () => {
  const c = clock()
  const shown: string[] = []
  const p = new BuildProgress({ label: 'etcd v3.6.16', live: true, now: c.now, everyMs: 1000 }, () => {}, (s) => shown.push(s))
  p.line('internal/goarch') // first one shows at once
  c.tick(300)
  p.line('internal/unsafeheader') // too soon
  c.tick(800)
  p.line('./foo.go:3:1: undefined: bar') // not a package: no update
  p.line('go.etcd.io/etcd/server/v3')
  assert.equal(shown, ['etcd v3.6.16: compiled 1 packages, elapsed 0s', 'etcd v3.6.16: compiled 3 packages, elapsed 1s'])
})

test('goBuildWithProgress: counts deps with the same tags, runs the real go build -v, one line per component', async () => {
  const sh = fakeShell({
    reply: (c) =>
      c.args[0] === 'list' ? { stdout: `${['unsafe', 'internal/goarch', 'internal/unsafeheader', 'k8s.io/apimachinery/pkg/util/sets', 'k8s.io/kubernetes/cmd/kube-proxy', 'gopkg.in/yaml.v3', 'errors', 'k8s.io/kubernetes/cmd/kubelet'].join('\n')}\n` }
      : { stderr: GO_BUILD_V.join('\n') },
  })
  const out: string[] = []
  await goBuildWithProgress(sh, { log: (l) => out.push(l), live: false }, 'Kubernetes v1.34.4', '/mod', { trimpath: true, tags: 'selinux,notest', out: '/bin/' }, ['k8s.io/kubernetes/cmd/kubelet'], { 'k8s.io/kubernetes/cmd/kubelet': 'kubelet' }, { CGO_ENABLED: '0' })
  assert.equal(sh.calls.map((c) => c.line), [
    'go list -deps -tags selinux,notest k8s.io/kubernetes/cmd/kubelet',
    'go build -v -trimpath -tags selinux,notest -o /bin/ k8s.io/kubernetes/cmd/kubelet',
  ])
  assert.equal([sh.calls[0]!.opts.quiet, sh.calls[1]!.opts.quiet, sh.calls[1]!.opts.cwd], [true, undefined, '/mod'])
  assert.equal(out.slice(0, 1), ['$ go build -v -trimpath -tags selinux,notest -o /bin/ k8s.io/kubernetes/cmd/kubelet'])
  assert.match(out[1]!, /^kubelet: compiled \(Kubernetes v1\.34\.4: compiled 6\/8 packages, 2 modules downloaded, elapsed \d+s\)$/)
  assert.match(out[2]!, /^Kubernetes v1\.34\.4: compiled 6\/8 packages, 2 modules downloaded, elapsed \d+s — done$/)
  assert.is(out.length, 3)
})

test.run()
