/** tasks/lib/providers/remote.ts: --registry checks, image ref overrides, pull policy, the push commands, and what it refuses. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from '../../../../../tasks/lib/cli.ts'
import { applyOverrides, describeOverride, loadManifests, manifestObjects } from '../../../../../tasks/lib/manifests.ts'
import { providerOverrides } from '../../../../../tasks/steps/apply.ts'
import { MANIFESTS_DIR } from '../../../../../tasks/lib/tutorial.ts'
import {
  checkRegistry,
  isLoopbackRegistry,
  manifestConfigDigest,
  NEEDS_REGISTRY,
  registryRef,
  remoteProvider,
} from '../../../../../tasks/lib/providers/remote.ts'
import { CommandError } from '../../../../../tasks/lib/shell.ts'
import { fakeKube, fakeShell, type Call, type Reply } from '../../../fakes.ts'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../..', 'fixtures', name), 'utf8')
const REG = '127.0.0.1:5000/learn'
const ID_5 = 'sha256:054b480f7a4954d4719602bb1b431688e9ae5e4e5684dd5acdb4cc17e44ea51a'

// ── --registry ───────────────────────────────────────────────────────────────
const goodRegistries: Array<[string, string]> = [
  ['127.0.0.1:5000', '127.0.0.1:5000'],
  ['127.0.0.1:5000/learn', '127.0.0.1:5000/learn'],
  ['localhost:5000/a/b', 'localhost:5000/a/b'],
  ['ghcr.io/me', 'ghcr.io/me'],
  ['registry.example.com/team/', 'registry.example.com/team'],
  ['Registry.Example.com:443/team', 'Registry.Example.com:443/team'],
  ['myuser', 'myuser'],
]
for (const [given, want] of goodRegistries) {
  test(`checkRegistry(${given}) → ${want}`, () => {
    assert.is(checkRegistry(given), want)
  })
}
const badRegistries: Array<[string, RegExp]> = [
  ['http://127.0.0.1:5000', /must not have a scheme/],
  ['127.0.0.1:5000/Learn', /invalid repository part 'Learn'/],
  ['127.0.0.1:5000/learn/hellogopher:5.0', /invalid repository part 'hellogopher:5.0'/],
  ['-bad.example.com/x', /no valid registry host '-bad.example.com'/],
  ['host:port/x', /no valid registry host 'host:port'/],
  ['a//b', /invalid repository part ''/],
]
for (const [given, want] of badRegistries) {
  test(`checkRegistry(${given}) is a one-line usage error`, () => {
    try {
      checkRegistry(given)
      assert.unreachable('should throw')
    } catch (e) {
      assert.instance(e, UsageError)
      assert.match((e as Error).message, want)
      assert.match((e as Error).message, /\(expected host\[:port\]\/repo, e\.g\. 127\.0\.0\.1:5000\/learn\)$/)
      assert.not.match((e as Error).message, /\n/)
    }
  })
}

test('a bad --registry fails when the provider is made (before any command)', () => {
  assert.throws(() => remoteProvider({ registry: 'https://x' }), /--registry 'https:\/\/x' must not have a scheme/)
})

const refCases: Array<[string, string, string]> = [
  [REG, 'programmingpercy/hellogopher:5.0', '127.0.0.1:5000/learn/hellogopher:5.0'],
  ['127.0.0.1:5000', 'programmingpercy/hellogopher:1.0', '127.0.0.1:5000/hellogopher:1.0'],
  ['ghcr.io/me', 'hellogopher:2.0', 'ghcr.io/me/hellogopher:2.0'],
]
for (const [reg, image, want] of refCases) {
  test(`registryRef(${reg}, ${image})`, () => {
    assert.is(registryRef(reg, image), want)
  })
}

const loopCases: Array<[string, boolean]> = [
  ['127.0.0.1:5000/learn/hellogopher:5.0', true],
  ['localhost:5000/x', true],
  ['127.1.2.3:80', true],
  ['10.0.0.5:5000/x', false],
  ['ghcr.io/me/hellogopher:5.0', false],
  ['localhost.example.com/x', false],
]
for (const [ref, want] of loopCases) {
  test(`isLoopbackRegistry(${ref}) → ${want}`, () => {
    assert.is(isLoopbackRegistry(ref), want)
  })
}

// ── overrides ────────────────────────────────────────────────────────────────
test('imageOverrides: every tag in hellogopher/tags.json → the registry ref', () => {
  assert.equal(remoteProvider({ registry: REG }).imageOverrides(), {
    'programmingpercy/hellogopher:1.0': '127.0.0.1:5000/learn/hellogopher:1.0',
    'programmingpercy/hellogopher:2.0': '127.0.0.1:5000/learn/hellogopher:2.0',
    'programmingpercy/hellogopher:3.0': '127.0.0.1:5000/learn/hellogopher:3.0',
    'programmingpercy/hellogopher:4.0': '127.0.0.1:5000/learn/hellogopher:4.0',
    'programmingpercy/hellogopher:5.0': '127.0.0.1:5000/learn/hellogopher:5.0',
  })
})

test('pullPolicyOverride: Always with a registry; nothing to override without one', () => {
  assert.is(remoteProvider({ registry: REG }).pullPolicyOverride?.(), 'Always')
  assert.is(remoteProvider().pullPolicyOverride?.(), undefined)
  assert.equal(remoteProvider().imageOverrides(), {})
})

test('manifests/ applied on remote: hellogopher from the registry with imagePullPolicy Always (Never replaced), MySQL untouched', () => {
  const deps = { provider: remoteProvider({ registry: REG }) }
  const { manifests, overrides } = applyOverrides(loadManifests(MANIFESTS_DIR), providerOverrides(deps))
  assert.equal(overrides.map(describeOverride), [
    'image override (remote): programmingpercy/hellogopher:5.0 → 127.0.0.1:5000/learn/hellogopher:5.0',
    'imagePullPolicy override (remote) on deployment/hellogopher: Never → Always',
  ])
  const hello = manifestObjects(manifests).find((o) => o.kind === 'Deployment' && o.metadata?.name === 'hellogopher') as {
    spec: { template: { spec: { containers: Array<{ image: string; imagePullPolicy: string }> } } }
  }
  assert.equal(hello.spec.template.spec.containers.map((c) => [c.image, c.imagePullPolicy]), [['127.0.0.1:5000/learn/hellogopher:5.0', 'Always']])
})

// ── pushing ──────────────────────────────────────────────────────────────────
test('loadImage: docker tag, then docker push — exact argv, echoed', async () => {
  const sh = fakeShell()
  const lines: string[] = []
  await remoteProvider({ registry: REG }).loadImage!(sh, 'programmingpercy/hellogopher:5.0', (l) => lines.push(l))
  assert.equal(sh.calls.map((c) => [c.bin, ...c.args]), [
    ['docker', 'tag', 'programmingpercy/hellogopher:5.0', '127.0.0.1:5000/learn/hellogopher:5.0'],
    ['docker', 'push', '127.0.0.1:5000/learn/hellogopher:5.0'],
  ])
  assert.equal(lines, ['$ docker tag programmingpercy/hellogopher:5.0 127.0.0.1:5000/learn/hellogopher:5.0', '$ docker push 127.0.0.1:5000/learn/hellogopher:5.0'])
})

test('loadImage --dry-run: the same commands, only echoed', async () => {
  const sh = fakeShell({ dryRun: true, reply: () => new Error('nothing may run') })
  await remoteProvider({ registry: REG }).loadImage!(sh, 'programmingpercy/hellogopher:1.0', () => {})
  assert.equal(sh.commands(), ['docker tag programmingpercy/hellogopher:1.0 127.0.0.1:5000/learn/hellogopher:1.0', 'docker push 127.0.0.1:5000/learn/hellogopher:1.0'])
})

test('without --registry, loading or checking an image says what to pass', async () => {
  const p = remoteProvider({ context: 'prod-eu' })
  for (const call of [() => p.loadImage!(fakeShell(), 'programmingpercy/hellogopher:5.0', () => {}), () => p.imageInRuntime(fakeShell(), 'programmingpercy/hellogopher:5.0')]) {
    try {
      await call()
      assert.unreachable('should throw')
    } catch (e) {
      assert.instance(e, UsageError)
      assert.is((e as Error).message, NEEDS_REGISTRY)
    }
  }
})

// ── already in the registry? ─────────────────────────────────────────────────
const registryShell = (local: Reply, manifest: Reply) =>
  fakeShell({
    reply: (c: Call) =>
      c.line === 'docker image inspect --format {{.Id}} programmingpercy/hellogopher:5.0' ? local
      : c.args[0] === 'manifest' ? manifest
      : new Error(`unexpected ${c.line}`),
  })

test('imageInRuntime: the registry has the same image (config digest = local ID) → true; --insecure for a loopback registry', async () => {
  const sh = registryShell({ stdout: `${ID_5}\n` }, { stdout: fixture('docker-manifest-inspect.json') })
  assert.is(await remoteProvider({ registry: REG }).imageInRuntime(sh, 'programmingpercy/hellogopher:5.0'), true)
  assert.equal(sh.calls[1]!.args, ['manifest', 'inspect', '--insecure', '127.0.0.1:5000/learn/hellogopher:5.0'])
  assert.ok(sh.calls.every((c) => c.opts.readOnly && c.opts.quiet))
})

test('imageInRuntime: a different build in the registry → false', async () => {
  const sh = registryShell({ stdout: 'sha256:0000\n' }, { stdout: fixture('docker-manifest-inspect.json') })
  assert.is(await remoteProvider({ registry: REG }).imageInRuntime(sh, 'programmingpercy/hellogopher:5.0'), false)
})

test('imageInRuntime: not pushed yet ("no such manifest") → false', async () => {
  const sh = registryShell({ stdout: `${ID_5}\n` }, { exitCode: 1, stderr: fixture('docker-manifest-inspect-missing.stderr.txt') })
  assert.is(await remoteProvider({ registry: REG }).imageInRuntime(sh, 'programmingpercy/hellogopher:5.0'), false)
})

test('imageInRuntime: not built locally → false, the registry is not asked', async () => {
  const sh = registryShell({ exitCode: 1, stderr: 'Error: No such image' }, new Error('must not ask the registry'))
  assert.is(await remoteProvider({ registry: REG }).imageInRuntime(sh, 'programmingpercy/hellogopher:5.0'), false)
})

test('imageInRuntime: a registry that fails (not "absent") is an error; no --insecure for a remote host', async () => {
  const sh = registryShell({ stdout: `${ID_5}\n` }, { exitCode: 1, stderr: 'Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io: no such host' })
  try {
    await remoteProvider({ registry: 'ghcr.io/me' }).imageInRuntime(sh, 'programmingpercy/hellogopher:5.0')
    assert.unreachable('should throw')
  } catch (e) {
    assert.instance(e, CommandError)
    assert.match((e as Error).message, /^`docker manifest inspect ghcr\.io\/me\/hellogopher:5\.0` failed \(exit 1\): .*no such host — can this machine reach the registry ghcr\.io\/me\?/)
  }
})

test('manifestConfigDigest: a manifest list has no config → undefined', () => {
  assert.is(manifestConfigDigest(fixture('docker-manifest-inspect.json')), ID_5)
  assert.is(manifestConfigDigest('{"schemaVersion":2,"manifests":[{"digest":"sha256:1"}]}'), undefined)
  assert.is(manifestConfigDigest('not json'), undefined)
})

// ── what a remote cluster is not ─────────────────────────────────────────────
test('start: refused in one line; --dry-run only says so', async () => {
  const p = remoteProvider({ context: 'prod-eu' })
  try {
    await p.start(fakeShell(), () => {})
    assert.unreachable('should throw')
  } catch (e) {
    assert.match((e as Error).message, /^a remote cluster is not started by this tool — /)
    assert.not.match((e as Error).message, /\n/)
  }
  const lines: string[] = []
  await p.start(fakeShell({ dryRun: true }), (l) => lines.push(l))
  assert.equal(lines, ['a remote cluster is not started by this tool: it must already be running'])
  assert.equal(p.startCommands(), [])
})

test('stop: refused in one line, nothing run', async () => {
  const sh = fakeShell()
  try {
    await remoteProvider().stop(sh, () => {})
    assert.unreachable('should throw')
  } catch (e) {
    assert.is((e as Error).message, 'a remote cluster is not stopped by this tool')
  }
  assert.equal(sh.calls, [])
})

test('never owns a context; targets --context when given, else the current one', () => {
  const p = remoteProvider({ context: 'prod-eu' })
  for (const c of ['prod-eu', 'minikube', 'kind-x', 'learn-k8s-lab']) assert.is(p.ownsContext(c), false)
  assert.equal(p.target(), { context: 'prod-eu' })
  assert.equal(remoteProvider().target(), {})
  assert.equal(p.requiredTools, ['kubectl', 'docker'])
})

test('serviceUrl: NodePort on a node ExternalIP, else InternalIP', async () => {
  const kube = (addresses: Array<{ type: string; address: string }>) =>
    fakeKube({ nodePort: async () => 31000, listNodes: async () => [{ status: { addresses } }], contextName: 'prod-eu' })
  const p = remoteProvider({ registry: REG })
  assert.is((await p.serviceUrl(fakeShell(), kube([{ type: 'InternalIP', address: '10.0.0.4' }, { type: 'ExternalIP', address: '203.0.113.7' }]), 'hellogopher', 'hellogopher')).url, 'http://203.0.113.7:31000')
  assert.is((await p.serviceUrl(fakeShell(), kube([{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.4' }]), 'hellogopher', 'hellogopher')).url, 'http://10.0.0.4:31000')
  assert.is((await p.serviceUrl(fakeShell(), kube([{ type: 'InternalIP', address: 'fd00::4' }]), 'hellogopher', 'hellogopher')).url, 'http://[fd00::4]:31000')
})

test('status: a context whose server does not answer → not running, with the reason (loopback port 1, refused at once)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'remote-test-'))
  const saved = process.env.KUBECONFIG
  try {
    const file = join(dir, 'config')
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: staging, context: {cluster: c, user: u}}]',
        'current-context: staging',
      ].join('\n'),
    )
    process.env.KUBECONFIG = file
    const s = await remoteProvider({ context: 'staging' }).status(fakeShell())
    assert.is(s.running, false)
    assert.match(s.detail, /^remote: context staging does not answer \(.*cannot reach https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)\)$/)
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG
    else process.env.KUBECONFIG = saved
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
