/**
 * Lesson 4, expose: `kubectl expose deployment hellogopher --type=NodePort --port=8080`, then the app answers
 * `Hello gopher` through the NodePort (`minikube service hellogopher`).
 */
import { APP, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import type { KubernetesObject } from '../lib/kube.ts'
import { expose } from '../steps/expose.ts'
import { EXPECTED_BODY, httpUntil, VERIFY_TIMEOUT_MS } from '../steps/verify-hello.ts'
import { applyLesson, clusterWithImages, labelled, note, reset } from './common.ts'
import { look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { answersThroughNodePort, nodePortService, type Check } from './check.ts'
import type { Explanation } from './explain.ts'

const NS = LEFTOVER_NAMESPACE
type ServiceLike = KubernetesObject & { spec?: { type?: string; ports?: Array<{ port?: number; nodePort?: number }> } }

/** --check: the NodePort Service and the app answering through it (run it before the article deletes the Deployment). */
export const checks: Check[] = [
  nodePortService(NS, 'kubectl expose deployment hellogopher … — look at TYPE and PORT(S) in kubectl get service hellogopher'),
  answersThroughNodePort(NS, 'minikube service hellogopher --url prints the URL (the lab: http://10.250.0.1:<nodePort>); the Deployment must still run — check before the article\'s kubectl delete deployment hellogopher'),
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl expose deployment hellogopher --type=NodePort --port=8080', does: ["Makes a Service that selects the Deployment's pods and opens a port (30000–32767) on every node.", 'Look at kubectl get service hellogopher: TYPE NodePort, PORT(S) 8080:3xxxx/TCP.'] },
    { run: 'minikube service hellogopher', does: ['Opens the NodePort URL in a browser (--url just prints it); curl it: "Hello gopher".', 'Elsewhere the URL is the node IP and the NodePort (the lab: http://10.250.0.1:<nodePort>).'] },
    { run: 'kubectl delete deployment hellogopher', does: ['The article cleans up: the pods go, the Service stays (it selects nothing now).', 'Run npx tsx tasks/lesson.ts 4 --check BEFORE this step; lesson 5 creates the Deployment again.'] },
  ],
  next: 'see how the Service found the pods: labels and selectors — npx tsx tasks/lesson.ts 5 --explain',
}

export const lesson: Lesson = {
  number: 4,
  name: 'expose',
  title: 'Expose',
  summary: 'a NodePort Service (30000–32767) in front of hellogopher; GET through it answers "Hello gopher"',
  observable: 'a NodePort in 30000–32767; an HTTP GET through it returns Hello gopher',
  namespace: NS,
  checks,
  explain,
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
