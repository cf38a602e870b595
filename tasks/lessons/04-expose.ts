/**
 * Lesson 4, expose: `kubectl expose deployment hellogopher --type=NodePort --port=8080`, then the app answers
 * `Hello gopher` through the NodePort (`minikube service hellogopher`).
 */
import { APP } from '../lib/context.ts'
import type { KubernetesObject } from '../lib/kube.ts'
import { expose } from '../expose.ts'
import { LEFTOVER_NAMESPACE } from '../teardown.ts'
import { EXPECTED_BODY, httpUntil, VERIFY_TIMEOUT_MS } from '../up.ts'
import { applyLesson, clusterWithImages, labelled, note, reset } from './common.ts'
import { look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

const NS = LEFTOVER_NAMESPACE
type ServiceLike = KubernetesObject & { spec?: { type?: string; ports?: Array<{ port?: number; nodePort?: number }> } }

export const lesson: Lesson = {
  number: 4,
  name: 'expose',
  title: 'Expose',
  summary: 'a NodePort Service (30000–32767) in front of hellogopher; GET through it answers "Hello gopher"',
  observable: 'a NodePort in 30000–32767; an HTTP GET through it returns Hello gopher',
  namespace: NS,
  steps: (deps) => [
    ...clusterWithImages(deps, ['1.0']),
    ...reset(deps),
    labelled('Setup (lesson 3)', applyLesson(deps, '03-hellogopher.yml')),
    expose(deps),
    observe(deps, {
      title: `the Service and the app through it (kubectl get service ${APP}; minikube service ${APP} --url)`,
      expect: `a NodePort in 30000–32767 that answers "${EXPECTED_BODY}"`,
      looks: [['get', 'service', APP, '-n', NS]],
      async check(_ctx, log) {
        const svc = await deps.kube().read<ServiceLike>({ apiVersion: 'v1', kind: 'Service', name: APP, namespace: NS })
        await look(deps, log, ['get', 'service', APP, '-n', NS])
        const nodePort = svc?.spec?.ports?.find((p) => p.nodePort)?.nodePort
        if (svc?.spec?.type !== 'NodePort' || !nodePort) throw new NotSeen('a NodePort Service', svc ? `service/${APP} of type ${svc.spec?.type}` : `no service/${APP}`)
        if (nodePort < 30000 || nodePort > 32767) throw new NotSeen('a NodePort in 30000–32767', `nodePort ${nodePort}`)
        const endpoint = await deps.provider.serviceUrl(deps.sh, deps.kube(), NS, APP, log)
        try {
          const r = await httpUntil(endpoint.url, EXPECTED_BODY, VERIFY_TIMEOUT_MS, undefined, log)
          log(`GET ${endpoint.url} → ${r.status} ${r.body.trim()}`)
          return `NodePort ${nodePort}; GET ${endpoint.url} → ${r.status} ${r.body.trim()}`
        } finally {
          await endpoint.close()
        }
      },
    }),
    note('Next, the article deletes the Deployment (kubectl delete deployment hellogopher)', [
      'lesson 5 starts by deleting what this lesson made, then creates the Deployment again',
    ]),
  ],
}
