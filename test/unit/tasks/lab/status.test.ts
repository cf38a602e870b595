/** tasks/lab/status.ts: the lab report (pids from temp lab dirs, injected probes and a fake cluster; no real port or cluster is asked) and its exit code. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { V1APIService, V1Deployment, V1Node } from '@kubernetes/client-node'
import { assertLabDirs, fakeKube, labTempDirs } from '../../fakes.ts'

const dirs = labTempDirs('lab-status-test')
const paths = await import('../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const { labStatus } = await import('../../../../tasks/lab/status.ts')
const { ORDER } = await import('../../../../tasks/lab/engine/components.ts')
const { NODE_NAME } = await import('../../../../tasks/lab/engine/pki.ts')
const { CLUSTER_DNS_IP } = await import('../../../../tasks/lab/engine/coredns.ts')

test.after(() => dirs.cleanup())

type Name = (typeof ORDER)[number]
/** A probe per component: those named in `down` fail. */
const probes = (down: Name[] = []) => Object.fromEntries(ORDER.map((n) => [n, async () => !down.includes(n)])) as Record<Name, () => Promise<boolean>>

const node = (ready: boolean): V1Node => ({ metadata: { name: NODE_NAME }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } })
const apiService: V1APIService = { metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { groupPriorityMinimum: 100, versionPriority: 100 }, status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed' }] } }
const coredns = (ready: number): V1Deployment => ({ metadata: { name: 'coredns', namespace: 'kube-system' }, spec: { replicas: 1, selector: {}, template: {} }, status: { readyReplicas: ready } })

/** A cluster answering the report's three reads. */
function cluster(o: { node?: V1Node; dns?: V1Deployment }) {
  return fakeKube({
    readNode: async (name: string) => (name === NODE_NAME ? o.node : undefined),
    read: async (ref: { kind: string }) => (ref.kind === 'APIService' ? apiService : ref.kind === 'Deployment' ? o.dns : undefined),
  })
}

async function report(deps: Parameters<typeof labStatus>[0]): Promise<{ rc: number; lines: string[] }> {
  let text = ''
  const rc = await labStatus({ ...deps, write: (t) => (text += t) })
  return { rc, lines: text.trimEnd().split('\n') }
}

test('everything answers, the node is Ready and CoreDNS has a ready replica → exit 0, and the report says so line by line', async () => {
  const kube = cluster({ node: node(true), dns: coredns(1) })
  const { rc, lines } = await report({ health: probes(), kube: () => kube })
  assert.is(rc, 0)
  assert.is(lines[0], `lab cluster (Kubernetes ${paths.K8S_VERSION}, binaries not built)`)
  assert.is(lines.length, 1 + ORDER.length + 4)
  ORDER.forEach((n, i) => assert.match(lines[i + 1]!, new RegExp(`^  ${n} +not started by lab +answers$`)))
  assert.equal(lines.slice(-4), [
    `  node ${NODE_NAME}: Ready`,
    '  apiservice/v1beta1.metrics.k8s.io Available=True (Passed)',
    `  cluster DNS: deployment/coredns 1/1 ready, service/kube-dns ${CLUSTER_DNS_IP}`,
    `  kubeconfig: ${paths.KUBECONFIG} (not written yet)`,
  ])
})

test('a component that does not answer → DOWN and exit 1', async () => {
  const kube = cluster({ node: node(true), dns: coredns(1) })
  const { rc, lines } = await report({ health: probes(['kubelet']), kube: () => kube })
  assert.is(rc, 1)
  assert.match(lines.find((l) => l.startsWith('  kubelet '))!, /DOWN$/)
})

test('the apiserver down → the cluster is not asked at all', async () => {
  const { rc, lines } = await report({ health: probes(['kube-apiserver']), kube: () => fakeKube({}) })
  assert.is(rc, 1)
  assert.not.ok(lines.some((l) => l.includes('node ') || l.includes('cluster DNS')), lines.join('\n'))
})

test('node NotReady, or CoreDNS without a ready replica → exit 1; a node not registered and CoreDNS not deployed are named', async () => {
  const notReady = await report({ health: probes(), kube: () => cluster({ node: node(false), dns: coredns(1) }) })
  assert.is(notReady.rc, 1)
  assert.ok(notReady.lines.includes(`  node ${NODE_NAME}: NotReady`))
  const noDns = await report({ health: probes(), kube: () => cluster({ node: node(true), dns: coredns(0) }) })
  assert.is(noDns.rc, 1)
  assert.ok(noDns.lines.some((l) => l.startsWith('  cluster DNS: deployment/coredns 0/1 ready')))
  const empty = await report({ health: probes(), kube: () => cluster({}) })
  assert.is(empty.rc, 1)
  assert.ok(empty.lines.includes(`  node ${NODE_NAME}: not registered`))
  assert.ok(empty.lines.some((l) => l.startsWith('  cluster DNS: coredns not deployed')))
})

/** This test process stands for a running etcd: its pid file names it, with its program. */
function etcdIsThisProcess(): void {
  mkdirSync(join(dirs.run, 'pids'), { recursive: true })
  writeFileSync(join(dirs.run, 'pids', 'etcd.pid'), `${process.pid}\n`)
  writeFileSync(join(dirs.run, 'pids', 'etcd.pid.bin'), `${process.execPath}\n`)
}

test('a process the lab started shows its pid; built binaries and a written kubeconfig are reported as there', async () => {
  etcdIsThisProcess()
  mkdirSync(paths.BIN_DIR, { recursive: true })
  mkdirSync(dirs.state, { recursive: true })
  writeFileSync(paths.KUBECONFIG, 'apiVersion: v1\n')
  const { lines } = await report({ health: probes(), kube: () => cluster({ node: node(true), dns: coredns(1) }) })
  assert.is(lines[0], `lab cluster (Kubernetes ${paths.K8S_VERSION}, binaries ${paths.BIN_DIR})`)
  assert.match(lines.find((l) => l.startsWith('  etcd '))!, new RegExp(`^  etcd +pid ${process.pid} +answers$`))
  assert.is(lines[lines.length - 1], `  kubeconfig: ${paths.KUBECONFIG}`)
})

test('without a probe, a component counts as answering when the lab started it', async () => {
  const health = probes()
  delete (health as Partial<Record<Name, unknown>>).etcd
  delete (health as Partial<Record<Name, unknown>>).containerd
  etcdIsThisProcess()
  const { lines } = await report({ health, kube: () => cluster({ node: node(true), dns: coredns(1) }) })
  // etcd's pid file names a live process of its program; containerd has none
  assert.match(lines.find((l) => l.startsWith('  etcd '))!, /answers$/)
  assert.match(lines.find((l) => l.startsWith('  containerd '))!, /not started by lab +DOWN$/)
})

test.run()
