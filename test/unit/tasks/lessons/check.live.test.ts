/**
 * The read-only CheckDeps of a real --check (tasks/lessons/check.ts liveCheckDeps) against a small HTTP server
 * on 127.0.0.1 that answers like the API server: the requests it makes are GETs only, with the right paths and
 * query (label selector, previous log), a 404 reads as absent, and the kubeconfig's context namespace is read.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KubeConfig } from '@kubernetes/client-node'
import { ROOT } from '../../../../tasks/lib/tutorial.ts'
import { Kube } from '../../../../tasks/lib/kube.ts'
import { liveCheckDeps } from '../../../../tasks/lessons/check.ts'
import { fakeDeps, fakeProvider, fakeShell } from '../../fakes.ts'

const seen: Array<{ method: string; url: string }> = []
let lesson3Done = false
let server: Server
let base = ''

function answer(req: IncomingMessage): { status: number; body: unknown } {
  const url = new URL(req.url ?? '/', 'http://x')
  const p = url.pathname
  if (p === '/apis/apps/v1') return { status: 200, body: { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [{ name: 'replicasets', kind: 'ReplicaSet', namespaced: true, verbs: ['get', 'list'] }, { name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['get', 'list'] }] } }
  if (p === '/api/v1') return { status: 200, body: { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'nodes', kind: 'Node', namespaced: false, verbs: ['get', 'list'] }, { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['get', 'list'] }] } }
  if (p === '/apis/apps/v1/namespaces/default/replicasets') return { status: 200, body: { kind: 'ReplicaSetList', apiVersion: 'apps/v1', metadata: {}, items: [{ metadata: { name: `rs-for-${url.searchParams.get('labelSelector')}` } }] } }
  if (p === '/api/v1/nodes') return { status: 200, body: { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'lab' } }] } }
  if (p === '/version') return { status: 200, body: { gitVersion: 'v1.34.4' } }
  if (p === '/apis/apps/v1/namespaces/default/deployments/hellogopher') {
    if (!lesson3Done) return { status: 404, body: { kind: 'Status', code: 404, message: 'deployments.apps "hellogopher" not found' } }
    return { status: 200, body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hellogopher', namespace: 'default' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'hellogopher', image: 'programmingpercy/hellogopher:1.0', ports: [{ containerPort: 8080 }] }] } } } } }
  }
  if (p === '/api/v1/namespaces/default/pods' && lesson3Done) {
    return { status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'hellogopher-x', namespace: 'default', labels: { app: 'hellogopher' } }, spec: { containers: [{ name: 'hellogopher', image: 'programmingpercy/hellogopher:1.0' }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'hellogopher', ready: true, restartCount: 0, image: '', imageID: '', state: { running: {} } }] } }] } }
  }
  if (p === '/api/v1/namespaces/default/pods') return { status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: `pod-for-${url.searchParams.get('labelSelector')}` } }] } }
  if (p === '/api/v1/namespaces/default/events') return { status: 200, body: { kind: 'EventList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'e1' }, reason: 'Unhealthy', involvedObject: { kind: 'Pod', name: 'p' } }] } }
  if (p === '/api/v1/namespaces/default/pods/p/log') return { status: 200, body: `log of ${url.searchParams.get('container')}${url.searchParams.get('previous') === 'true' ? ' (previous)' : ''}` }
  return { status: 404, body: { kind: 'Status', code: 404, message: `no ${p}` } }
}

test.before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '?', url: req.url ?? '' })
    const { status, body } = answer(req)
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' })
    res.end(text)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

test.after(() => {
  server.close()
})

function deps() {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'local', server: base, skipTLSVerify: true }],
    users: [{ name: 'me' }],
    contexts: [{ name: 'learn', cluster: 'local', user: 'me', namespace: 'hellogopher' }],
    currentContext: 'learn',
  })
  const kube = new Kube(kc)
  return liveCheckDeps(fakeDeps({ kube }))
}

test('list: namespaced and cluster-wide kinds, with the label selector in the query', async () => {
  const d = deps()
  const rs = await d.list('apps/v1', 'ReplicaSet', 'default', 'app=hellogopher')
  assert.equal(rs.map((o) => o.metadata?.name), ['rs-for-app=hellogopher'])
  const nodes = await d.list('v1', 'Node')
  assert.equal(nodes.map((o) => o.metadata?.name), ['lab'])
  const pods = await d.pods('default', 'app=hellogopher')
  assert.equal(pods.map((o) => o.metadata?.name), ['pod-for-app=hellogopher'])
})

test('read: a 404 is absent (undefined), not an error; events and logs (current and previous)', async () => {
  const d = deps()
  assert.is(await d.read({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'hellogopher', namespace: 'default' }), undefined)
  assert.equal((await d.events('default')).map((e) => e.reason), ['Unhealthy'])
  assert.is(await d.log('default', 'p', 'hellogopher'), 'log of hellogopher')
  assert.is(await d.log('default', 'p', 'hellogopher', true), 'log of hellogopher (previous)')
  assert.is(d.contextNamespace(), 'hellogopher')
})

test('every request a check made was a GET', () => {
  assert.ok(seen.length >= 7, JSON.stringify(seen))
  assert.equal([...new Set(seen.map((r) => r.method))], ['GET'])
})

test('the command as a learner runs it, against that server: lesson 3 not done → exit 1 with the hint; done → exit 0; GETs only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-live-'))
  const kubeconfig = join(dir, 'config')
  writeFileSync(kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'local', cluster: { server: base, 'insecure-skip-tls-verify': true } }], users: [{ name: 'me', user: {} }], contexts: [{ name: 'learn', context: { cluster: 'local', user: 'me' } }], 'current-context': 'learn' }), { mode: 0o600 })
  const run = (args: string[]) =>
    promisify(execFile)('npx', ['tsx', 'tasks/lesson.ts', ...args], { cwd: ROOT, env: { ...process.env, KUBECONFIG: kubeconfig } }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    )
  try {
    seen.length = 0
    lesson3Done = false
    const missing = await run(['3', '--check', '--provider', 'remote'])
    assert.is(missing.code, 1, JSON.stringify(missing))
    assert.match(missing.stdout, /^✔ {2}the cluster answers — Kubernetes v1\.34\.4$/m)
    assert.match(missing.stdout, /^✘ {2}deployment\/hellogopher exists in default — saw: no deployment\/hellogopher in default\n {3}hint: kubectl create -f hellogopher\.yml/m)
    assert.match(missing.stdout, /^– {2}the hellogopher pod Running \(1\/1\) — not waited for: fix the ✘ above first \(now: pod\/pod-for-app=hellogopher Unknown 0\/0 ready, 0 restarts\)$/m)
    lesson3Done = true
    const done = await run(['3', '--check', '--provider', 'remote'])
    assert.is(done.code, 0, done.stdout)
    assert.match(done.stdout, /^✔ lesson 3: all 4 checks passed \(\d+\.\d s\)$/m)
    assert.equal([...new Set(seen.map((r) => r.method))], ['GET'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('imageBuilt: the provider\'s in-process docker read when it has one; else docker image inspect, "No such image" → false, a daemon down → an error', async () => {
  const found = liveCheckDeps(fakeDeps({ provider: fakeProvider({ inspectImage: async (image) => (image === 'programmingpercy/hellogopher:1.0' ? { id: 'sha256:1', labels: {} } : undefined) }) }))
  assert.is(await found.imageBuilt('programmingpercy/hellogopher:1.0'), true)
  assert.is(await found.imageBuilt('programmingpercy/hellogopher:9.9'), false)
  const sh = fakeShell({ reply: (c) => (c.args.includes('programmingpercy/hellogopher:1.0') ? { stdout: '{"a":"b"}' } : c.args.includes('down') ? { exitCode: 1, stderr: 'Cannot connect to the Docker daemon' } : { exitCode: 1, stderr: 'Error: No such image: x' }) })
  const viaDocker = liveCheckDeps(fakeDeps({ sh, provider: fakeProvider({ name: 'kind' }) }))
  assert.is(await viaDocker.imageBuilt('programmingpercy/hellogopher:1.0'), true)
  assert.is(await viaDocker.imageBuilt('programmingpercy/hellogopher:9.9'), false)
  try {
    await viaDocker.imageBuilt('down')
    assert.unreachable('a docker that does not answer is not "no image"')
  } catch (e) {
    assert.match((e as Error).message, /Cannot connect to the Docker daemon/)
  }
  // reads only: every docker call was an inspect
  assert.ok(sh.calls.every((c) => c.bin === 'docker' && c.args[0] === 'image' && c.args[1] === 'inspect'), JSON.stringify(sh.calls.map((c) => c.line)))
})

test.run()
