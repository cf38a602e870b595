/** Lesson 4: `kubectl expose deployment hellogopher --type=NodePort --port=8080` and show its URL. Idempotent: skips when the NodePort Service exists. */
import { APP } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { KubernetesObject } from '../lib/kube.ts'
import { kubectl } from '../lib/kubectl.ts'
import { logTo, type Step } from '../lib/task.ts'

interface ServiceLike extends KubernetesObject {
  spec?: { type?: string; ports?: Array<{ port?: number; nodePort?: number }> }
}

export const expose = (deps: Deps): Step => ({
  title: `Expose deployment/${APP} on a NodePort (lesson 4)`,
  skip: async (ctx) => {
    const svc = await deps.kube().read<ServiceLike>({ apiVersion: 'v1', kind: 'Service', name: APP, namespace: ctx.namespace })
    if (!svc) return false
    const nodePort = svc.spec?.ports?.find((p) => p.nodePort)?.nodePort
    if (svc.spec?.type !== 'NodePort' || !nodePort) {
      // `kubectl expose` would fail with AlreadyExists; say what to do instead
      throw new Error(`service/${APP} in ${ctx.namespace} exists but is ${svc.spec?.type ?? 'not a NodePort'} — delete it (kubectl delete service ${APP} -n ${ctx.namespace}) and run again`)
    }
    return `service/${APP} already exposes ${APP} on NodePort ${nodePort}`
  },
  task: async (ctx, task) => {
    const log = logTo(task)
    await kubectl(deps, ['expose', 'deployment', APP, '--type=NodePort', '--port=8080', '-n', ctx.namespace], { log })
    if (ctx.dryRun) return
    const endpoint = await deps.provider.serviceUrl(deps.sh, deps.kube(), ctx.namespace, APP, log)
    await endpoint.close()
    log(endpoint.reopen ? `${APP} is reached through a tunnel: ${endpoint.reopen} opens it (keep it running)` : `${APP} answers at ${endpoint.url}`)
  },
})
