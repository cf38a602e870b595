/** tasks/lab/engine/teardown.ts: which mounts and iptables rules are the lab's, and the down steps (under temp lab dirs, with a fake shell and the test's own child processes). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { pidAlive } from '../../../../../tasks/lib/lifecycle.ts'
import { assertLabDirs, evalSkip, fakeShell, labTempDirs, runStep, type Call } from '../../../fakes.ts'

const dirs = labTempDirs('teardown-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const T = await import('../../../../../tasks/lab/engine/teardown.ts')
const { logFile, startProc } = await import('../../../../../tasks/lab/engine/procs.ts')

const ctx = { dryRun: false, verbose: false, nodeIp: paths.LAB_NODE_IP }
const S = dirs.state
const R = dirs.run
const CTR = ['--address', join(R, 'containerd.sock'), '-n', 'k8s.io']

const started: number[] = []
test.after(() => {
  for (const pid of started) if (pidAlive(pid)) process.kill(pid, 'SIGKILL')
  dirs.cleanup()
})

/** A /proc/self/mountinfo line whose mount point (5th field) is `point`. */
const mi = (point: string) => `36 35 0:33 / ${point} rw,relatime shared:1 - tmpfs tmpfs rw`

test('labMounts: mounts under the state and run dirs and CNI netns, deepest first; others are not the lab\'s', () => {
  const info = [
    mi('/'),
    mi(`${S}/kubelet/pods/abc/volumes/kubernetes.io~projected/kube-api-access`),
    mi(`${S}/kubelet/pods/abc`),
    mi(`${R}/containerd/io.containerd.grpc.v1.cri/sandboxes/x/shm`),
    mi('/run/netns/cni-1234'),
    mi('/var/run/netns/cni-5678'),
    mi('/run/netns/other'),
    mi('/var/lib/docker/overlay2/x/merged'),
    '',
  ].join('\n')
  assert.equal(T.labMounts(info), [
    `${S}/kubelet/pods/abc/volumes/kubernetes.io~projected/kube-api-access`,
    `${R}/containerd/io.containerd.grpc.v1.cri/sandboxes/x/shm`,
    `${S}/kubelet/pods/abc`,
    '/var/run/netns/cni-5678',
    '/run/netns/cni-1234',
  ])
})

test('labMounts: a running lab dockerd keeps its own mounts; a stopped one\'s are unmounted too; \\040 is a space', () => {
  const info = [mi(`${S}/docker/overlay2/x/merged`), mi(`${R}/docker/netns/y`), mi(`${S}/kubelet/pods/a\\040b`)].join('\n')
  assert.equal(T.labMounts(info, true), [`${S}/kubelet/pods/a b`])
  assert.equal(T.labMounts(info, false).sort(), [`${S}/docker/overlay2/x/merged`, `${R}/docker/netns/y`, `${S}/kubelet/pods/a b`].sort())
})

test('withoutLabRules: drops KUBE-* and CNI-* chains and every rule that names one; keeps the rest byte for byte', () => {
  const save = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':CNI-abc123 - [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -s 10.88.0.0/16 -j CNI-abc123',
    '-A KUBE-SERVICES -d 10.96.0.1/32 -j KUBE-SVC-NPX46M4PTMTKRN6Y',
    '-A DOCKER -i docker0 -j RETURN',
    '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
    'COMMIT',
  ].join('\n')
  assert.is(
    T.withoutLabRules(save),
    ['*nat', ':PREROUTING ACCEPT [0:0]', ':DOCKER - [0:0]', '-A DOCKER -i docker0 -j RETURN', '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE', 'COMMIT'].join('\n'),
  )
})

test('the down steps, in order: components, pods, runtime, mounts, network, state', () => {
  const titles = T.labDownSteps({ sh: fakeShell() }).map((s) => String(s.title))
  assert.is(titles.length, 6)
  for (const [i, word] of ['Kubernetes components', 'pod containers', 'dockerd, containerd and etcd', 'Unmount', 'iptables', 'cluster state'].entries()) assert.ok(titles[i]!.includes(word), `${i}: ${titles[i]}`)
})

test('stopComponents and stopRuntime: skipped when the lab started none of their processes', async () => {
  assert.is(await evalSkip(T.stopComponents(), ctx), 'none running')
  assert.is(await evalSkip(T.stopRuntime(), ctx), 'none started by the lab')
})

test('stopRuntime: stops a running etcd by its pid file (and not in dry-run)', async () => {
  const pid = startProc({ name: 'etcd', bin: process.execPath, args: ['-e', "console.log('ready'); setTimeout(() => process.exit(0), 60000)"] }, () => {})
  started.push(pid)
  for (let i = 0; i < 200 && !(existsSync(logFile('etcd')) && readFileSync(logFile('etcd'), 'utf8').includes('ready')); i++) await new Promise((r) => setTimeout(r, 50))
  assert.is(await evalSkip(T.stopRuntime(), ctx), false)
  await runStep(T.stopRuntime(), { ...ctx, dryRun: true })
  assert.ok(pidAlive(pid), 'dry-run stopped etcd')
  const t = await runStep(T.stopRuntime(), ctx)
  assert.not.ok(pidAlive(pid))
  assert.is(t.output, `$ kill ${pid}  # etcd`)
  assert.is(await evalSkip(T.stopRuntime(), ctx), 'none started by the lab')
})

test('killPods: skipped while the lab has no containerd running, without asking ctr', async () => {
  const sh = fakeShell()
  assert.is(await evalSkip(T.killPods({ sh }), ctx), 'containerd not running')
  assert.equal(sh.calls, [])
})

/** Pretend containerd runs: its pid file names this test process, whose program is the recorded one. */
function containerdRunning(): void {
  mkdirSync(join(R, 'pids'), { recursive: true })
  writeFileSync(join(R, 'pids', 'containerd.pid'), `${process.pid}\n`)
  writeFileSync(join(R, 'pids', 'containerd.pid.bin'), `${process.execPath}\n`)
}

test('killPods: with containerd running, skipped when the k8s.io namespace has no containers, run when it has', async () => {
  containerdRunning()
  const empty = fakeShell()
  assert.is(await evalSkip(T.killPods({ sh: empty }), ctx), 'no containers')
  assert.equal(empty.calls.map((c) => c.line), [['ctr', ...CTR, 'containers', 'ls', '-q'].join(' ')])
  const some = fakeShell({ reply: () => ({ stdout: 'c1\n' }) })
  assert.is(await evalSkip(T.killPods({ sh: some }), ctx), false)
})

test('killPods: SIGKILLs and deletes every task, then removes every container, in the k8s.io namespace', async () => {
  const sh = fakeShell({
    reply: (c: Call) => (c.args.includes('tasks') && c.args.includes('ls') ? { stdout: 't1\nt2\n' } : c.args.includes('containers') && c.args.includes('ls') ? { stdout: 'c1\nc2\n' } : undefined),
  })
  await runStep(T.killPods({ sh }), ctx)
  const line = (...a: string[]) => ['ctr', ...CTR, ...a].join(' ')
  assert.equal(sh.calls.map((c) => c.line), [
    line('tasks', 'ls', '-q'),
    line('tasks', 'kill', '-a', '-s', 'SIGKILL', 't1'),
    line('tasks', 'kill', '-a', '-s', 'SIGKILL', 't2'),
    line('tasks', 'delete', '-f', 't1'),
    line('tasks', 'delete', '-f', 't2'),
    line('containers', 'ls', '-q'),
    line('containers', 'rm', 'c1', 'c2'),
  ])
  assert.ok(sh.calls.every((c) => c.opts.allowFail), 'a container that is already gone must not fail the teardown')
})

test('networkCleanup: skipped when iptables has no KUBE-/CNI- rule and there is no cni0 or lab bridge', async () => {
  const clean = fakeShell({ reply: (c: Call) => (c.bin === 'ip' ? { stdout: '1: lo: <LOOPBACK> mtu 65536\n2: eth0: <BROADCAST> mtu 1500\n3: docker0: <BROADCAST> mtu 1500\n' } : { stdout: '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n' }) })
  assert.is(await evalSkip(T.networkCleanup({ sh: clean }), ctx), 'already clean')
  assert.ok(clean.calls.every((c) => c.opts.readOnly))
  const rules = fakeShell({ reply: (c: Call) => (c.bin === 'iptables-save' ? { stdout: ':KUBE-SERVICES - [0:0]\n' } : undefined) })
  assert.is(await evalSkip(T.networkCleanup({ sh: rules }), ctx), false)
  const bridge = fakeShell({ reply: (c: Call) => (c.bin === 'ip' ? { stdout: '7: k8slab0: <BROADCAST,UP> mtu 1500\n' } : undefined) })
  assert.is(await evalSkip(T.networkCleanup({ sh: bridge }), ctx), false)
  const cni = fakeShell({ reply: (c: Call) => (c.bin === 'ip' ? { stdout: '8: cni0: <BROADCAST,UP> mtu 1500\n' } : undefined) })
  assert.is(await evalSkip(T.networkCleanup({ sh: cni }), ctx), false)
})

test('networkCleanup: restores iptables without the lab rules, then deletes cni0 and the lab bridge', async () => {
  const save = '*nat\n:KUBE-SERVICES - [0:0]\n-A PREROUTING -j KUBE-SERVICES\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n'
  const sh = fakeShell({ reply: (c: Call) => (c.bin === 'iptables-save' ? { stdout: save } : undefined) })
  await runStep(T.networkCleanup({ sh }), ctx)
  assert.equal(sh.calls.map((c) => c.line), ['iptables-save', 'iptables-restore', 'ip link delete cni0', 'ip link delete k8slab0'])
  assert.is(sh.calls[1]!.opts.input, '*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n')
})

function stateTree(): void {
  for (const d of ['etcd/member', 'kubelet/pods', 'cni/networks/lab', 'cni/net.d', 'pki', 'containerd']) mkdirSync(join(S, d), { recursive: true })
  mkdirSync(join(R, 'pids'), { recursive: true })
}

test('removeState: removes etcd data, the kubelet dir and CNI leases; keeps certs, CNI config and containerd (images)', async () => {
  stateTree()
  const t = await runStep(T.removeState(), ctx)
  assert.equal(t.outputs, ['etcd', 'kubelet', 'cni/networks'].map((d) => `$ rm -rf ${join(S, d)}`))
  for (const d of ['etcd', 'kubelet', 'cni/networks']) assert.not.ok(existsSync(join(S, d)), d)
  for (const d of ['pki', 'cni/net.d', 'containerd']) assert.ok(existsSync(join(S, d)), d)
  assert.ok(existsSync(R))
})

test('removeState: --purge removes the whole state and run dirs; dry-run only says what it would remove', async () => {
  stateTree()
  const dry = await runStep(T.removeState(), { ...ctx, dryRun: true, purge: true })
  assert.equal(dry.outputs, [`$ rm -rf ${S}`, `$ rm -rf ${R}`])
  assert.ok(existsSync(join(S, 'etcd')) && existsSync(R))
  await runStep(T.removeState(), { ...ctx, purge: true })
  assert.not.ok(existsSync(S))
  assert.not.ok(existsSync(R))
})

test.run()
