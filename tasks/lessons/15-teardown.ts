/**
 * Lesson 15, teardown: from the tutorial's final state, delete what it made (namespace hellogopher and what
 * early lessons leave in default), restore the kubectl context's namespace. `npx tsx tasks/teardown.ts
 * --stop-cluster` also stops the cluster; this lesson leaves it running.
 */
import { APP, NAMESPACE, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import { LEFTOVERS, teardown } from '../steps/teardown.ts'
import { expose } from '../steps/expose.ts'
import { useNamespace } from '../steps/use-namespace.ts'
import { applyFinal, clearOldPods, clusterWithImages, DEMO_PODS, labelled, reset } from './common.ts'
import { look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { fail, failNow, livePods, pass, type Check } from './check.ts'
import type { Explanation } from './explain.ts'

const NS = NAMESPACE

/** --check: the namespace gone, nothing of the tutorial in default, the context's namespace restored. */
export const checks: Check[] = [
  {
    observable: `namespace ${NS} gone (and everything in it)`,
    hint: 'kubectl delete namespace … deletes a namespace and all it holds — look at kubectl get namespaces',
    wait: { seconds: 90, what: `namespace ${NS} to finish deleting` },
    async check(d) {
      const ns = await d.read({ apiVersion: 'v1', kind: 'Namespace', name: NS })
      if (!ns) return pass(`no namespace/${NS}`)
      return ns.metadata?.deletionTimestamp ? fail(`namespace/${NS} is still Terminating`) : failNow(`namespace/${NS} exists`)
    },
  },
  {
    observable: `nothing of the tutorial left in ${LEFTOVER_NAMESPACE}`,
    hint: `kubectl get all,configmaps,secrets -n ${LEFTOVER_NAMESPACE} — delete what lessons 3–9 left there`,
    async check(d) {
      const left: string[] = []
      for (const { apiVersion, kind, names } of [...LEFTOVERS, { apiVersion: 'v1', kind: 'Pod', names: [...DEMO_PODS] }]) {
        for (const name of names) if (await d.read({ apiVersion, kind, name, namespace: LEFTOVER_NAMESPACE })) left.push(`${kind.toLowerCase()}/${name}`)
      }
      left.push(...(await livePods(d, LEFTOVER_NAMESPACE, `app=${APP}`)).map((p) => `pod/${p.metadata?.name}`))
      return left.length ? fail(`still in ${LEFTOVER_NAMESPACE}: ${left.join(', ')}`) : pass(`nothing of the tutorial in ${LEFTOVER_NAMESPACE}`)
    },
  },
  {
    observable: "the kubectl context's namespace restored",
    hint: 'kubectl config set-context --current --namespace=default — look at kubectl config view --minify',
    async check(d) {
      const ns = d.contextNamespace()
      return ns === NS ? fail(`the context still points at ${NS}`) : pass(`context namespace ${ns}`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl delete namespace hellogopher', does: ['Deletes the namespace and everything in it: Deployments, Services, the ConfigMap, the Secret, their pods.', 'kubectl get namespaces shows it Terminating for a few seconds, then gone.'] },
    { run: 'kubectl get all,configmaps,secrets -n default', does: ['What lessons 3–9 made in default (a Deployment, a Service, demo pods): delete what is left there.', 'Only service/kubernetes and configmap/kube-root-ca.crt should be left.'] },
    { run: 'kubectl config set-context --current --namespace=default', does: ['Plain kubectl commands look in default again.', 'Look at kubectl config view --minify: no namespace: hellogopher any more.'] },
    { run: 'minikube stop    (optional; minikube delete removes the cluster)', does: ['Stops the cluster and keeps it for next time. The lab: npx tsx tasks/lab/down.ts.', 'Look at minikube status: host Stopped.'] },
  ],
  next: 'do it all again in one command: npx tsx tasks/up.ts — or pick any lesson: npx tsx tasks/lesson.ts N --reset',
}

export const lesson: Lesson = {
  number: 15,
  name: 'teardown',
  title: 'Teardown',
  summary: "from the final state, everything the tutorial made is deleted and the context's namespace restored",
  observable: 'nothing of the tutorial is left; the kubectl context namespace is restored',
  namespace: NS,
  checks,
  explain,
  steps: (deps) => [
    ...clusterWithImages(deps, ['5.0']),
    ...reset(deps),
    ...[applyFinal(deps), useNamespace(deps), expose(deps)].map((s) => labelled('Setup (the final state, as up.ts)', s)),
    teardown(deps),
    clearOldPods(deps),
    observe(deps, {
      title: 'what is left (kubectl get namespaces; kubectl get all -n default; kubectl config view --minify)',
      expect: `no namespace ${NS}, nothing of the tutorial in ${LEFTOVER_NAMESPACE}, the context namespace restored`,
      looks: [['get', 'namespaces'], ['get', 'all,configmaps,secrets', '-n', LEFTOVER_NAMESPACE], ['config', 'view', '--minify', '-o', 'jsonpath={..namespace}']],
      async check(_ctx, log) {
        const kube = deps.kube()
        await look(deps, log, ['get', 'namespaces'])
        await look(deps, log, ['get', 'all', '-n', LEFTOVER_NAMESPACE])
        const left: string[] = []
        if (await kube.read({ apiVersion: 'v1', kind: 'Namespace', name: NS })) left.push(`namespace/${NS}`)
        for (const { apiVersion, kind, names } of [...LEFTOVERS, { apiVersion: 'v1', kind: 'Pod', names: [...DEMO_PODS] }]) {
          for (const name of names) if (await kube.read({ apiVersion, kind, name, namespace: LEFTOVER_NAMESPACE })) left.push(`${kind.toLowerCase()}/${name} in ${LEFTOVER_NAMESPACE}`)
        }
        const pods = await kube.listPods(LEFTOVER_NAMESPACE, `app=${APP}`)
        left.push(...pods.map((p) => `pod/${p.metadata?.name} in ${LEFTOVER_NAMESPACE}`))
        if (left.length) throw new NotSeen('nothing of the tutorial left', left.join(', '))
        const r = await look(deps, log, ['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'], { allowFail: true })
        const ns = kube.contextNamespace
        if (ns === NS) throw new NotSeen('the context namespace restored', `it is still ${NS}`)
        return `nothing of the tutorial is left; the context namespace is ${ns}${r.stdout.trim() ? '' : ' (none set: default)'}`
      },
    }),
  ],
}
