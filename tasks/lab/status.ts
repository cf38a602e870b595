/** Report the lab cluster: each component's pid and health, the node, the kubeconfig. Reads only. */
import { existsSync } from 'node:fs'
import { command } from '../lib/command.ts'
import { spec } from '../lib/task.ts'
import { LAB_NODE_IP } from './engine/paths.ts'
import { ORDER } from './engine/components.ts'
import { dockerPing, CONTROLLER_MANAGER_HEALTH, ETCD_HEALTH, KUBELET_HEALTH, KUBE_PROXY_HEALTH, SCHEDULER_HEALTH, apiserverReadyz, metricsServerLivez, probe } from './engine/health.ts'
import { BIN_DIR, CONTAINERD_SOCK, DOCKER_SOCK, K8S_VERSION, KUBECONFIG } from './engine/paths.ts'
import { runningPid } from './engine/procs.ts'
import { apiServiceAvailability, labKube } from './engine/steps.ts'
import { isNodeReady, type Kube } from '../lib/kube.ts'
import type { V1APIService, V1Deployment } from '@kubernetes/client-node'
import { CLUSTER_DNS_IP } from './engine/coredns.ts'
import { NODE_NAME } from './engine/pki.ts'
import { METRICS_API } from '../lib/tutorial.ts'

const cmd = spec('tasks/lab/status.ts', 'Show whether each lab component runs and answers, and whether the node is Ready.')

const HEALTH: Partial<Record<(typeof ORDER)[number], () => Promise<boolean>>> = {
  etcd: async () => !!(await probe(ETCD_HEALTH)),
  containerd: async () => existsSync(CONTAINERD_SOCK),
  dockerd: () => dockerPing(DOCKER_SOCK),
  'kube-apiserver': async () => (await probe(apiserverReadyz(LAB_NODE_IP), { admin: true })) === 'ok',
  'kube-controller-manager': async () => (await probe(CONTROLLER_MANAGER_HEALTH)) === 'ok',
  'kube-scheduler': async () => (await probe(SCHEDULER_HEALTH)) === 'ok',
  kubelet: async () => (await probe(KUBELET_HEALTH)) === 'ok',
  'kube-proxy': async () => !!(await probe(KUBE_PROXY_HEALTH)),
  'metrics-server': async () => (await probe(metricsServerLivez(LAB_NODE_IP))) === 'ok',
}

/** What the report asks besides the lab's pid files and dirs: each component's probe, the cluster, where it writes (tests pass their own). */
export interface StatusDeps {
  health?: Partial<Record<(typeof ORDER)[number], () => Promise<boolean>>>
  kube?: () => Kube
  write?: (text: string) => void
}

/** Exit 0 when every component answers and the node is Ready, 1 otherwise. */
export async function labStatus({ health = HEALTH, kube: kubeOf = labKube, write = (t) => void process.stdout.write(t) }: StatusDeps = {}): Promise<number> {
  const rows = await Promise.all(
    ORDER.map(async (name) => {
      const pid = runningPid(name)
      const healthy = health[name] ? await health[name]!() : !!pid
      return { name, pid, healthy }
    }),
  )
  const out = [`lab cluster (Kubernetes ${K8S_VERSION}, binaries ${existsSync(BIN_DIR) ? BIN_DIR : 'not built'})`]
  for (const r of rows) out.push(`  ${r.name.padEnd(24)} ${r.pid ? `pid ${String(r.pid).padEnd(8)}` : 'not started by lab'.padEnd(12)} ${r.healthy ? 'answers' : 'DOWN'}`)
  let ready = false
  let dnsReady = false
  if (rows.find((r) => r.name === 'kube-apiserver')?.healthy) {
    const kube = kubeOf()
    const node = await kube.readNode(NODE_NAME)
    ready = isNodeReady(node)
    out.push(`  node ${NODE_NAME}: ${node ? (ready ? 'Ready' : 'NotReady') : 'not registered'}`)
    const api = await kube.read<V1APIService>({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: METRICS_API })
    out.push(`  ${apiServiceAvailability(api).message}`)
    const dns = await kube.read<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' })
    dnsReady = (dns?.status?.readyReplicas ?? 0) >= 1
    out.push(`  cluster DNS: ${dns ? `deployment/coredns ${dns.status?.readyReplicas ?? 0}/${dns.spec?.replicas ?? 1} ready` : 'coredns not deployed'}, service/kube-dns ${CLUSTER_DNS_IP}`)
  }
  out.push(`  kubeconfig: ${KUBECONFIG}${existsSync(KUBECONFIG) ? '' : ' (not written yet)'}`)
  write(`${out.join('\n')}\n`)
  return rows.every((r) => r.healthy) && ready && dnsReady ? 0 : 1
}

await command({ spec: cmd, guard: false, run: () => labStatus() }).mainIf(import.meta.url)
