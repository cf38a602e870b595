/**
 * Lesson 10, namespace + MySQL + Service: `kubectl apply -f kubernetes/` (namespace hellogopher, the mysql
 * Deployment and Service, hellogopher), `kubectl config set-context --current --namespace=hellogopher`,
 * `minikube service hellogopher -n hellogopher`; everything lives in hellogopher, nothing in default, and
 * `mysql -p` works inside the MySQL pod.
 */
import { APP, NAMESPACE, LEFTOVER_NAMESPACE } from '../lib/tutorial.ts'
import { verifyHello } from '../steps/verify-hello.ts'
import { clusterWithImages, inNamespace, lessonFile, reset } from './common.ts'
import { mysqlArgs, NO_PROMPT, readyMysqlPod } from './database.ts'
import { look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { answersThroughNodePort, fail, failNow, livePods, logsOf, nodePortService, pass, podLine, readDeployment, readService, type Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

const NS = NAMESPACE
const BOTH = [['Deployment', 'apps/v1'], ['Service', 'v1']] as const

/** --check: everything in namespace hellogopher (none of it in default), the context there, MySQL up, the app reachable. */
export const checks: Check[] = [
  {
    observable: `namespace ${NS} exists`,
    hint: 'a Namespace in kubernetes/00_namespace.yml, then kubectl apply -f kubernetes/ — look at kubectl get namespaces',
    async check(d) {
      return (await d.read({ apiVersion: 'v1', kind: 'Namespace', name: NS })) ? pass(`namespace/${NS}`) : fail(`no namespace/${NS}`)
    },
  },
  {
    observable: `deployments and services hellogopher and mysql in ${NS}`,
    hint: 'metadata.namespace: hellogopher in 01_database.yml and 02_hellogopher.yml, then kubectl apply -f kubernetes/ — look at kubectl get all -n hellogopher',
    async check(d) {
      const missing: string[] = []
      for (const [kind, apiVersion] of BOTH) for (const name of [APP, 'mysql']) if (!(await d.read({ apiVersion, kind, name, namespace: NS }))) missing.push(`${kind.toLowerCase()}/${name}`)
      return missing.length ? fail(`missing in ${NS}: ${missing.join(', ')}`) : pass(`deployment+service hellogopher and mysql in ${NS}`)
    },
  },
  {
    observable: 'MySQL as 01_database.yml declares it: strategy Recreate, port 3306; service/mysql selects app: mysql on 3306',
    hint: "look at 01_database.yml: the Deployment's spec.strategy.type and containerPort, the Service's selector and port",
    async check(d) {
      const dep = await readDeployment(d, NS, 'mysql')
      const svc = await readService(d, NS, 'mysql')
      if (!dep || !svc) return fail('no deployment/mysql or service/mysql')
      const wrong: string[] = []
      if (dep.spec?.strategy?.type !== 'Recreate') wrong.push(`strategy ${dep.spec?.strategy?.type ?? 'RollingUpdate'}`)
      if (!dep.spec?.template?.spec?.containers?.some((c) => c.ports?.some((p) => p.containerPort === 3306))) wrong.push('no containerPort 3306')
      if (svc.spec?.selector?.app !== 'mysql') wrong.push(`service selector ${JSON.stringify(svc.spec?.selector ?? {})}`)
      if (!svc.spec?.ports?.some((p) => p.port === 3306)) wrong.push(`service ports ${svc.spec?.ports?.map((p) => p.port).join(', ')}`)
      return wrong.length ? fail(wrong.join(', ')) : pass('mysql: Recreate, 3306; service/mysql → app: mysql:3306')
    },
  },
  {
    observable: `kubectl get all in ${LEFTOVER_NAMESPACE} shows none of it`,
    hint: `what lessons 3–9 made is still in ${LEFTOVER_NAMESPACE}: look at kubectl get all -n ${LEFTOVER_NAMESPACE} and delete it there`,
    async check(d) {
      const stray: string[] = []
      for (const [kind, apiVersion] of BOTH) for (const name of [APP, 'mysql']) if (await d.read({ apiVersion, kind, name, namespace: LEFTOVER_NAMESPACE })) stray.push(`${kind.toLowerCase()}/${name}`)
      return stray.length ? fail(`still in ${LEFTOVER_NAMESPACE}: ${stray.join(', ')}`) : pass(`nothing of it in ${LEFTOVER_NAMESPACE}`)
    },
  },
  {
    observable: `the kubectl context's namespace is ${NS}`,
    hint: 'kubectl config set-context --current --namespace=… — look at kubectl config view --minify',
    async check(d) {
      const ns = d.contextNamespace()
      return ns === NS ? pass(`context namespace ${ns}`) : fail(`context namespace ${ns}`)
    },
  },
  {
    observable: 'MySQL accepts connections (what mysql -p inside its pod needs)',
    hint: 'kubectl get pods -n hellogopher and kubectl logs <mysql pod> — then kubectl exec -it <mysql pod> -- mysql -p',
    wait: { seconds: 120, what: 'MySQL to accept connections' },
    async check(d) {
      const pods = await livePods(d, NS, 'app=mysql')
      const pod = pods.find((p) => p.status?.phase === 'Running')
      const compat = d.clusterImage('mysql:8.0')
      const pullFails = pods.find((p) => (p.status?.containerStatuses ?? []).some((c) => /^(ErrImagePull|ImagePullBackOff|ErrImageNeverPull)$/.test(c.state?.waiting?.reason ?? '')))
      if (!pod && pullFails) return failNow(podLine(pullFails), `the cluster cannot get MySQL's image${compat !== 'mysql:8.0' ? `: this one cannot pull mysql:8.0 — use image ${compat} in 01_database.yml (what the tasks swap in)` : ' — look at Events in kubectl describe pod <mysql pod>'}`)
      if (!pod) return fail(pods[0] ? podLine(pods[0]) : 'no mysql pod')
      const text = await logsOf(d, pod, 'mysql')
      const ready = text.split('\n').find((l) => /port: 3306/.test(l) && /Version:|ready for connections/.test(l))
      return ready ? pass(`pod/${pod.metadata?.name}: ${ready.trim().slice(0, 100)}`) : fail(`${podLine(pod)}; its log does not say it listens on 3306 yet`)
    },
  },
  nodePortService(NS, 'kubectl expose deployment hellogopher --type=NodePort --port=8080 (in hellogopher now) — look at kubectl get service hellogopher'),
  answersThroughNodePort(NS, 'minikube service hellogopher -n hellogopher --url — kubectl get pods: is the app Ready?'),
]

export const explain: Explanation = {
  commands: [
    { run: 'mkdir kubernetes; write 00_namespace.yml, 01_database.yml, 02_hellogopher.yml', does: ['One folder for the whole app: a Namespace, MySQL (Deployment, strategy Recreate, plus a Service on 3306) and hellogopher.', 'Every object says metadata.namespace: hellogopher.', 'A cluster that cannot pull mysql:8.0 (the lab) needs the image it has: --check names it.'] },
    { run: 'kubectl apply -f kubernetes/', does: ['Applies every file of the folder, in name order (the namespace first: hence 00_, 01_, 02_).', 'Run it again any time: apply changes only what differs.'] },
    { run: 'kubectl config set-context --current --namespace=hellogopher', does: ['kubectl commands without -n now look in hellogopher (kubectl get pods, kubectl logs, …).', 'Look at kubectl config view --minify: namespace: hellogopher under the context.'] },
    { run: 'kubectl get all    and    kubectl get all -n default', does: ['Everything lives in hellogopher; default shows none of it (delete what lessons 3–9 left there).', 'The first lists both Deployments and Services; the second none of them.'] },
    { run: 'kubectl exec -it <mysql pod> -- mysql -p', does: ["A MySQL shell inside the database's pod: type the value MYSQL_ROOT_PASSWORD has in 01_database.yml, then SHOW DATABASES;", 'Look at the list: the system databases (mysql, information_schema, …); exit leaves.'] },
    { run: 'kubectl expose deployment hellogopher --type=NodePort --port=8080; minikube service hellogopher -n hellogopher', does: ['The app again through a NodePort, now in its own namespace: "Hello gopher".', 'Look at kubectl get service: hellogopher NodePort 8080:3xxxx, mysql ClusterIP 3306.'] },
  ],
  next: 'let the app find MySQL by itself — npx tsx tasks/lesson.ts 11 --explain',
}

export const manifests: ManifestStage[] = [
  {
    title: 'everything moves into namespace hellogopher: the namespace, MySQL and its Service, the app (image 4.0); the demo pod is gone',
    files: { namespace: '00_namespace.yml', database: 'lessons/10-database.yml', app: 'lessons/10-hellogopher.yml', oom: null },
  },
]

export const lesson: Lesson = {
  number: 10,
  name: 'namespace',
  title: 'Namespace, MySQL, Service',
  summary: 'namespace hellogopher holds hellogopher + MySQL + its Service (nothing in default); mysql -p works in the MySQL pod',
  observable: 'everything lives in namespace hellogopher; kubectl get all in default shows none of it; mysql -p inside the MySQL pod works',
  namespace: NS,
  checks,
  explain,
  manifests,
  steps: (deps) => [
    ...clusterWithImages(deps, ['4.0']),
    ...reset(deps),
    ...inNamespace(deps, lessonFile('10-database.yml'), lessonFile('10-hellogopher.yml')),
    verifyHello(deps),
    observe(deps, {
      title: `where everything lives (kubectl get all; kubectl get all -n ${LEFTOVER_NAMESPACE})`,
      expect: `hellogopher and mysql in namespace ${NS}, none of it in ${LEFTOVER_NAMESPACE}`,
      looks: [['get', 'all'], ['get', 'all', '-n', LEFTOVER_NAMESPACE]],
      async check(_ctx, log) {
        const kube = deps.kube()
        log(`the context's namespace is now ${kube.contextNamespace}: plain kubectl commands look there`)
        await look(deps, log, ['get', 'all'], { pick: /NAME|hellogopher|mysql/ })
        await look(deps, log, ['get', 'all', '-n', LEFTOVER_NAMESPACE])
        if (kube.contextNamespace !== NS) throw new NotSeen(`the context namespace ${NS}`, kube.contextNamespace)
        const missing: string[] = []
        const stray: string[] = []
        for (const [kind, apiVersion, names] of [['Deployment', 'apps/v1', [APP, 'mysql']], ['Service', 'v1', [APP, 'mysql']]] as const) {
          for (const name of names) {
            if (!(await kube.read({ apiVersion, kind, name, namespace: NS }))) missing.push(`${kind.toLowerCase()}/${name}`)
            if (await kube.read({ apiVersion, kind, name, namespace: LEFTOVER_NAMESPACE })) stray.push(`${kind.toLowerCase()}/${name}`)
          }
        }
        if (missing.length) throw new NotSeen(`everything in ${NS}`, `missing there: ${missing.join(', ')}`)
        if (stray.length) throw new NotSeen(`nothing in ${LEFTOVER_NAMESPACE}`, `still there: ${stray.join(', ')}`)
        return `deployments and services hellogopher and mysql live in ${NS}; ${LEFTOVER_NAMESPACE} has none of them`
      },
    }),
    observe(deps, {
      title: 'MySQL from inside its pod (kubectl exec <mysql pod> -- sh -c … mysql -p)',
      expect: 'mysql -p logs in and answers SHOW DATABASES',
      looks: [mysqlArgs('mysql-<pod>', 'SHOW DATABASES')],
      async check(_ctx, log) {
        const pod = await readyMysqlPod(deps)
        log("(mysql -p prompts; the answer comes from the pod's own MYSQL_ROOT_PASSWORD, never from this machine)")
        const r = await look(deps, log, mysqlArgs(pod, 'SHOW DATABASES'), { allowFail: true, pick: NO_PROMPT })
        if (r.exitCode !== 0 || !/\bmysql\b/.test(r.stdout)) throw new NotSeen('mysql -p logging in', `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`)
        return `mysql -p in pod/${pod} logged in: ${r.stdout.trim().split('\n').slice(1).join(', ')}`
      },
    }),
  ],
}
