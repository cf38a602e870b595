/**
 * Provider detection and the context guard: which provider a run gets, and that a mutating task refuses a
 * context that is not recognisably local — in one line, before any request to the cluster.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from '../../../../../tasks/lib/cli.ts'
import { Kube } from '../../../../../tasks/lib/kube.ts'
import { contextArgs } from '../../../../../tasks/lib/kubectl.ts'
import { detectProviderName, guardDecision, guardRun, isLocalContext, isLocalServer, makeProvider, resolveProvider } from '../../../../../tasks/lib/providers/index.ts'
import { minikubeProvider } from '../../../../../tasks/lib/providers/minikube.ts'
import type { Provider } from '../../../../../tasks/lib/providers/types.ts'
import { spec } from '../../../../../tasks/lib/task.ts'
import { command, type Guard, type Run } from '../../../../../tasks/lib/command.ts'
import type { CommandSpec } from '../../../../../tasks/lib/cli.ts'
import type { Ctx } from '../../../../../tasks/lib/run.ts'
import { fakeShell } from '../../../fakes.ts'

/** What a command gets once its flags are checked and its guard passed (undefined for --help): command() with a report that keeps it. */
async function prepare(cmd: CommandSpec, argv: string[], guard: Guard): Promise<Run<Record<string, never>, Ctx> | undefined> {
  let got: Run<Record<string, never>, Ctx> | undefined
  await command({ spec: cmd, guard, run: async (r) => void (got = r) }).run(argv)
  return got
}


// ── detection ────────────────────────────────────────────────────────────────
type DetectCase = [string, { flag?: string; context?: string; registry?: string; current?: string; installed?: string[] }, string]
const detectCases: DetectCase[] = [
  ['--provider wins over everything', { flag: 'kind', registry: 'r.example.com', context: 'prod-eu', current: 'minikube', installed: ['minikube'] }, 'kind'],
  ['--registry → remote', { registry: '127.0.0.1:5000/learn', current: 'minikube', installed: ['minikube'] }, 'remote'],
  ['current minikube', { current: 'minikube', installed: ['kind'] }, 'minikube'],
  ['current kind-learn-k8s', { current: 'kind-learn-k8s', installed: ['minikube'] }, 'kind'],
  ['current kind-anything', { current: 'kind-dev', installed: [] }, 'kind'],
  ['current learn-k8s-lab', { current: 'learn-k8s-lab', installed: ['minikube', 'kind'] }, 'lab'],
  ['current prod-eu → remote (so the guard sees it), even with minikube installed', { current: 'prod-eu', installed: ['minikube', 'kind'] }, 'remote'],
  ['current docker-desktop → remote', { current: 'docker-desktop', installed: ['kind'] }, 'remote'],
  ['--context prod-eu over a local current one', { context: 'prod-eu', current: 'minikube', installed: ['minikube'] }, 'remote'],
  ['--context minikube over a remote current one', { context: 'minikube', current: 'prod-eu', installed: [] }, 'minikube'],
  ['--context kind-ci', { context: 'kind-ci', installed: [] }, 'kind'],
  ['no context: minikube installed', { installed: ['minikube', 'kind'] }, 'minikube'],
  ['no context: only kind installed', { installed: ['kind'] }, 'kind'],
  ['no context, nothing installed: the lab', { installed: [] }, 'lab'],
  ['"kind" alone is not a kind context → remote', { current: 'kind', installed: ['kind'] }, 'remote'],
]
for (const [name, c, want] of detectCases) {
  test(`detect: ${name} → ${want}`, async () => {
    const sh = fakeShell({ installed: c.installed })
    assert.is(await detectProviderName({ flag: c.flag, context: c.context, registry: c.registry, sh }, () => c.current), want)
  })
}

test('detect: with a context known, installed tools are not asked', async () => {
  const sh = fakeShell({ installed: ['minikube'] })
  let asked = 0
  sh.which = async () => (asked++, undefined)
  await detectProviderName({ sh }, () => 'prod-eu')
  await detectProviderName({ sh, context: 'kind-x' }, () => undefined)
  assert.is(asked, 0)
})

test('detect: --registry/--provider decide without reading the kubeconfig', async () => {
  let read = 0
  await detectProviderName({ sh: fakeShell(), registry: 'r.example.com' }, () => (read++, 'minikube'))
  await detectProviderName({ sh: fakeShell(), flag: 'lab' }, () => (read++, 'minikube'))
  assert.is(read, 0)
})

test('detect: an unknown --provider is a usage error', async () => {
  try {
    await detectProviderName({ flag: 'docker-desktop', sh: fakeShell() }, () => undefined)
    assert.unreachable('should throw')
  } catch (e) {
    assert.instance(e, UsageError)
    assert.match((e as Error).message, "unknown provider 'docker-desktop'")
  }
})

test('detect: --provider is decided without asking which tools are installed', async () => {
  const sh = fakeShell({ installed: [] })
  let asked = false
  sh.which = async () => ((asked = true), undefined)
  await detectProviderName({ flag: 'minikube', sh }, () => undefined)
  assert.is(asked, false)
})

// ── resolveProvider: the provider as the run uses it ─────────────────────────
const resolve = (c: { flag?: string; context?: string; registry?: string }, current?: string, installed: string[] = []) =>
  resolveProvider({ ...c, sh: fakeShell({ installed }) }, () => current)

test('resolve: current kind-dev → the kind provider of cluster dev', async () => {
  const p = await resolve({}, 'kind-dev')
  assert.is(p.name, 'kind')
  assert.equal(p.target(), { context: 'kind-dev' })
})

test('resolve: --context prod-eu → remote acting on prod-eu, and kubectl gets --context prod-eu', async () => {
  const p = await resolve({ context: 'prod-eu' }, 'minikube')
  assert.is(p.name, 'remote')
  assert.equal(p.target(), { context: 'prod-eu' })
  assert.equal(contextArgs({ provider: p }), ['--context', 'prod-eu'])
})

test('resolve: current prod-eu without --context → remote on the current context (the provider names none; prepare pins kubectl to the resolved one)', async () => {
  const p = await resolve({}, 'prod-eu')
  assert.equal(p.target(), {})
  assert.equal(contextArgs({ provider: p }), [])
})

test('resolve: --registry → remote with the registry overrides', async () => {
  const p = await resolve({ registry: '127.0.0.1:5000/learn', context: 'learn-k8s-lab' })
  assert.is(p.name, 'remote')
  assert.is(p.imageOverrides()['programmingpercy/hellogopher:5.0'], '127.0.0.1:5000/learn/hellogopher:5.0')
  assert.equal(contextArgs({ provider: p }), ['--context', 'learn-k8s-lab'])
})

const misfits: Array<[string, { flag?: string; context?: string; registry?: string }, string]> = [
  ['--provider minikube --context prod-eu', { flag: 'minikube', context: 'prod-eu' }, "--context prod-eu is not the minikube cluster's context (minikube) — for another cluster use --provider remote --context prod-eu"],
  ['--provider kind --context prod-eu', { flag: 'kind', context: 'prod-eu' }, "--context prod-eu is not the kind cluster's context (kind-learn-k8s) — for another cluster use --provider remote --context prod-eu"],
  ['--provider lab --context minikube', { flag: 'lab', context: 'minikube' }, "--context minikube is not the lab cluster's context (learn-k8s-lab) — for another cluster use --provider remote --context minikube"],
  ['--provider kind --registry r', { flag: 'kind', registry: 'r.example.com' }, '--registry is for the remote provider; the kind provider gets its images without one'],
]
for (const [name, c, want] of misfits) {
  test(`resolve: ${name} is a one-line usage error`, async () => {
    const saved = process.env.KIND_CLUSTER_NAME
    delete process.env.KIND_CLUSTER_NAME
    try {
      await resolve(c, 'minikube')
      assert.unreachable('should throw')
    } catch (e) {
      assert.instance(e, UsageError)
      assert.is((e as Error).message, want)
    } finally {
      if (saved !== undefined) process.env.KIND_CLUSTER_NAME = saved
    }
  })
}

test('resolve: --provider kind --context kind-ci → cluster ci; --provider minikube --context minikube fits', async () => {
  assert.equal((await resolve({ flag: 'kind', context: 'kind-ci' })).target(), { context: 'kind-ci' })
  assert.equal((await resolve({ flag: 'minikube', context: 'minikube' })).target(), { context: 'minikube' })
})

test('makeProvider builds every provider (doctor lists them all)', () => {
  for (const n of ['minikube', 'kind', 'lab', 'remote'] as const) assert.is(makeProvider(n).name, n)
})

// ── the guard ────────────────────────────────────────────────────────────────
const remote = (): Provider => makeProvider('remote')
type GuardCase = [string, { context: string; explicitContext?: string; destructive: boolean; yes: boolean }, true | string]
const guardCases: GuardCase[] = [
  ['minikube is local', { context: 'minikube', destructive: true, yes: false }, true],
  ['kind-learn-k8s is local', { context: 'kind-learn-k8s', destructive: true, yes: false }, true],
  ['any kind-* is local', { context: 'kind-whatever', destructive: true, yes: false }, true],
  ['the lab is local', { context: 'learn-k8s-lab', destructive: true, yes: false }, true],
  [
    'prod-eu refused without --context',
    { context: 'prod-eu', destructive: false, yes: false },
    "refusing to change context 'prod-eu': it is not a local minikube/kind/lab cluster — pass --context prod-eu if you mean it",
  ],
  [
    'prod-eu teardown refused without --context: names both flags',
    { context: 'prod-eu', destructive: true, yes: false },
    "refusing to change context 'prod-eu': it is not a local minikube/kind/lab cluster — pass --context prod-eu --yes if you mean it",
  ],
  [
    'prod-eu teardown with --yes but no --context',
    { context: 'prod-eu', destructive: true, yes: true },
    "refusing to change context 'prod-eu': it is not a local minikube/kind/lab cluster — pass --context prod-eu if you mean it",
  ],
  [
    '--context naming another context does not count',
    { context: 'prod-eu', explicitContext: 'staging', destructive: false, yes: false },
    "refusing to change context 'prod-eu': it is not a local minikube/kind/lab cluster — pass --context prod-eu if you mean it",
  ],
  ['prod-eu with --context may be changed', { context: 'prod-eu', explicitContext: 'prod-eu', destructive: false, yes: false }, true],
  [
    'prod-eu destructive with --context still needs --yes',
    { context: 'prod-eu', explicitContext: 'prod-eu', destructive: true, yes: false },
    "refusing to delete on context 'prod-eu' without --yes (it is not a local cluster) — pass --context prod-eu --yes if you mean it",
  ],
  ['prod-eu destructive with --context and --yes', { context: 'prod-eu', explicitContext: 'prod-eu', destructive: true, yes: true }, true],
]
for (const [name, g, want] of guardCases) {
  test(`guard: ${name}`, () => {
    const d = guardDecision({ provider: remote(), ...g })
    if (want === true) assert.equal(d, { ok: true })
    else assert.equal(d, { ok: false, reason: want })
    if (!d.ok) assert.not.match(d.reason, /\n/, 'one line')
  })
}

test('guard: a provider owning a custom context (minikube profile) counts as local', () => {
  assert.equal(guardDecision({ provider: minikubeProvider({ profile: 'learn' }), context: 'learn', destructive: true, yes: false }), { ok: true })
  assert.equal(guardDecision({ provider: remote(), context: 'learn', destructive: false, yes: false }).ok, false)
})

test('isLocalContext', () => {
  assert.equal(['minikube', 'kind-a', 'learn-k8s-lab', 'prod-eu', 'kind', '', 'docker-desktop'].map(isLocalContext), [true, true, true, false, false, false, false])
})

// ── prepare(): the guard runs before any request ─────────────────────────────
/** A kubeconfig whose current context is prod-eu at an address nothing may be sent to. */
function prodKubeconfig(dir: string): string {
  const file = join(dir, 'prod-kubeconfig')
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: prod, cluster: {server: "https://10.255.255.1:6443"}}]',
      'users: [{name: admin, user: {token: not-a-real-token}}]',
      'contexts: [{name: prod-eu, context: {cluster: prod, user: admin}}]',
      'current-context: prod-eu',
    ].join('\n'),
  )
  return file
}

const teardownLike = spec('tasks/x.ts', 'test', { yes: { type: 'boolean', description: 'confirm' } })

async function withProdKubeconfig(fn: (pings: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'guard-test-'))
  const saved = { KUBECONFIG: process.env.KUBECONFIG, ping: Kube.prototype.ping }
  const pings: string[] = []
  // stands in for the network: records which context would have been contacted
  Kube.prototype.ping = async function (this: Kube) {
    pings.push(this.contextName)
    return 'v1.34.4'
  }
  try {
    process.env.KUBECONFIG = prodKubeconfig(dir)
    await fn(pings)
  } finally {
    Kube.prototype.ping = saved.ping
    if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG
    else process.env.KUBECONFIG = saved.KUBECONFIG
    rmSync(dir, { recursive: true, force: true })
  }
}

test('prepare: teardown on prod-eu is refused before any ping', () =>
  withProdKubeconfig(async (pings) => {
    try {
      await prepare(teardownLike, [], { mutates: true, destructive: true })
      assert.unreachable('should throw')
    } catch (e) {
      assert.is((e as Error).message, "refusing to change context 'prod-eu': it is not a local minikube/kind/lab cluster — pass --context prod-eu --yes if you mean it")
    }
    assert.equal(pings, [])
  }))

test('prepare: --context prod-eu without --yes: still refused, still no ping', () =>
  withProdKubeconfig(async (pings) => {
    try {
      await prepare(teardownLike, ['--context', 'prod-eu'], { mutates: true, destructive: true })
      assert.unreachable('should throw')
    } catch (e) {
      assert.match((e as Error).message, /^refusing to delete on context 'prod-eu' without --yes/)
    }
    assert.equal(pings, [])
  }))

test('prepare: --context prod-eu --yes passes the guard; kube and kubectl both target prod-eu; then it pings', () =>
  withProdKubeconfig(async (pings) => {
    const p = await prepare(teardownLike, ['--context', 'prod-eu', '--yes'], { mutates: true, destructive: true })
    assert.ok(p)
    assert.is(p.deps.provider.name, 'remote')
    assert.is(p.deps.kube().contextName, 'prod-eu')
    assert.equal(contextArgs(p.deps), ['--context', 'prod-eu'])
    assert.equal(pings, ['prod-eu'])
  }))

test('prepare --dry-run on prod-eu: no guard, no ping, no kube client made', () =>
  withProdKubeconfig(async (pings) => {
    const p = await prepare(teardownLike, ['--dry-run'], { mutates: true, destructive: true })
    assert.ok(p)
    assert.is(p.deps.provider.name, 'remote')
    assert.equal(pings, [])
  }))

test('prepare: a read-only task on prod-eu is not guarded (it only pings)', () =>
  withProdKubeconfig(async (pings) => {
    await prepare(teardownLike, [], { mutates: false })
    assert.equal(pings, ['prod-eu'])
  }))

// ── the guard judges the server, not just the name ──────────────────────────
type ServerCase = [string, { context: string; server?: string; explicitContext?: string; allowed?: string[]; localAddresses?: string[]; destructive?: boolean; yes?: boolean }, true | RegExp]
const serverCases: ServerCase[] = [
  ['kind-dev on loopback (kind publishes 127.0.0.1:<port>)', { context: 'kind-dev', server: 'https://127.0.0.1:41234' }, true],
  ['minikube on localhost', { context: 'minikube', server: 'https://localhost:8443' }, true],
  ['the lab at its node address', { context: 'learn-k8s-lab', server: 'https://10.250.0.1:6443' }, true],
  ['minikube at the IP `minikube ip` reported', { context: 'minikube', server: 'https://192.168.49.2:8443', localAddresses: ['192.168.49.2'] }, true],
  ['a local name not in the kubeconfig yet (the cluster is about to be made)', { context: 'kind-new' }, true],
  [
    'kind-prod on a remote host: refused, naming name and server',
    { context: 'kind-prod', server: 'https://prod.example.com:6443', destructive: true },
    /^refusing to act on context 'kind-prod': its name says local but its server https:\/\/prod\.example\.com:6443 is not a local address/,
  ],
  ['minikube at an address minikube did not report', { context: 'minikube', server: 'https://192.168.49.2:8443', localAddresses: ['192.168.49.3'] }, /server https:\/\/192\.168\.49\.2:8443 is not a local address/],
  ['learn-k8s-lab pointing elsewhere', { context: 'learn-k8s-lab', server: 'https://10.0.0.5:6443' }, /context 'learn-k8s-lab': its name says local/],
  ['kind-prod remote with --context only: still refused', { context: 'kind-prod', server: 'https://10.1.2.3:6443', explicitContext: 'kind-prod' }, /LEARN_K8S_ALLOW_CONTEXTS=kind-prod/],
  ['kind-prod remote with the allow-list only: still refused', { context: 'kind-prod', server: 'https://10.1.2.3:6443', allowed: ['kind-prod'] }, /pass --context kind-prod/],
  ['kind-prod remote with --context AND the allow-list', { context: 'kind-prod', server: 'https://10.1.2.3:6443', explicitContext: 'kind-prod', allowed: ['kind-prod'] }, true],
  ['… but deleting there still needs --yes', { context: 'kind-prod', server: 'https://10.1.2.3:6443', explicitContext: 'kind-prod', allowed: ['kind-prod'], destructive: true }, /without --yes/],
  ['staging in the allow-list needs no --context', { context: 'staging', server: 'https://10.1.2.3:6443', allowed: ['a', 'staging'] }, true],
  ['staging in the allow-list: deleting still needs --yes', { context: 'staging', server: 'https://10.1.2.3:6443', allowed: ['staging'], destructive: true }, /without --yes/],
  ['a non-local name on loopback (an SSH tunnel to prod?) still needs --context', { context: 'prod-eu', server: 'https://127.0.0.1:6443' }, /pass --context prod-eu/],
]
for (const [name, c, want] of serverCases) {
  test(`guard (server): ${name}`, () => {
    const d = guardDecision({ provider: remote(), destructive: false, yes: false, ...c })
    if (want === true) assert.equal(d, { ok: true })
    else {
      assert.is(d.ok, false)
      if (!d.ok) {
        assert.match(d.reason, want)
        assert.not.match(d.reason, /\n/)
      }
    }
  })
}

test('isLocalServer: loopback v4/v6, localhost, the lab node; not other private addresses', () => {
  const yes = ['https://127.0.0.1:6443', 'https://127.8.9.10', 'https://[::1]:6443', 'https://localhost:8443', 'https://10.250.0.1:6443']
  const no = ['https://10.250.0.2:6443', 'https://192.168.49.2:8443', 'https://prod.example.com', 'https://128.0.0.1', 'not a url']
  assert.equal(yes.map((s) => isLocalServer(s)), yes.map(() => true))
  assert.equal(no.map((s) => isLocalServer(s)), no.map(() => false))
  assert.ok(isLocalServer('https://192.168.49.2:8443', ['192.168.49.2']))
})

/** A kubeconfig file (never contacted) with the given contexts → servers, and a current context. */
function kubeconfigWith(dir: string, contexts: Record<string, string>, current: string): string {
  const file = join(dir, 'kubeconfig')
  const names = Object.keys(contexts)
  writeFileSync(
    file,
    [
      `clusters: [${names.map((n) => `{name: ${n}, cluster: {server: "${contexts[n]}"}}`).join(', ')}]`,
      'users: [{name: u, user: {token: not-a-real-token}}]',
      `contexts: [${names.map((n) => `{name: ${n}, context: {cluster: ${n}, user: u}}`).join(', ')}]`,
      `current-context: ${current}`,
    ].join('\n'),
  )
  return file
}

async function withKubeconfig(contexts: Record<string, string>, current: string, fn: (pings: string[]) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'guard-server-'))
  const keys = ['KUBECONFIG', 'KIND_CLUSTER_NAME', 'LEARN_K8S_ALLOW_CONTEXTS']
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]))
  const ping = Kube.prototype.ping
  const pings: string[] = []
  Kube.prototype.ping = async function (this: Kube) {
    pings.push(this.contextName)
    return 'v1.34.4'
  }
  try {
    for (const k of keys) delete process.env[k]
    Object.assign(process.env, env, { KUBECONFIG: kubeconfigWith(dir, contexts, current) })
    await fn(pings)
  } finally {
    Kube.prototype.ping = ping
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

const relabelDelete = spec('tasks/relabel.ts', 'test', { yes: { type: 'boolean', description: 'confirm' } })

test('prepare: `relabel --delete` on a current context kind-prod whose server is remote is refused, no ping', () =>
  withKubeconfig({ 'kind-prod': 'https://prod.example.com:6443' }, 'kind-prod', async (pings) => {
    try {
      await prepare(relabelDelete, [], { mutates: true, destructive: true })
      assert.unreachable('should throw')
    } catch (e) {
      assert.match((e as Error).message, /^refusing to act on context 'kind-prod': its name says local but its server https:\/\/prod\.example\.com:6443 is not a local address/)
    }
    assert.equal(pings, [])
  }))

test('prepare: KIND_CLUSTER_NAME=prod --provider kind does not act on kind-prod at a remote server', () =>
  withKubeconfig({ 'kind-prod': 'https://10.20.30.40:6443', minikube: 'https://127.0.0.1:1' }, 'minikube', async (pings) => {
    try {
      await prepare(relabelDelete, ['--provider', 'kind'], { mutates: true, destructive: false })
      assert.unreachable('should throw')
    } catch (e) {
      assert.match((e as Error).message, /context 'kind-prod'.*https:\/\/10\.20\.30\.40:6443/)
    }
    assert.equal(pings, [])
  }, { KIND_CLUSTER_NAME: 'prod' }))

test('prepare: minikube at 192.168.49.2 passes once `minikube ip -p minikube` (echoed) reports that address', async () => {
  await withKubeconfig({ minikube: 'https://192.168.49.2:8443' }, 'minikube', async () => {
    const echoed: string[] = []
    const sh = fakeShell({ reply: (c) => (c.line === 'minikube ip -p minikube' ? { stdout: '192.168.49.2\n' } : undefined) })
    const r = await guardRun({ provider: makeProvider('minikube'), sh, destructive: true, yes: false, log: (l) => echoed.push(l) })
    assert.is(r.context, 'minikube')
    assert.equal(echoed, ['$ minikube ip -p minikube'])
    // and when minikube reports another address (or fails), the same context is refused
    const other = fakeShell({ reply: (c) => (c.line === 'minikube ip -p minikube' ? { stdout: '192.168.58.2\n' } : undefined) })
    await guardRun({ provider: makeProvider('minikube'), sh: other, destructive: true, yes: false, log: () => {} }).then(
      () => assert.unreachable('should refuse'),
      (e: Error) => assert.match(e.message, /its name says local but its server https:\/\/192\.168\.49\.2:8443/),
    )
  })
})

test('prepare: a loopback kind-dev passes without asking docker; kubectl is pinned to the resolved context', () =>
  withKubeconfig({ 'kind-dev': 'https://127.0.0.1:40001' }, 'kind-dev', async (pings) => {
    const p = await prepare(relabelDelete, [], { mutates: true, destructive: true })
    assert.ok(p)
    assert.equal(contextArgs(p.deps), ['--context', 'kind-dev'])
    assert.equal(pings, ['kind-dev'])
  }))

test('prepare: a context allowed by LEARN_K8S_ALLOW_CONTEXTS runs without --context; kubectl pinned to it', () =>
  withKubeconfig({ staging: 'https://10.1.2.3:6443' }, 'staging', async () => {
    const p = await prepare(relabelDelete, [], { mutates: true, destructive: false })
    assert.ok(p)
    assert.is(p.deps.provider.name, 'remote')
    assert.equal(contextArgs(p.deps), ['--context', 'staging'])
  }, { LEARN_K8S_ALLOW_CONTEXTS: 'staging' }))

test.run()
