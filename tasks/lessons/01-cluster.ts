/** Lesson 1, the cluster: `minikube start` (or the lab), then `kubectl get nodes` shows one node, Ready. */
import { NAMESPACE } from '../lib/context.ts'
import { isNodeReady, NODE_READY_TIMEOUT_MS, startCluster, waitForNodeReady } from '../start-cluster.ts'
import { look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

export const lesson: Lesson = {
  number: 1,
  name: 'cluster',
  title: 'Cluster',
  summary: 'the cluster starts; kubectl get nodes shows one node, Ready',
  observable: 'one node, Ready',
  namespace: NAMESPACE,
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
