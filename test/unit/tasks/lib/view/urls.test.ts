/**
 * tasks/lib/view/urls.ts: where this machine reaches each NodePort Service — the provider's answer (a URL, or an
 * endpoint closed at once), else a node's address and the NodePort; asked once per Service and NodePort; failures said once.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { V1Node, V1Service } from '@kubernetes/client-node'
import type { Provider } from '../../../../../tasks/lib/providers/types.ts'
import { urlOf, urlResolver } from '../../../../../tasks/lib/view/urls.ts'
import { fakeDeps, fakeKube, fakeProvider } from '../../../fakes.ts'
import { finalState } from '../../../fixtures/cluster-objects.ts'

const nodeWith = (...addresses: Array<{ type: string; address: string }>): V1Node => ({ status: { addresses } })
const service = (ns: string, name: string, type: string, nodePort?: number): V1Service => ({
  metadata: { namespace: ns, name },
  spec: { type, ports: [{ port: 8080, ...(nodePort ? { nodePort } : {}) }] },
})
const failing = (async () => Promise.reject(new Error('docker: not running\nmore detail'))) as unknown as Provider['serviceUrl']

test('urlOf: a string is the URL; an endpoint gives its url and is closed at once; an endpoint without url fails (closed all the same)', async () => {
  assert.is(await urlOf('http://10.250.0.1:31234'), 'http://10.250.0.1:31234')
  let closed = 0
  assert.is(await urlOf({ url: 'http://127.0.0.1:30080', close: async () => void closed++ }), 'http://127.0.0.1:30080')
  assert.is(closed, 1)
  assert.is(await urlOf({ url: 'http://127.0.0.1:30081' }), 'http://127.0.0.1:30081')
  try {
    await urlOf({ close: async () => void closed++ })
    assert.unreachable('an endpoint without url was taken')
  } catch (e) {
    assert.is((e as Error).message, 'the provider gave no URL')
  }
  assert.is(closed, 2)
  try {
    await urlOf(undefined)
    assert.unreachable('no answer was taken')
  } catch (e) {
    assert.is((e as Error).message, 'the provider gave no URL')
  }
})

test('URLs: the provider is asked once per NodePort Service (lab, kind, remote); minikube and a failing provider fall back to a node address', async () => {
  const services = finalState().services // hellogopher NodePort 31234, mysql ClusterIP, kubernetes
  const asked: string[] = []
  const node = { status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.49.2' }] } }
  // the provider's answer as a plain URL
  const answer = (async (_sh: unknown, _k: unknown, ns: string, name: string) => (asked.push(`${ns}/${name}`), 'http://10.250.0.1:31234')) as unknown as Provider['serviceUrl']
  const lab = fakeDeps({ provider: fakeProvider({ name: 'lab', serviceUrl: answer }), kube: fakeKube({ listNodes: async () => [node] }) })
  const r = urlResolver(lab)
  assert.equal([...(await r.resolveAll(services))], [['hellogopher/hellogopher', 'http://10.250.0.1:31234']])
  assert.equal([...r.urls(services)], [['hellogopher/hellogopher', 'http://10.250.0.1:31234']])
  assert.equal(asked, ['hellogopher/hellogopher'], 'asked again, or about a Service without a NodePort')

  // or as an endpoint to close afterwards: closed at once, nothing is kept open for a status line
  let closed = 0
  const endpoint = (async () => ({ url: 'http://127.0.0.1:30080', close: async () => void closed++ })) as unknown as Provider['serviceUrl']
  const kind = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'kind', serviceUrl: endpoint }), kube: fakeKube({}) }))
  assert.equal([...(await kind.resolveAll(services))], [['hellogopher/hellogopher', 'http://127.0.0.1:30080']])
  assert.is(closed, 1)

  const kubeM = fakeKube({ listNodes: async () => [node] })
  const never = (async () => assert.unreachable('minikube service --url must not run')) as unknown as Provider['serviceUrl']
  const mk = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'minikube', serviceUrl: never }), kube: kubeM }))
  assert.equal([...(await mk.resolveAll(services))], [['hellogopher/hellogopher', 'http://192.168.49.2:31234']])

  const broken = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'kind', serviceUrl: failing }), kube: fakeKube({ listNodes: async () => [node] }) }))
  assert.equal([...(await broken.resolveAll(services))], [['hellogopher/hellogopher', 'http://192.168.49.2:31234']])

  const none = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'kind', serviceUrl: failing }), kube: fakeKube({ listNodes: async () => [] }) }))
  assert.equal([...(await none.resolveAll(services))], [])
  assert.equal(none.problems(), ['no URL for service/hellogopher in hellogopher: no node reports an address'])
})

test('node fallback: an ExternalIP before an InternalIP; an IPv6 address in brackets; the nodes listed once for every Service', async () => {
  const kube = fakeKube({ listNodes: async () => [nodeWith({ type: 'InternalIP', address: '10.0.0.5' }, { type: 'ExternalIP', address: '203.0.113.7' })] })
  const r = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'minikube' }), kube }))
  const both = [service('a', 'web', 'NodePort', 30001), service('b', 'api', 'LoadBalancer', 30002)]
  assert.equal([...(await r.resolveAll(both))], [['a/web', 'http://203.0.113.7:30001'], ['b/api', 'http://203.0.113.7:30002']])
  assert.is(kube.calls.filter((c) => c.method === 'listNodes').length, 1)

  const v6 = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'minikube' }), kube: fakeKube({ listNodes: async () => [nodeWith({ type: 'InternalIP', address: 'fd00::5' })] }) }))
  assert.equal([...(await v6.resolveAll([service('a', 'web', 'NodePort', 30001)]))], [['a/web', 'http://[fd00::5]:30001']])
})

test('urls(): returns what is known at once, resolves the rest in the background and calls onResolved when each arrives', async () => {
  let release: (u: string) => void = () => {}
  const pending = new Promise<string>((r) => (release = r))
  const serviceUrl = (async () => pending) as unknown as Provider['serviceUrl']
  let resolved = 0
  let arrived: () => void = () => {}
  const arrival = new Promise<void>((r) => (arrived = r))
  const r = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'lab', serviceUrl }), kube: fakeKube({}) }), () => (resolved++, arrived()))
  const svcs = [service('a', 'web', 'NodePort', 30001)]
  assert.equal([...r.urls(svcs)], [], 'not known yet')
  release('http://10.250.0.1:30001')
  await arrival
  assert.is(resolved, 1)
  assert.equal([...r.urls(svcs)], [['a/web', 'http://10.250.0.1:30001']])
  assert.is(resolved, 1, 'a known URL is not asked again')
})

test('a Service whose NodePort changed is asked again; ClusterIP Services and ports without a NodePort are never asked', async () => {
  const asked: string[] = []
  const serviceUrl = (async (_sh: unknown, _k: unknown, ns: string, name: string) => (asked.push(`${ns}/${name}`), `http://x/${asked.length}`)) as unknown as Provider['serviceUrl']
  const r = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'lab', serviceUrl }), kube: fakeKube({}) }))
  await r.resolveAll([service('a', 'web', 'NodePort', 30001), service('a', 'db', 'ClusterIP'), service('a', 'np', 'NodePort')])
  assert.equal([...(await r.resolveAll([service('a', 'web', 'NodePort', 30009)]))], [['a/web', 'http://x/2']])
  assert.equal(asked, ['a/web', 'a/web'])
})

test('problems: one line per Service (the first line of the error); gone once a later NodePort of it resolves', async () => {
  let answers = 0
  const flaky = (async () => (++answers === 1 ? Promise.reject(new Error('docker: not running\nmore detail')) : 'http://10.250.0.1:30002')) as unknown as Provider['serviceUrl']
  const r = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'kind', serviceUrl: flaky }), kube: fakeKube({ listNodes: async () => [] }) }))
  assert.equal([...(await r.resolveAll([service('a', 'web', 'NodePort', 30001), service('b', 'web', 'NodePort', 30001)]))], [['b/web', 'http://10.250.0.1:30002']])
  assert.equal(r.problems(), ['no URL for service/web in a: no node reports an address'])
  assert.equal([...(await r.resolveAll([service('a', 'web', 'NodePort', 30002)]))], [['a/web', 'http://10.250.0.1:30002']])
  assert.equal(r.problems(), [])
})

test('minikube (node address only): a failed node read is the problem, its first line only', async () => {
  const r = urlResolver(fakeDeps({ provider: fakeProvider({ name: 'minikube' }), kube: fakeKube({ listNodes: async () => Promise.reject(new Error('list nodes: HTTP 403 forbidden\nsecond line')) }) }))
  assert.equal([...(await r.resolveAll([service('a', 'web', 'NodePort', 30001)]))], [])
  assert.equal(r.problems(), ['no URL for service/web in a: list nodes: HTTP 403 forbidden'])
})

test.run()
