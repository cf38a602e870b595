/**
 * Lesson 15, teardown: from the tutorial's final state, delete what it made (namespace hellogopher and what
 * early lessons leave in default), restore the kubectl context's namespace. `npx tsx tasks/teardown.ts
 * --stop-cluster` also stops the cluster; this lesson leaves it running.
 */
import { APP, NAMESPACE } from '../lib/context.ts'
import { LEFTOVER_NAMESPACE, LEFTOVERS, teardown } from '../teardown.ts'
import { expose } from '../expose.ts'
import { useNamespace } from '../up.ts'
import { applyFinal, clearOldPods, clusterWithImages, DEMO_PODS, labelled, reset } from './common.ts'
import { look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

const NS = NAMESPACE

export const lesson: Lesson = {
  number: 15,
  name: 'teardown',
  title: 'Teardown',
  summary: "from the final state, everything the tutorial made is deleted and the context's namespace restored",
  observable: 'nothing of the tutorial is left; the kubectl context namespace is restored',
  namespace: NS,
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
