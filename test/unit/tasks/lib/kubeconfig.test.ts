/**
 * tasks/lib/kubeconfig.ts: the ONE resolution. kubectl's merge rules (first file wins for names and for
 * current-context), errors naming the file for a set-but-missing, empty or malformed kubeconfig, and the
 * client-node client built from that resolution (not from client-node's own merge). The servers in these
 * files are never contacted.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kube } from '../../../../tasks/lib/kube.ts'
import { mergeKubeconfigs, resolveKubeconfig, targetContext } from '../../../../tasks/lib/kubeconfig.ts'
import { resolveProvider } from '../../../../tasks/lib/providers/index.ts'
import { fakeShell } from '../../fakes.ts'

let dir = ''
const saved = process.env.KUBECONFIG
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-'))
})
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true })
  if (saved === undefined) delete process.env.KUBECONFIG
  else process.env.KUBECONFIG = saved
})

/** A kubeconfig with one context `ctx` → cluster `cluster` at `server`. */
function file(name: string, o: { current?: string; ctx: string; cluster: string; server: string; ns?: string; extra?: string[] }): string {
  const f = join(dir, name)
  writeFileSync(
    f,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: ${o.cluster}, cluster: {server: "${o.server}"}}]`,
      `users: [{name: ${o.cluster}-user, user: {token: not-a-real-token}}]`,
      `contexts: [{name: ${o.ctx}, context: {cluster: ${o.cluster}, user: ${o.cluster}-user${o.ns ? `, namespace: ${o.ns}` : ''}}}]`,
      ...(o.current ? [`current-context: ${o.current}`] : []),
      ...(o.extra ?? []),
    ].join('\n'),
  )
  return f
}

test('KUBECONFIG=a:b: the first file that sets current-context wins — for the guard AND for the client-node client', () => {
  const a = file('a.yaml', { current: 'lab-a', ctx: 'lab-a', cluster: 'a', server: 'https://127.0.0.1:1' })
  const b = file('b.yaml', { current: 'prod-b', ctx: 'prod-b', cluster: 'b', server: 'https://10.255.255.1:6443' })
  process.env.KUBECONFIG = `${a}:${b}`
  assert.is(targetContext({}), 'lab-a')
  const kube = new Kube({})
  assert.is(kube.contextName, 'lab-a')
  assert.is(kube.server, 'https://127.0.0.1:1')
})

test('a later file fills current-context when the first sets none', () => {
  const a = file('a.yaml', { ctx: 'lab-a', cluster: 'a', server: 'https://127.0.0.1:1' })
  const b = file('b.yaml', { current: 'lab-a', ctx: 'other', cluster: 'b', server: 'https://127.0.0.1:2' })
  process.env.KUBECONFIG = `${a}:${b}`
  const r = resolveKubeconfig({})
  assert.is(r.context, 'lab-a')
  assert.is(r.server, 'https://127.0.0.1:1')
})

test('duplicate names across files (kubectl merges them fine): the first definition wins, no "Duplicate cluster"', () => {
  const a = file('a.yaml', { current: 'dev', ctx: 'dev', cluster: 'shared', server: 'https://127.0.0.1:1', ns: 'first' })
  const b = file('b.yaml', { current: 'dev', ctx: 'dev', cluster: 'shared', server: 'https://10.255.255.1:6443', ns: 'second' })
  process.env.KUBECONFIG = `${a}:${b}`
  const kube = new Kube({})
  assert.is(kube.server, 'https://127.0.0.1:1')
  assert.is(kube.contextNamespace, 'first')
  assert.is(resolveKubeconfig({}).server, 'https://127.0.0.1:1')
})

test('mergeKubeconfigs: maps keep the first of a name, in file order; later names are appended', () => {
  const m = mergeKubeconfigs([
    { clusters: [{ name: 'x', cluster: { server: 'https://1' } }], contexts: [], users: [] },
    { 'current-context': 'c', clusters: [{ name: 'x', cluster: { server: 'https://2' } }, { name: 'y', cluster: { server: 'https://3' } }], contexts: [], users: [] },
  ])
  assert.equal(m.clusters.map((c) => [c.name, (c.cluster as { server: string }).server]), [['x', 'https://1'], ['y', 'https://3']])
  assert.is(m['current-context'], 'c')
})

test('KUBECONFIG naming a missing file is an error naming it — never a silent switch to the lab', async () => {
  const missing = join(dir, 'nope.yaml')
  process.env.KUBECONFIG = missing
  assert.throws(() => targetContext({}), (e: Error) => e.message === `KUBECONFIG names ${missing}, which does not exist`)
  try {
    await resolveProvider({ sh: fakeShell({ installed: [] }) })
    assert.unreachable('must not fall back to a provider')
  } catch (e) {
    assert.match((e as Error).message, missing)
  }
})

test('KUBECONFIG where no file exists: one line naming them all', () => {
  process.env.KUBECONFIG = `${join(dir, 'x')}:${join(dir, 'y')}`
  assert.throws(() => targetContext({}), (e: Error) => /^KUBECONFIG names no file that exists \(.*x, .*y\)$/.test(e.message))
})

test('a missing file among several is skipped, as kubectl does', () => {
  const b = file('b.yaml', { current: 'dev', ctx: 'dev', cluster: 'c', server: 'https://127.0.0.1:1' })
  process.env.KUBECONFIG = `${join(dir, 'missing')}:${b}`
  assert.is(targetContext({}), 'dev')
})

test('an empty kubeconfig file is an error naming it', () => {
  const f = join(dir, 'empty')
  writeFileSync(f, '\n')
  process.env.KUBECONFIG = f
  assert.throws(() => targetContext({}), (e: Error) => e.message === `kubeconfig ${f} is empty`)
  assert.throws(() => new Kube({}), (e: Error) => e.message === `kubeconfig ${f} is empty`)
})

for (const [name, text] of [
  ['malformed YAML', 'clusters: [unclosed'],
  ['not a mapping', '- a\n- b'],
  ['contexts not a list of named entries', 'contexts: {a: 1}'],
] as const) {
  test(`a kubeconfig that is ${name}: an error naming the file, one line`, () => {
    const f = join(dir, 'bad')
    writeFileSync(f, text)
    process.env.KUBECONFIG = f
    assert.throws(() => targetContext({}), (e: Error) => e.message.includes(f) && !e.message.includes('\n'))
  })
}

test('no KUBECONFIG and no file at a provider path (the lab before `lab up`): no context, not an error', () => {
  delete process.env.KUBECONFIG
  const r = resolveKubeconfig({ kubeconfig: join(dir, 'admin.kubeconfig'), context: 'learn-k8s-lab' })
  assert.equal([r.files, r.context, r.server, r.known], [[], 'learn-k8s-lab', undefined, false])
})

test('relative certificate paths are resolved against the file that names them (as kubectl does)', () => {
  const f = file('rel.yaml', { current: 'dev', ctx: 'dev', cluster: 'c', server: 'https://127.0.0.1:1' })
  writeFileSync(
    f,
    [
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority: certs/ca.crt}}]',
      'users: [{name: u, user: {client-certificate: u.crt, client-key: /abs/u.key}}]',
      'contexts: [{name: dev, context: {cluster: c, user: u}}]',
      'current-context: dev',
    ].join('\n'),
  )
  process.env.KUBECONFIG = f
  const m = resolveKubeconfig({}).merged
  assert.is((m.clusters[0]!.cluster as Record<string, string>)['certificate-authority'], join(dir, 'certs', 'ca.crt'))
  assert.is((m.users[0]!.user as Record<string, string>)['client-certificate'], join(dir, 'u.crt'))
  assert.is((m.users[0]!.user as Record<string, string>)['client-key'], '/abs/u.key')
})

test('an explicit context is used even when another is current; unknown → one line listing the known ones', () => {
  const a = file('a.yaml', { current: 'dev', ctx: 'dev', cluster: 'c', server: 'https://127.0.0.1:1' })
  process.env.KUBECONFIG = a
  assert.is(new Kube({ context: 'dev' }).contextName, 'dev')
  assert.throws(() => new Kube({ context: 'nope' }), (e: Error) => e.message === "context 'nope' is not in the kubeconfig (known: dev)")
})

test.run()
