/** tasks/lib/kube-rest.ts: which kubeconfigs it serves itself (else client-node), the paths of known kinds, and one call over HTTP. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ResolvedKubeconfig } from '../../../../tasks/lib/kubeconfig.ts'
import { collectionPath, objectPath, plainTarget, requestPath, restClient, RestError } from '../../../../tasks/lib/kube-rest.ts'

const b64 = (s: string) => Buffer.from(s).toString('base64')
const resolved = (user: Record<string, unknown>, cluster: Record<string, unknown> = { server: 'https://10.250.0.1:6443', 'certificate-authority-data': b64('CA') }): ResolvedKubeconfig => ({
  files: ['/k'],
  merged: { clusters: [{ name: 'c', cluster }], contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }], users: [{ name: 'u', user }] },
  context: 'ctx',
  server: cluster.server as string,
  namespace: 'default',
  known: true,
})

test('plainTarget: client cert and key as data or files, the CA, no token header', () => {
  const t = plainTarget(resolved({ 'client-certificate-data': b64('CERT'), 'client-key': '/pki/key.pem' }), (f) => Buffer.from(`file ${f}`))!
  assert.is(t.server, 'https://10.250.0.1:6443')
  assert.is(String(t.options.ca), 'CA')
  assert.is(String(t.options.cert), 'CERT')
  assert.is(String(t.options.key), 'file /pki/key.pem')
  assert.is(t.options.rejectUnauthorized, true)
  assert.equal(t.options.headers, {})
})

test('plainTarget: a token, or one read from tokenFile, as a bearer header; insecure-skip-tls-verify and tls-server-name kept', () => {
  const t = plainTarget(resolved({ token: 'abc' }, { server: 'https://h:6443', 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' }))!
  assert.equal(t.options.headers, { Authorization: 'Bearer abc' })
  assert.is(t.options.rejectUnauthorized, false)
  assert.is(t.options.servername, 'kubernetes')
  const f = plainTarget(resolved({ tokenFile: '/var/run/token' }), () => Buffer.from('from-file\n'))!
  assert.equal(f.options.headers, { Authorization: 'Bearer from-file' })
})

test('plainTarget: exec plugins, auth-providers, basic auth, impersonation and proxies are left to client-node (undefined)', () => {
  for (const user of [{ exec: { command: 'gke-gcloud-auth-plugin' } }, { 'auth-provider': { name: 'oidc' } }, { username: 'u', password: 'p' }, { token: 't', as: 'admin' }]) {
    assert.is(plainTarget(resolved(user)), undefined, JSON.stringify(Object.keys(user)))
  }
  assert.is(plainTarget(resolved({ token: 't' }, { server: 'https://h', 'proxy-url': 'http://proxy:3128' })), undefined)
  assert.is(plainTarget({ ...resolved({}), context: 'nope' }), undefined)
})

test('plainTarget: a file the kubeconfig names that cannot be read is an error naming it', () => {
  assert.throws(
    () => plainTarget(resolved({ 'client-certificate': '/gone.crt' }), () => { throw new Error('ENOENT') }),
    (e: Error) => e.message === 'cannot read client-certificate /gone.crt named in the kubeconfig: ENOENT',
  )
})

test('objectPath / collectionPath: the kinds the tutorial names; undefined for others (client-node discovers them)', () => {
  const ctxNs = () => 'hellogopher'
  assert.is(objectPath('v1', 'Secret', 'database-secrets', 'hellogopher', ctxNs), '/api/v1/namespaces/hellogopher/secrets/database-secrets')
  assert.is(objectPath('apps/v1', 'Deployment', 'mysql', undefined, ctxNs), '/apis/apps/v1/namespaces/hellogopher/deployments/mysql')
  assert.is(objectPath('v1', 'Namespace', 'hellogopher', undefined, () => assert.unreachable('not asked') as never), '/api/v1/namespaces/hellogopher')
  assert.is(objectPath('apps/v1beta1', 'Deployment', 'x', 'n', ctxNs), undefined)
  assert.is(objectPath('networking.k8s.io/v1', 'Ingress', 'x', 'n', ctxNs), undefined)
  assert.is(collectionPath('apps/v1', 'ReplicaSet', 'default'), '/apis/apps/v1/namespaces/default/replicasets')
  assert.is(collectionPath('apps/v1', 'ReplicaSet'), '/apis/apps/v1/replicasets')
  assert.is(collectionPath('v1', 'Node', 'ignored'), '/api/v1/nodes')
  assert.is(requestPath('/api/v1/pods', { labelSelector: 'app=x', limit: undefined, previous: false }), '/api/v1/pods?labelSelector=app%3Dx&previous=false')
})

test('restClient: JSON answers, text answers, a body with its content type; a non-2xx answer is a RestError with code and body', async () => {
  const seen: Array<{ method?: string; url?: string; type?: string; auth?: string; body: string }> = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], auth: req.headers.authorization, body })
      if (req.url?.startsWith('/missing')) return res.writeHead(404).end(JSON.stringify({ kind: 'Status', message: 'not found' }))
      if (req.url?.startsWith('/log')) return res.end('line 1\n')
      res.end(JSON.stringify({ ok: true }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  try {
    const rest = restClient(async () => ({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options: { headers: { Authorization: 'Bearer t' } } }))
    assert.equal(await rest({ path: '/api/v1/nodes', query: { limit: 1 } }), { ok: true })
    assert.is(await rest({ path: '/log', text: true }), 'line 1\n')
    await rest({ method: 'PATCH', path: '/apply', body: { a: 1 }, contentType: 'application/apply-patch+yaml' })
    try {
      await rest({ path: '/missing' })
      assert.unreachable()
    } catch (e) {
      assert.instance(e, RestError)
      assert.is((e as RestError).code, 404)
      assert.is((e as RestError).body, JSON.stringify({ kind: 'Status', message: 'not found' }))
    }
    assert.equal(seen.map((s) => [s.method, s.url, s.auth]), [['GET', '/api/v1/nodes?limit=1', 'Bearer t'], ['GET', '/log', 'Bearer t'], ['PATCH', '/apply', 'Bearer t'], ['GET', '/missing', 'Bearer t']])
    assert.equal([seen[2]!.type, seen[2]!.body], ['application/apply-patch+yaml', '{"a":1}'])
  } finally {
    server.close()
  }
})

test.run()
