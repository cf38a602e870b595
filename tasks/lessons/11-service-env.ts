/**
 * Lesson 11, service discovery by environment: pods created after the mysql Service get MYSQL_SERVICE_HOST,
 * MYSQL_SERVICE_PORT, MYSQL_PORT, MYSQL_PORT_3306_TCP*; image 5.0 uses them (with DATABASE_* as plain values)
 * to connect and create database `test`.
 */
import { APP, NAMESPACE } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { KubernetesObject } from '../lib/kube.ts'
import type { Step } from '../lib/task.ts'
import { applyLesson, clusterWithImages, inNamespace, labelled, lessonFile, reset } from './common.ts'
import { appConnected, appPod, mysqlArgs, NO_PROMPT, readyMysqlPod } from './database.ts'
import { envLines, look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { connectedCheck, containerOf, createdAt, fail, isAppImage, livePods, pass, podIsReady, readDeployment, readService, type Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

const NS = NAMESPACE
const SELECTOR = `app=${APP}`

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

const DB_VARS = ['DATABASE_USERNAME', 'DATABASE_PASSWORD', 'DATABASE_NAME']

/** --check: 5.0 with its DATABASE_* settings, a pod made after the mysql Service (so it has MYSQL_*), connected. */
export const checks: Check[] = [
  {
    observable: 'the app runs image 5.0 with DATABASE_USERNAME, DATABASE_PASSWORD and DATABASE_NAME set',
    hint: 'image: …:5.0 and an env: list in 02_hellogopher.yml, then kubectl apply -f kubernetes/ — look at Environment: in kubectl describe deployment hellogopher',
    async check(d) {
      const c = containerOf(await readDeployment(d, NS))
      if (!c) return fail(`no deployment/${APP} in ${NS}`)
      if (!isAppImage(d, c.image, '5.0')) return fail(`image ${c.image}`)
      const named = new Set((c.env ?? []).map((e) => e.name))
      const fromAll = (c.envFrom ?? []).length > 0
      const missing = DB_VARS.filter((v) => !named.has(v))
      if (missing.length && !fromAll) return fail(`no ${missing.join(', ')} in the container's env`)
      return pass(`image ${c.image}; ${DB_VARS.filter((v) => named.has(v)).join(', ') || 'DATABASE_*'} set${fromAll ? ' (and envFrom)' : ''}`)
    },
  },
  {
    observable: 'the app pod was made after the mysql Service, so it has MYSQL_SERVICE_HOST, MYSQL_SERVICE_PORT, MYSQL_PORT_3306_TCP*',
    hint: 'pods get the variables of Services that exist when they START: kubectl rollout restart deployment hellogopher — look at kubectl exec <pod> -- env',
    async check(d) {
      const svc = await readService(d, NS, 'mysql')
      if (!svc) return fail(`no service/mysql in ${NS}`)
      const pod = (await livePods(d, NS, SELECTOR)).find(podIsReady)
      if (!pod) return fail(`no Ready ${APP} pod`)
      return createdAt(pod) >= createdAt(svc) ? pass(`pod/${pod.metadata?.name} started after service/mysql: MYSQL_SERVICE_HOST=${(svc.spec as { clusterIP?: string } | undefined)?.clusterIP ?? '?'}`) : fail(`pod/${pod.metadata?.name} is older than service/mysql`)
    },
  },
  connectedCheck(NS, 'kubectl logs <pod> — "cannot connect" points at a DATABASE_* value or at MySQL itself (kubectl logs <mysql pod>)', { pattern: /(created database|database \S+ already exists)/, what: 'created database test (SHOW DATABASES lists it)' }),
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl exec <hellogopher pod> -- env', does: ['Kubernetes gives every pod MYSQL_SERVICE_HOST, MYSQL_SERVICE_PORT, MYSQL_PORT_3306_TCP… for each Service that existed when the pod started.', 'That is how 5.0 finds MySQL without an address in its config.'] },
    { run: 'edit 02_hellogopher.yml: image: …:5.0, env: DATABASE_USERNAME, DATABASE_PASSWORD, DATABASE_NAME (value:)', does: ['5.0 connects to MySQL at start and creates the database DATABASE_NAME if it is missing.', 'The app finds MySQL through MYSQL_SERVICE_HOST and MYSQL_SERVICE_PORT; these three tell it who to be and which database.'] },
    { run: 'kubectl apply -f kubernetes/', does: ['A new pod with the new image and settings (created after the Service, so it has the MYSQL_* variables).', 'Look at kubectl get pods: the new pod Running 1/1 (a wrong setting would crash-loop it).'] },
    { run: 'kubectl logs <pod>', does: ['Look for "connected to database" and "created database test" (or "already exists" on later starts).', 'A "cannot connect" line says what was wrong: the address, the user, or the value.'] },
    { run: 'kubectl exec -it <mysql pod> -- mysql -p -e "SHOW DATABASES"', does: ['The database the app created, test, is in the list.', 'Look for the test row, next to mysql and information_schema.'] },
  ],
  next: 'move the settings out of the Deployment into a ConfigMap — npx tsx tasks/lesson.ts 12 --explain',
}

export const manifests: ManifestStage[] = [{ title: 'image 5.0 with the database settings as plain values', files: { app: 'lessons/11-hellogopher-env.yml' } }]

export const lesson: Lesson = {
  number: 11,
  name: 'service-env',
  title: 'Service discovery by environment',
  summary: 'the app pod gets MYSQL_SERVICE_HOST/PORT and MYSQL_PORT_3306_TCP*; 5.0 connects, creates database test, logs it',
  observable: 'the MYSQL_* variables are in the pod\'s environment; SHOW DATABASES in MySQL lists test; the app logs connected to database',
  namespace: NS,
  checks,
  explain,
  manifests,
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
