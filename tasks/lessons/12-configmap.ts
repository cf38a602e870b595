/**
 * Lesson 12, ConfigMap: `kubectl create configmap … --from-literal=log_level=debug` and
 * `--from-env-file=dbConfig.properties`, `kubectl get configmap/<name> -o yaml`; the app's env from
 * valueFrom.configMapKeyRef, then from envFrom.configMapRef; finally the ConfigMap is declared beside the
 * database (the hand-made one deleted). Same app behaviour throughout; the values now come from the ConfigMap.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { APP, NAMESPACE, ROOT } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { KubernetesObject, V1Pod } from '../lib/kube.ts'
import { isPodReady } from '../lib/kube-state.ts'
import { kubectl } from '../lib/kubectl.ts'
import { logTo, type Step } from '../lib/task.ts'
import { verifyHello } from '../steps/verify-hello.ts'
import { applyLesson, clusterWithImages, inNamespace, labelled, lessonFile, reset } from './common.ts'
import { appConnected } from './database.ts'
import { envLines, look, newestPod, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { connectedCheck, containerOf, fail, pass, readDeployment, type Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

const NS = NAMESPACE
const SELECTOR = `app=${APP}`
export const LITERAL_CONFIGMAP = 'hellogopher-config'
export const DB_CONFIGMAP = 'database-configs'
export const PROPERTIES = lessonFile('12-dbConfig.properties')

type ConfigMap = KubernetesObject & { data?: Record<string, string> }

/** `KEY=value` lines of an env file, the way `kubectl create configmap --from-env-file` reads them. */
export function parseEnvFile(text: string): Record<string, string> {
  const data: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq > 0) data[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return data
}

const sameData = (a: Record<string, string> | undefined, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort())

/** `kubectl create configmap <name> <from…>`. Idempotent: skips when it exists with that data. */
const createConfigMap = (deps: Deps, name: string, from: string[], data: () => Record<string, string>): Step => ({
  title: `kubectl create configmap ${name} ${from.join(' ')}`,
  skip: async ({ namespace }) => {
    const cm = await deps.kube().read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace })
    if (!cm) return false
    if (sameData(cm.data, data())) return `configmap/${name} already holds ${Object.keys(data()).join(', ')}`
    throw new Error(`configmap/${name} exists with other data — delete it (kubectl delete configmap ${name} -n ${namespace}) and run again`)
  },
  task: async ({ namespace }, task) => {
    await kubectl(deps, ['create', 'configmap', name, ...from, '-n', namespace], { log: logTo(task), cwd: ROOT })
  },
})

/** The app pod's DATABASE_* env, and where the Deployment says they come from. */
function envFromConfigMap(deps: Deps, how: 'configMapKeyRef' | 'envFrom'): Step {
  const expect = `DATABASE_USERNAME=root and DATABASE_NAME=test in the pod, taken from configmap/${DB_CONFIGMAP} via ${how === 'envFrom' ? 'envFrom.configMapRef' : 'valueFrom.configMapKeyRef'}`
  return observe(deps, {
    title: `the app's settings (kubectl exec <pod> -- env; kubectl get deployment ${APP} -o yaml)`,
    expect,
    looks: [['exec', 'hellogopher-<pod>', '-n', NS, '--', 'env'], ['get', 'deployment', APP, '-n', NS, '-o', 'yaml']],
    async check(_ctx, log) {
      const pod = await newestPod(deps.kube(), NS, SELECTOR, isPodReady)
      if (!pod) throw new NotSeen(expect, `no Ready pod matches ${SELECTOR}`)
      const name = pod.metadata!.name!
      const r = await look(deps, log, ['exec', name, '-n', NS, '--', 'env'], { pick: /^DATABASE_(USERNAME|NAME)=/ })
      await look(deps, log, ['get', 'deployment', APP, '-n', NS, '-o', 'yaml'], { pick: /envFrom|configMapRef|configMapKeyRef|name: (DATABASE_|database-configs)|key: DATABASE/ })
      const env = envLines(r.stdout)
      if (env.DATABASE_USERNAME !== 'root' || env.DATABASE_NAME !== 'test') {
        throw new NotSeen(expect, `DATABASE_USERNAME=${env.DATABASE_USERNAME ?? '(unset)'}, DATABASE_NAME=${env.DATABASE_NAME ?? '(unset)'}`)
      }
      const c = (pod as V1Pod).spec?.containers.find((x) => x.name === APP)
      const viaKeyRef = ['DATABASE_USERNAME', 'DATABASE_NAME'].every((k) => c?.env?.find((e) => e.name === k)?.valueFrom?.configMapKeyRef?.name === DB_CONFIGMAP)
      const viaEnvFrom = !!c?.envFrom?.some((e) => e.configMapRef?.name === DB_CONFIGMAP) && !c?.env?.some((e) => /^DATABASE_(USERNAME|NAME)$/.test(e.name))
      if (how === 'configMapKeyRef' ? !viaKeyRef : !viaEnvFrom) throw new NotSeen(expect, `pod/${name}'s spec does not take them from ${how}`)
      return `pod/${name}: DATABASE_USERNAME=root, DATABASE_NAME=test from configmap/${DB_CONFIGMAP} (${how})`
    },
  })
}

type Managed = ConfigMap & { metadata?: { annotations?: Record<string, string>; managedFields?: Array<{ manager?: string; operation?: string }> } }

/** --check: the two ConfigMaps, the app reading them through envFrom, the ConfigMap declared, same behaviour. */
export const checks: Check[] = [
  {
    observable: 'a ConfigMap made from a literal: log_level=debug',
    hint: 'kubectl create configmap <name> --from-literal=log_level=debug — look at kubectl get configmaps',
    async check(d) {
      const found = (await d.list<ConfigMap>('v1', 'ConfigMap', NS)).find((c) => c.data?.log_level === 'debug')
      return found ? pass(`configmap/${found.metadata?.name} log_level=debug`) : fail(`no ConfigMap in ${NS} holds log_level=debug`)
    },
  },
  {
    observable: `configmap/${DB_CONFIGMAP} holds DATABASE_USERNAME=root and DATABASE_NAME=test`,
    hint: `kubectl create configmap ${DB_CONFIGMAP} --from-env-file=<the properties file> (KEY=value lines) — look at kubectl get configmap/${DB_CONFIGMAP} -o yaml`,
    async check(d) {
      const cm = await d.read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name: DB_CONFIGMAP, namespace: NS })
      if (!cm) return fail(`no configmap/${DB_CONFIGMAP} in ${NS}`)
      const want = parseEnvFile(readFileSync(PROPERTIES, 'utf8'))
      return sameData(cm.data, want) ? pass(`configmap/${DB_CONFIGMAP} ${JSON.stringify(cm.data)}`) : fail(`configmap/${DB_CONFIGMAP} ${JSON.stringify(cm.data ?? {})}`)
    },
  },
  {
    observable: `the app takes every key at once through envFrom.configMapRef ${DB_CONFIGMAP} (no plain values left for them)`,
    hint: `first valueFrom.configMapKeyRef key by key, then envFrom: - configMapRef: in 02_hellogopher.yml; kubectl apply -f kubernetes/ — look at kubectl get deployment ${APP} -o yaml`,
    async check(d) {
      const c = containerOf(await readDeployment(d, NS))
      if (!c) return fail(`no deployment/${APP} in ${NS}`)
      const viaEnvFrom = (c.envFrom ?? []).some((e) => e.configMapRef?.name === DB_CONFIGMAP)
      const plain = (c.env ?? []).filter((e) => /^DATABASE_(USERNAME|NAME)$/.test(e.name)).map((e) => `${e.name} (${e.valueFrom?.configMapKeyRef ? 'configMapKeyRef' : 'value'})`)
      if (!viaEnvFrom) return fail(plain.length ? `the settings come one by one: ${plain.join(', ')}` : `no envFrom configMapRef ${DB_CONFIGMAP}`)
      return plain.length ? fail(`envFrom is there, but ${plain.join(', ')} still set one by one`) : pass(`envFrom configMapRef ${DB_CONFIGMAP}`)
    },
  },
  {
    observable: `configmap/${DB_CONFIGMAP} declared in 01_database.yml (the hand-made one deleted, the file applied)`,
    hint: `kubectl delete configmap ${DB_CONFIGMAP}, declare it in 01_database.yml, kubectl apply -f kubernetes/ — kubectl get configmap ${DB_CONFIGMAP} -o yaml --show-managed-fields shows who made it`,
    async check(d) {
      const cm = await d.read<Managed>({ apiVersion: 'v1', kind: 'ConfigMap', name: DB_CONFIGMAP, namespace: NS })
      if (!cm) return fail(`no configmap/${DB_CONFIGMAP}`)
      const applied = !!cm.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] || !!cm.metadata?.managedFields?.some((f) => f.operation === 'Apply')
      const managers = [...new Set((cm.metadata?.managedFields ?? []).map((f) => f.manager))].join(', ')
      return applied ? pass(`configmap/${DB_CONFIGMAP} applied from a manifest`) : fail(`configmap/${DB_CONFIGMAP} was made by a command (${managers || 'no manager'}), not applied from a file`)
    },
  },
  connectedCheck(NS, 'kubectl logs <pod>; a missing ConfigMap or key shows as CreateContainerConfigError in kubectl get pods'),
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl create configmap hellogopher-config --from-literal=log_level=debug', does: ['A ConfigMap with one key, made from the command line.', 'kubectl get configmaps lists it (DATA 1).'] },
    { run: 'kubectl create configmap database-configs --from-env-file=dbConfig.properties', does: ['One key per KEY=value line of the file: DATABASE_USERNAME=root, DATABASE_NAME=test.', 'Look at kubectl get configmaps: database-configs with DATA 2.'] },
    { run: 'kubectl get configmap/database-configs -o yaml', does: ['The data: section holds the keys and values as plain text (ConfigMaps are not for secrets).', 'Look at data: DATABASE_USERNAME: root and DATABASE_NAME: test.'] },
    { run: 'edit 02_hellogopher.yml: env: valueFrom: configMapKeyRef (key by key); kubectl apply -f kubernetes/', does: ['Each setting now names the ConfigMap and key it comes from; the app behaves the same.', "Look at kubectl describe pod <pod>: Environment: DATABASE_USERNAME <set to the key 'DATABASE_USERNAME' of config map 'database-configs'>."] },
    { run: 'edit 02_hellogopher.yml: envFrom: - configMapRef: {name: database-configs}; kubectl apply -f kubernetes/', does: ['Every key of the ConfigMap becomes a variable at once: shorter, and new keys arrive without editing the Deployment.', 'Look at kubectl describe pod <pod>: Environment Variables from: database-configs ConfigMap.'] },
    { run: 'kubectl delete configmap database-configs; declare it in 01_database.yml; kubectl apply -f kubernetes/', does: ['The ConfigMap now lives in a file next to the database, like every other object.', 'kubectl logs <pod>: still "connected to database".'] },
  ],
  next: 'DATABASE_PASSWORD does not belong in a ConfigMap or a Deployment: a Secret — npx tsx tasks/lesson.ts 13 --explain',
}

export const manifests: ManifestStage[] = [
  { title: 'dbConfig.properties, read by kubectl create configmap --from-env-file', files: { dbConfig: 'lessons/12-dbConfig.properties' } },
  { title: 'the settings one by one from the ConfigMap (configMapKeyRef)', files: { app: 'lessons/12-configmapkeyref.yml' } },
  { title: 'every key of the ConfigMap at once (envFrom)', files: { app: 'lessons/12-envfrom.yml' } },
  { title: 'the ConfigMap declared beside the database', files: { database: 'lessons/12-database.yml' } },
]

export const lesson: Lesson = {
  number: 12,
  name: 'configmap',
  title: 'ConfigMap',
  summary: 'ConfigMaps from a literal and from an env file; the app reads them via configMapKeyRef, then envFrom — same behaviour',
  observable: 'same app behaviour, values now come from the ConfigMap (from-literal, from-env-file; configMapKeyRef, then envFrom)',
  namespace: NS,
  checks,
  explain,
  manifests,
  steps: (deps) => [
    ...clusterWithImages(deps, ['4.0', '5.0']),
    ...reset(deps),
    ...[...inNamespace(deps, lessonFile('10-database.yml'), lessonFile('10-hellogopher.yml')), applyLesson(deps, '11-hellogopher-env.yml')].map((s) => labelled('Setup (lessons 10–11)', s)),
    createConfigMap(deps, LITERAL_CONFIGMAP, ['--from-literal=log_level=debug'], () => ({ log_level: 'debug' })),
    createConfigMap(deps, DB_CONFIGMAP, [`--from-env-file=${relative(ROOT, PROPERTIES)}`], () => parseEnvFile(readFileSync(PROPERTIES, 'utf8'))),
    observe(deps, {
      title: `the ConfigMaps (kubectl get configmaps; kubectl get configmap/${DB_CONFIGMAP} -o yaml)`,
      expect: `configmap/${LITERAL_CONFIGMAP} holds log_level=debug; configmap/${DB_CONFIGMAP} holds what ${relative(ROOT, PROPERTIES)} says`,
      looks: [['get', 'configmaps', '-n', NS], ['get', `configmap/${DB_CONFIGMAP}`, '-n', NS, '-o', 'yaml']],
      async check(_ctx, log) {
        const kube = deps.kube()
        await look(deps, log, ['get', 'configmaps', '-n', NS])
        await look(deps, log, ['get', `configmap/${LITERAL_CONFIGMAP}`, '-n', NS, '-o', 'yaml'], { pick: /^data:|^\s+log_level:/ })
        await look(deps, log, ['get', `configmap/${DB_CONFIGMAP}`, '-n', NS, '-o', 'yaml'], { pick: /^data:|^\s+DATABASE_/ })
        const literal = await kube.read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name: LITERAL_CONFIGMAP, namespace: NS })
        const db = await kube.read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name: DB_CONFIGMAP, namespace: NS })
        const want = parseEnvFile(readFileSync(PROPERTIES, 'utf8'))
        if (!sameData(literal?.data, { log_level: 'debug' })) throw new NotSeen(`configmap/${LITERAL_CONFIGMAP} log_level=debug`, JSON.stringify(literal?.data ?? null))
        if (!sameData(db?.data, want)) throw new NotSeen(`configmap/${DB_CONFIGMAP} = ${JSON.stringify(want)}`, JSON.stringify(db?.data ?? null))
        return `configmap/${LITERAL_CONFIGMAP} {log_level: debug}; configmap/${DB_CONFIGMAP} ${JSON.stringify(db?.data)}`
      },
    }),
    applyLesson(deps, '12-configmapkeyref.yml'),
    envFromConfigMap(deps, 'configMapKeyRef'),
    applyLesson(deps, '12-envfrom.yml'),
    envFromConfigMap(deps, 'envFrom'),
    {
      title: `Delete the hand-made configmap/${DB_CONFIGMAP} (it is declared with the database next)`,
      skip: async () => {
        // applied by kubectl apply already (a previous run got this far): nothing hand-made left to delete
        const cm = await deps.kube().read<ConfigMap & { metadata?: { managedFields?: Array<{ manager?: string; operation?: string }> } }>({ apiVersion: 'v1', kind: 'ConfigMap', name: DB_CONFIGMAP, namespace: NS })
        if (!cm) return `configmap/${DB_CONFIGMAP} does not exist`
        return cm.metadata?.managedFields?.some((f) => f.operation === 'Apply') ? `configmap/${DB_CONFIGMAP} is already the declared one` : false
      },
      task: async ({ namespace }, task) => {
        await kubectl(deps, ['delete', 'configmap', DB_CONFIGMAP, '-n', namespace], { log: logTo(task) })
      },
    },
    applyLesson(deps, '12-database.yml'),
    verifyHello(deps),
    appConnected(deps),
  ],
}
