/**
 * The tutorial's database, seen from both sides (lessons 10–13): `mysql -p` inside the MySQL pod once it listens,
 * and the app's log saying it connected. Read-only observations shared by those lessons.
 */
import { APP, NAMESPACE } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import { isPodReady } from '../lib/kube-state.ts'
import type { Step } from '../lib/task.ts'
import { CONTAINER, look, newestPod, observe } from './observe.ts'
import { NotSeen } from './types.ts'

const NS = NAMESPACE
const SELECTOR = `app=${APP}`

export const MYSQL_READY = /^Version: .*port: 3306/
/** Every line but mysql's `Enter password:` prompt (on stderr). */
export const NO_PROMPT = /^(?!\s*Enter \S+:)/
const MYSQL_TIMEOUT_MS = 120_000

/** `mysql -p` inside the pod, the password typed from the pod's own env (never in our argv or output). */
export function mysqlArgs(pod: string, sql: string, namespace = NAMESPACE): string[] {
  return ['exec', pod, '-n', namespace, '--', 'sh', '-c', `echo "$MYSQL_ROOT_PASSWORD" | mysql -uroot -p -e "${sql}"`]
}

/** The mysql pod, once the server (not the init-time one) says it listens on 3306. */
export async function readyMysqlPod(deps: Deps, namespace = NAMESPACE): Promise<string> {
  const kube = deps.kube()
  const pod = await newestPod(kube, namespace, 'app=mysql', (p) => p.status?.phase === 'Running')
  if (!pod) throw new NotSeen('a running mysql pod', `none in ${namespace}`)
  const name = pod.metadata!.name!
  // MariaDB logs "Version: … port: 3306" once it accepts connections; the init-time server has port 0
  await kube.waitForLog(namespace, name, 'mysql', MYSQL_READY, { timeoutMs: MYSQL_TIMEOUT_MS, what: `MySQL in pod/${name} to accept connections` })
  return name
}

/** The newest Ready hellogopher pod. */
export async function appPod(deps: Deps): Promise<string> {
  const pod = await newestPod(deps.kube(), NS, SELECTOR, isPodReady)
  if (!pod) throw new NotSeen(`a Ready ${APP} pod`, `none matches ${SELECTOR} in ${NS}`)
  return pod.metadata!.name!
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
      const text = (await kube.podLog(NS, pod, { container: CONTAINER })) ?? ''
      await look(deps, log, ['logs', pod, '-n', NS], { pick: /starting|connected|database|listening|cannot/ })
      const line = text.split('\n').find((l) => /connected to database/.test(l))
      if (!line) throw new NotSeen('"connected to database" in the log', text.trim().split('\n').pop() ?? 'an empty log')
      return `pod/${pod} logged: ${line.replace(/^\S+ \S+ /, '')}`
    },
  })
}
