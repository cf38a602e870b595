/** Lesson 1: start the provider's cluster (`minikube start`, or the lab) and wait for a Ready node. Idempotent: skips when it runs. */
import type { Deps } from '../lib/run.ts'
import { isNodeReady, readyCondition, type Kube, type V1Node } from '../lib/kube.ts'
import { logTo, type Step } from '../lib/task.ts'

export const NODE_READY_TIMEOUT_MS = 180_000

function nodeSummary(n: V1Node | undefined): string {
  if (!n) return 'no node registered yet'
  const ready = readyCondition(n)
  return `node/${n.metadata?.name} Ready=${ready?.status ?? 'Unknown'}${ready?.reason ? ` (${ready.reason})` : ''}`
}

/** Watch nodes until one is Ready (the tutorial's `kubectl get nodes` showing `Ready`). */
export function waitForNodeReady(kube: Kube, timeoutMs: number, onProgress?: (line: string) => void): Promise<V1Node> {
  return kube.watchUntil<V1Node, V1Node>(
    '/api/v1/nodes',
    {},
    (n, phase) => {
      if (phase === 'DELETED') return undefined
      onProgress?.(nodeSummary(n))
      return isNodeReady(n) ? n : undefined
    },
    { timeoutMs, what: 'a node to be Ready', describe: nodeSummary },
  )
}

export const startCluster = (deps: Deps, opts: { timeoutMs?: number } = {}): Step => ({
  title: `Start the ${deps.provider.name} cluster (lesson 1)`,
  skip: async () => {
    const s = await deps.provider.status(deps.sh)
    return s.running ? `already running — ${s.detail}` : false
  },
  task: async (ctx, task) => {
    const log = logTo(task)
    await deps.provider.start(deps.sh, log)
    if (ctx.dryRun) return
    const kube = deps.kube()
    log(`apiserver ${await kube.ping()} answers at ${kube.server}`)
    const node = await waitForNodeReady(kube, opts.timeoutMs ?? NODE_READY_TIMEOUT_MS, log)
    log(`node/${node.metadata?.name} is Ready`)
  },
})
