/**
 * Lesson 10, namespace + MySQL + Service: `kubectl apply -f kubernetes/` (namespace hellogopher, the mysql
 * Deployment and Service, hellogopher), `kubectl config set-context --current --namespace=hellogopher`,
 * `minikube service hellogopher -n hellogopher`; everything lives in hellogopher, nothing in default, and
 * `mysql -p` works inside the MySQL pod.
 */
import { APP, NAMESPACE, type Deps } from '../lib/context.ts'
import { LEFTOVER_NAMESPACE } from '../teardown.ts'
import { verifyHello } from '../up.ts'
import { clusterWithImages, inNamespace, lessonFile, reset } from './common.ts'
import { look, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

const NS = NAMESPACE
export const MYSQL_READY = /^Version: .*port: 3306/
/** Every line but mysql's `Enter password:` prompt (on stderr). */
export const NO_PROMPT = /^(?!\s*Enter \S+:)/
const MYSQL_TIMEOUT_MS = 120_000

/** `mysql -p` inside the pod, the password typed from the pod's own env (never in our argv or output). */
export function mysqlArgs(pod: string, sql: string, namespace = NS): string[] {
  return ['exec', pod, '-n', namespace, '--', 'sh', '-c', `echo "$MYSQL_ROOT_PASSWORD" | mysql -uroot -p -e "${sql}"`]
}

/** The mysql pod, once the server (not the init-time one) says it listens on 3306. */
export async function readyMysqlPod(deps: Deps, namespace = NS): Promise<string> {
  const kube = deps.kube()
  const pod = await newestPod(kube, namespace, 'app=mysql', (p) => p.status?.phase === 'Running')
  if (!pod) throw new NotSeen('a running mysql pod', `none in ${namespace}`)
  const name = pod.metadata!.name!
  // MariaDB logs "Version: … port: 3306" once it accepts connections; the init-time server has port 0
  await kube.waitForLog(namespace, name, 'mysql', MYSQL_READY, { timeoutMs: MYSQL_TIMEOUT_MS, what: `MySQL in pod/${name} to accept connections` })
  return name
}

export const lesson: Lesson = {
  number: 10,
  name: 'namespace',
  title: 'Namespace, MySQL, Service',
  summary: 'namespace hellogopher holds hellogopher + MySQL + its Service (nothing in default); mysql -p works in the MySQL pod',
  observable: 'everything lives in namespace hellogopher; kubectl get all in default shows none of it; mysql -p inside the MySQL pod works',
  namespace: NS,
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
