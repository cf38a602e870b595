/**
 * Lesson 11, service discovery by environment: pods created after the mysql Service get MYSQL_SERVICE_HOST,
 * MYSQL_SERVICE_PORT, MYSQL_PORT, MYSQL_PORT_3306_TCP*; image 5.0 uses them (with DATABASE_* as plain values)
 * to connect and create database `test`.
 */
import { APP, NAMESPACE, type Deps } from '../lib/context.ts'
import type { KubernetesObject } from '../lib/kube.ts'
import { isPodReady } from '../lib/kube-state.ts'
import type { Step } from '../lib/task.ts'
import { applyLesson, clusterWithImages, inNamespace, labelled, lessonFile, reset } from './common.ts'
import { mysqlArgs, NO_PROMPT, readyMysqlPod } from './10-namespace.ts'
import { CONTAINER, envLines, look, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

const NS = NAMESPACE
const SELECTOR = `app=${APP}`

/** The newest Ready hellogopher pod. */
export async function appPod(deps: Deps): Promise<string> {
  const pod = await newestPod(deps.kube(), NS, SELECTOR, isPodReady)
  if (!pod) throw new NotSeen(`a Ready ${APP} pod`, `none matches ${SELECTOR} in ${NS}`)
  return pod.metadata!.name!
}

/** The MYSQL_* variables Kubernetes put into the app's pod, checked against the Service. */
export function serviceEnv(deps: Deps): Step {
  return observe(deps, {
    title: "the app pod's environment (kubectl exec <pod> -- env)",
    expect: 'MYSQL_SERVICE_HOST, MYSQL_SERVICE_PORT, MYSQL_PORT and MYSQL_PORT_3306_TCP* in the pod\'s environment',
    looks: [['exec', 'hellogopher-<pod>', '-n', NS, '--', 'env']],
    async check(_ctx, log) {
      const pod = await appPod(deps)
      const r = await look(deps, log, ['exec', pod, '-n', NS, '--', 'env'], { pick: /^MYSQL_/ })
      const env = envLines(r.stdout)
      const svc = await deps.kube().read<KubernetesObject & { spec?: { clusterIP?: string } }>({ apiVersion: 'v1', kind: 'Service', name: 'mysql', namespace: NS })
      const ip = svc?.spec?.clusterIP
      const want: Record<string, string | undefined> = {
        MYSQL_SERVICE_HOST: ip,
        MYSQL_SERVICE_PORT: '3306',
        MYSQL_PORT: `tcp://${ip}:3306`,
        MYSQL_PORT_3306_TCP: `tcp://${ip}:3306`,
        MYSQL_PORT_3306_TCP_PROTO: 'tcp',
        MYSQL_PORT_3306_TCP_PORT: '3306',
        MYSQL_PORT_3306_TCP_ADDR: ip,
      }
      const wrong = Object.entries(want).filter(([k, v]) => env[k] !== v)
      if (wrong.length) throw new NotSeen('the mysql Service in the pod\'s environment', wrong.map(([k]) => `${k}=${env[k] ?? '(unset)'}`).join(', '))
      return `pod/${pod} has MYSQL_SERVICE_HOST=${ip}, MYSQL_SERVICE_PORT=3306 and MYSQL_PORT_3306_TCP*`
    },
  })
}

/** SHOW DATABASES in MySQL lists `test`, which the app created. */
export function databaseExists(deps: Deps): Step {
  return observe(deps, {
    title: 'the databases in MySQL (kubectl exec <mysql pod> -- … mysql -p -e "SHOW DATABASES")',
    expect: 'SHOW DATABASES lists test',
    looks: [mysqlArgs('mysql-<pod>', 'SHOW DATABASES')],
    async check(_ctx, log) {
      const pod = await readyMysqlPod(deps)
      const r = await look(deps, log, mysqlArgs(pod, 'SHOW DATABASES'), { allowFail: true, pick: NO_PROMPT })
      if (!r.stdout.split('\n').map((l) => l.trim()).includes('test')) throw new NotSeen('database test', `SHOW DATABASES: ${r.stdout.trim().split('\n').join(', ') || r.stderr.trim()}`)
      return 'SHOW DATABASES lists test'
    },
  })
}

/** The app's log says it reached the database. */
export function appConnected(deps: Deps): Step {
  return observe(deps, {
    title: "the app's log (kubectl logs <pod>)",
    expect: 'the app logged "connected to database"',
    looks: [['logs', 'hellogopher-<pod>', '-n', NS]],
    async check(_ctx, log) {
      const kube = deps.kube()
      const pod = await appPod(deps)
      const text = (await kube.orAbsent(`read the log of pod/${pod}`, () => kube.core.readNamespacedPodLog({ namespace: NS, name: pod, container: CONTAINER }))) ?? ''
      await look(deps, log, ['logs', pod, '-n', NS], { pick: /starting|connected|database|listening|cannot/ })
      const line = text.split('\n').find((l) => /connected to database/.test(l))
      if (!line) throw new NotSeen('"connected to database" in the log', text.trim().split('\n').pop() ?? 'an empty log')
      return `pod/${pod} logged: ${line.replace(/^\S+ \S+ /, '')}`
    },
  })
}

export const lesson: Lesson = {
  number: 11,
  name: 'service-env',
  title: 'Service discovery by environment',
  summary: 'the app pod gets MYSQL_SERVICE_HOST/PORT and MYSQL_PORT_3306_TCP*; 5.0 connects, creates database test, logs it',
  observable: 'the MYSQL_* variables are in the pod\'s environment; SHOW DATABASES in MySQL lists test; the app logs connected to database',
  namespace: NS,
  steps: (deps) => [
    ...clusterWithImages(deps, ['4.0', '5.0']),
    ...reset(deps),
    ...inNamespace(deps, lessonFile('10-database.yml'), lessonFile('10-hellogopher.yml')).map((s) => labelled('Setup (lesson 10)', s)),
    applyLesson(deps, '11-hellogopher-env.yml'),
    serviceEnv(deps),
    databaseExists(deps),
    appConnected(deps),
  ],
}
