/** Lesson 1, the cluster: `minikube start` (or the lab), then `kubectl get nodes` shows one node, Ready. */
import { NAMESPACE } from '../lib/tutorial.ts'
import { NODE_READY_TIMEOUT_MS, startCluster, waitForNodeReady } from '../steps/start-cluster.ts'
import { look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { isNodeReady, type KubernetesObject, type NodeLike } from '../lib/kube.ts'
import { fail, pass, type Check } from './check.ts'
import type { Explanation } from './explain.ts'

/** --check: one node, Ready (a read of the node list). */
export const checks: Check[] = [
  {
    observable: 'one node, Ready',
    hint: 'start the cluster (minikube start; kind create cluster; the lab: npx tsx tasks/lab/up.ts), then look at STATUS in kubectl get nodes',
    wait: { seconds: 60, what: 'the node to be Ready' },
    async check(d) {
      const nodes = await d.list<KubernetesObject & NodeLike>('v1', 'Node')
      const ready = nodes.filter(isNodeReady)
      if (nodes.length === 1 && ready.length === 1) return pass(`node/${nodes[0]!.metadata?.name} Ready`)
      return fail(`${nodes.length} nodes, ${ready.length} Ready`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'minikube start   (--driver=docker where it needs one)', does: ["Creates a one-node cluster and makes it kubectl's current context.", 'Look for "Done! kubectl is now configured"; kind: kind create cluster; here: npx tsx tasks/lab/up.ts.'] },
    { run: 'kubectl get nodes', does: ['Lists the machines of the cluster: one node.', 'Look at STATUS: Ready means the kubelet runs pods there.'] },
  ],
  next: 'build the app where the cluster can find it — npx tsx tasks/lesson.ts 2 --explain',
}

export const lesson: Lesson = {
  number: 1,
  name: 'cluster',
  title: 'Cluster',
  summary: 'the cluster starts; kubectl get nodes shows one node, Ready',
  observable: 'one node, Ready',
  namespace: NAMESPACE,
  checks,
  explain,
  steps: (deps) => [
    startCluster(deps),
    observe(deps, {
      title: 'the nodes (kubectl get nodes)',
      expect: 'one node, Ready',
      looks: [['get', 'nodes']],
      async check(_ctx, log) {
        const kube = deps.kube()
        await waitForNodeReady(kube, NODE_READY_TIMEOUT_MS)
        await look(deps, log, ['get', 'nodes'])
        const nodes = await kube.listNodes()
        const ready = nodes.filter(isNodeReady)
        if (nodes.length !== 1 || ready.length !== 1) {
          throw new NotSeen('one node, Ready', `${nodes.length} nodes, ${ready.length} Ready (${nodes.map((n) => n.metadata?.name).join(', ')})`)
        }
        return `one node, node/${nodes[0]!.metadata?.name}, Ready`
      },
    }),
  ],
}
