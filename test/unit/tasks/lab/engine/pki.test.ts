/** tasks/lab/engine/pki.ts: which certificates the lab issues, with which names, and what a complete PKI holds (pure parts; generatePki writes the lab's own state dir and is run by the e2e lab suite). */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseAllDocuments } from 'yaml'
import { ROOT } from '../../../../../tasks/lib/tutorial.ts'
import { certSpecs, FIRST_SERVICE_IP, NODE_NAME, pkiFiles, SERVICE_CIDR } from '../../../../../tasks/lab/engine/pki.ts'

const IP = '10.250.0.1'
const byName = (name: string) => certSpecs(IP).find((c) => c.name === name)!

test('the apiserver serves the names a client may use: kubernetes.default.svc…, localhost, the node IP and the first service IP', () => {
  const api = byName('apiserver')
  assert.is(api.usage, 'server')
  assert.is(api.ca, 'ca')
  for (const san of ['DNS:kubernetes', 'DNS:kubernetes.default.svc.cluster.local', 'DNS:localhost', 'IP:127.0.0.1', `IP:${IP}`, `IP:${FIRST_SERVICE_IP}`]) assert.ok(api.sans?.includes(san), san)
  // the first service IP is the first address of the service range (the apiserver's ClusterIP, kubernetes.default)
  assert.is(FIRST_SERVICE_IP, SERVICE_CIDR.replace(/\.0\/\d+$/, '.1'))
  assert.ok(certSpecs('192.168.7.7').find((c) => c.name === 'apiserver')!.sans!.includes('IP:192.168.7.7'))
})

test('client identities are the ones Kubernetes authorises by name: system:masters, system:node:<node>, the components', () => {
  assert.equal([byName('admin').cn, byName('admin').org], ['learn-k8s-admin', 'system:masters'])
  assert.equal([byName('kubelet').cn, byName('kubelet').org, byName('kubelet').usage], [`system:node:${NODE_NAME}`, 'system:nodes', 'both'])
  assert.ok(byName('kubelet').sans!.includes(`IP:${IP}`))
  assert.is(byName('controller-manager').cn, 'system:kube-controller-manager')
  assert.is(byName('scheduler').cn, 'system:kube-scheduler')
  assert.is(byName('kube-proxy').cn, 'system:kube-proxy')
  assert.is(byName('front-proxy-client').ca, 'front-proxy-ca')
  assert.ok(certSpecs(IP).filter((c) => c.name !== 'front-proxy-client').every((c) => c.ca === 'ca'))
})

test("metrics-server's certificate CN is the User its RBAC binding names (tasks/lab/manifests/metrics-server.yml)", () => {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'tasks/lab/manifests/metrics-server.yml'), 'utf8')).map((d) => d.toJS() as { kind?: string; subjects?: Array<{ kind: string; name: string }> })
  const users = docs.filter((d) => d?.kind === 'ClusterRoleBinding').flatMap((d) => d.subjects ?? []).filter((s) => s.kind === 'User').map((s) => s.name)
  assert.ok(users.length > 0, 'no User subject in the manifest')
  assert.ok(users.every((u) => u === byName('metrics-server').cn), users.join(', '))
})

test('pkiFiles: both CAs, the service-account key pair, and a .crt and .key for every certificate, each once', () => {
  const files = pkiFiles(IP)
  for (const f of ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.key', 'sa.pub']) assert.ok(files.includes(f), f)
  for (const c of certSpecs(IP)) assert.ok(files.includes(`${c.name}.crt`) && files.includes(`${c.name}.key`), c.name)
  assert.is(new Set(files).size, files.length)
  assert.is(files.length, 6 + 2 * certSpecs(IP).length)
})

test.run()
