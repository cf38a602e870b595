/**
 * Lesson 13, Secret: database-secrets (base64 is encoding, not protection) feeds DATABASE_PASSWORD through
 * secretKeyRef; `kubectl get secrets`, `kubectl get secrets database-secrets -o yaml`; `kubectl patch secret`
 * to a wrong value and a restart make the app fail to connect (its log says so, the pod crash-loops);
 * patching the right value back heals it.
 */
import { join } from 'node:path'
import { APP, MANIFESTS_DIR, NAMESPACE } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import type { KubernetesObject, V1Pod } from '../lib/kube.ts'
import { isPodReady, podSummary } from '../lib/kube-state.ts'
import { loadManifests, manifestObjects } from '../lib/manifests.ts'
import { registerSecret } from '../lib/redact.ts'
import { logTo, type Step } from '../lib/task.ts'
import { DEFAULT_KEY, patchSecret, restartApp, SECRET } from '../steps/patch-secret.ts'
import { crashInPreviousLog } from '../steps/rollout.ts'
import { applyFinal, applyLesson, clusterWithImages, inNamespace, labelled, lessonFile, reset } from './common.ts'
import { appConnected } from './database.ts'
import { CONTAINER, lastExit, look, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { connectedCheck, containerOf, fail, pass, readDeployment, revisions, type Check } from './check.ts'
import type { ManifestStage } from './diff.ts'
import type { Explanation } from './explain.ts'

const NS = NAMESPACE
const SELECTOR = `app=${APP}`
/** What the lesson patches in to break the app (registered as a secret: never printed). */
export const WRONG_VALUE = 'not-the-database-secret'
export const FAIL_TIMEOUT_MS = 90_000

type SecretObject = KubernetesObject & { data?: Record<string, string> }

/** The value manifests/01_database.yml gives DATABASE_PASSWORD (base64), i.e. the one MySQL was started with. */
export function rightValueB64(): string {
  const secret = manifestObjects(loadManifests(join(MANIFESTS_DIR, '01_database.yml'))).find((o) => o.kind === 'Secret' && o.metadata?.name === SECRET) as SecretObject | undefined
  const b64 = secret?.data?.[DEFAULT_KEY]
  if (!b64) throw new Error(`manifests/01_database.yml has no Secret ${SECRET} with ${DEFAULT_KEY}`)
  return b64
}

interface Seen {
  before: Set<string>
}

/** Which hellogopher pods run before the restart (a learner's `kubectl get pods`), so the new one can be told apart. */
const notePods = (deps: Deps, seen: Seen): Step => ({
  title: `Note the running pods (kubectl get pods -l ${SELECTOR})`,
  task: async (ctx, task) => {
    const log = logTo(task)
    await look(deps, log, ['get', 'pods', '-n', NS, '-l', SELECTOR])
    if (ctx.dryRun) return
    seen.before = new Set((await deps.kube().listPods(NS, SELECTOR)).map((p) => p.metadata?.name ?? ''))
  },
})

/**
 * Crash-looping: the container exited non-zero and the kubelet now waits before the next try (CrashLoopBackOff,
 * what `kubectl get pods` shows). Waiting for the loop, not just the first exit, also keeps the next
 * `kubectl rollout restart` out of the second the first one was made in (kubectl refuses two within one second).
 */
function crashLooping(p: V1Pod): boolean {
  const exit = lastExit(p)
  return exit !== undefined && exit.exitCode !== 0 && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'
}

type ManagedSecret = SecretObject & { metadata?: { managedFields?: Array<{ manager?: string; operation?: string }> } }
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt'

/** --check: the Secret feeds DATABASE_PASSWORD; it was patched, the app restarted after each patch, and it is healthy again. */
export const checks: Check[] = [
  {
    observable: `secret/${SECRET} holds ${DEFAULT_KEY}`,
    hint: `a Secret (data: ${DEFAULT_KEY}: <base64>) in 01_database.yml, then kubectl apply -f kubernetes/ — look at kubectl get secrets`,
    async check(d) {
      const s = await d.read<SecretObject>({ apiVersion: 'v1', kind: 'Secret', name: SECRET, namespace: NS })
      if (!s) return fail(`no secret/${SECRET} in ${NS}`)
      return s.data?.[DEFAULT_KEY] ? pass(`secret/${SECRET} has ${DEFAULT_KEY} (value not shown)`) : fail(`secret/${SECRET} keys: ${Object.keys(s.data ?? {}).join(', ') || 'none'}`)
    },
  },
  {
    observable: `the app reads ${DEFAULT_KEY} through secretKeyRef ${SECRET}`,
    hint: `env: - name: ${DEFAULT_KEY} valueFrom: secretKeyRef: in 02_hellogopher.yml, then kubectl apply -f kubernetes/ — look at kubectl describe deployment hellogopher`,
    async check(d) {
      const c = containerOf(await readDeployment(d, NS))
      if (!c) return fail(`no deployment/${APP} in ${NS}`)
      const ref = c.env?.find((e) => e.name === DEFAULT_KEY)?.valueFrom?.secretKeyRef
      return ref?.name === SECRET && ref.key === DEFAULT_KEY ? pass(`${DEFAULT_KEY} from secret/${SECRET}`) : fail(ref ? `${DEFAULT_KEY} from secret/${ref.name} key ${ref.key}` : `${DEFAULT_KEY} is a plain value (or missing)`)
    },
  },
  {
    observable: `secret/${SECRET} patched (kubectl patch secret …)`,
    hint: `kubectl patch secret ${SECRET} --type='json' -p='[{"op":"replace","path":"/data/${DEFAULT_KEY}","value":"<base64>"}]' — first with a wrong value`,
    async check(d) {
      const s = await d.read<ManagedSecret>({ apiVersion: 'v1', kind: 'Secret', name: SECRET, namespace: NS })
      if (!s) return fail(`no secret/${SECRET}`)
      const patched = (s.metadata?.managedFields ?? []).find((f) => f.operation === 'Update' && /patch|edit/.test(f.manager ?? ''))
      return patched ? pass(`changed by ${patched.manager}`) : fail(`managed by ${[...new Set((s.metadata?.managedFields ?? []).map((f) => f.manager))].join(', ') || 'nobody'}: never patched`)
    },
  },
  {
    observable: 'the app restarted after each patch (wrong value: it cannot connect and crash-loops; right value: healed)',
    hint: 'pods read a Secret only when they start: kubectl rollout restart deployment hellogopher after the wrong value (kubectl logs <pod>: cannot connect) and again after patching the right value back',
    async check(d) {
      const restarts = new Set((await revisions(d, NS, APP)).map((rs) => rs.spec?.template?.metadata?.annotations?.[RESTARTED_AT]).filter(Boolean))
      return restarts.size >= 2 ? pass(`${restarts.size} restarts (kubectl rollout restart)`) : fail(`${restarts.size} restart${restarts.size === 1 ? '' : 's'} of deployment/${APP}`)
    },
  },
  connectedCheck(NS, 'patch the value MySQL was started with back in (its base64), restart again, then kubectl logs <pod>'),
]

export const explain: Explanation = {
  commands: [
    { run: `declare Secret ${SECRET} (data: ${DEFAULT_KEY}: <base64 of the value>) in 01_database.yml; kubectl apply -f kubernetes/`, does: ['A Secret keeps values base64-encoded — encoding, not protection: base64 -d reads them.', 'What a Secret adds: RBAC can hide it, and it stays out of the Deployment.'] },
    { run: 'kubectl get secrets    and    kubectl get secrets database-secrets -o yaml', does: ['The list shows TYPE Opaque and DATA 1; -o yaml shows the base64 value (keep it off screenshots).', 'Look at data: the key DATABASE_PASSWORD and a base64 string as its value.'] },
    { run: 'edit 02_hellogopher.yml: DATABASE_PASSWORD valueFrom: secretKeyRef {name: database-secrets, key: DATABASE_PASSWORD}; kubectl apply -f kubernetes/', does: ['The app reads DATABASE_PASSWORD from the Secret; the Deployment no longer holds it.', "Look at kubectl describe pod <pod>: DATABASE_PASSWORD <set to the key 'DATABASE_PASSWORD' in secret 'database-secrets'>."] },
    { run: `kubectl patch secret ${SECRET} --type='json' -p='[{"op":"replace","path":"/data/${DEFAULT_KEY}","value":"<base64 of a wrong value>"}]'`, does: ['Changes one key of the Secret. Running pods do not notice: env is read when a container starts.', 'Look at kubectl get pods: nothing restarts yet.'] },
    { run: 'kubectl rollout restart deployment hellogopher; kubectl get pods; kubectl logs <new pod>', does: ['The new pod cannot connect ("cannot connect to database … Access denied") and crash-loops; the old one keeps serving.', 'kubectl logs --previous shows the crashed try when the container is waiting to restart.'] },
    { run: 'patch the right base64 value back; kubectl rollout restart deployment hellogopher', does: ['The next pod connects: kubectl logs says "connected to database", READY 1/1.', 'Look at kubectl get pods: the crash-looping pod goes once the new one is ready.'] },
  ],
  next: 'tell Kubernetes what the app needs and may use: requests and limits — npx tsx tasks/lesson.ts 14 --explain',
}

export const manifests: ManifestStage[] = [
  { title: 'DATABASE_PASSWORD moves into Secret database-secrets (read through secretKeyRef)', files: { database: '01_database.yml', app: 'lessons/13-secretkeyref.yml' } },
]

export const lesson: Lesson = {
  number: 13,
  name: 'secret',
  title: 'Secret',
  summary: 'Secret database-secrets feeds DATABASE_PASSWORD; patched to a wrong value + restart → the app cannot connect; patched back → healthy',
  observable: 'after patching a wrong DATABASE_PASSWORD and restarting, the app\'s DB connection FAILS (logs say so, pod crash-loops); patching back heals it',
  namespace: NS,
  checks,
  explain,
  manifests,
  steps: (deps) => {
    const seen: Seen = { before: new Set() }
    registerSecret(WRONG_VALUE)
    const wrong = Buffer.from(WRONG_VALUE, 'utf8').toString('base64')
    const right = rightValueB64()
    return [
      ...clusterWithImages(deps, ['5.0']),
      ...reset(deps),
      ...inNamespace(deps, lessonFile('12-database.yml'), lessonFile('12-envfrom.yml')).map((s) => labelled('Setup (lesson 12)', s)),
      applyFinal(deps, '01_database.yml'),
      applyLesson(deps, '13-secretkeyref.yml'),
      observe(deps, {
        title: `the Secret (kubectl get secrets; kubectl get secrets ${SECRET} -o yaml)`,
        expect: `secret/${SECRET} listed, and the app's DATABASE_PASSWORD taken from it (secretKeyRef)`,
        looks: [['get', 'secrets', '-n', NS], ['get', 'secrets', SECRET, '-n', NS, '-o', 'yaml']],
        async check(_ctx, log) {
          const kube = deps.kube()
          await look(deps, log, ['get', 'secrets', '-n', NS])
          await look(deps, log, ['get', 'secrets', SECRET, '-n', NS, '-o', 'yaml'], { pick: /^data:|DATABASE_PASSWORD|^type:/ })
          log('(the value is base64 — encoding, not protection — and masked here because it is a secret)')
          const s = await kube.read<SecretObject>({ apiVersion: 'v1', kind: 'Secret', name: SECRET, namespace: NS })
          if (!s?.data?.[DEFAULT_KEY]) throw new NotSeen(`secret/${SECRET} with ${DEFAULT_KEY}`, s ? `keys ${Object.keys(s.data ?? {}).join(', ')}` : 'no such Secret')
          const d = await kube.getDeployment(NS, APP)
          const ref = d?.spec?.template.spec?.containers.find((c) => c.name === APP)?.env?.find((e) => e.name === DEFAULT_KEY)?.valueFrom?.secretKeyRef
          if (ref?.name !== SECRET) throw new NotSeen(`${DEFAULT_KEY} from secret/${SECRET}`, `deployment/${APP} takes it from ${ref?.name ?? 'a plain value'}`)
          return `secret/${SECRET} holds ${DEFAULT_KEY}; deployment/${APP} reads it through secretKeyRef`
        },
      }),
      notePods(deps, seen),
      labelled('Break it', patchSecret(deps, { key: DEFAULT_KEY, b64: wrong })),
      labelled('Break it', restartApp(deps, { wait: false })),
      observe(deps, {
        title: "the restarted app (kubectl get pods; kubectl logs <new pod>)",
        expect: `the restarted app failing to connect to MySQL with the wrong ${DEFAULT_KEY} (its log says so; the pod crash-loops)`,
        looks: [['get', 'pods', '-n', NS, '-l', SELECTOR], ['logs', 'hellogopher-<new pod>', '-n', NS, '--previous']],
        async check(_ctx, log) {
          const kube = deps.kube()
          const expect = `the restarted app failing to connect with the wrong ${DEFAULT_KEY}`
          const pod = await kube.waitForPod(NS, SELECTOR, (p) => {
            if (seen.before.has(p.metadata?.name ?? '')) return false
            if (isPodReady(p)) throw new NotSeen(expect, `the new pod/${p.metadata?.name} connected and is Ready — the Secret still holds the value MySQL accepts`)
            return crashLooping(p)
          }, { timeoutMs: FAIL_TIMEOUT_MS, what: 'the new hellogopher pod to crash-loop' })
          const name = pod.metadata!.name!
          const previous = crashInPreviousLog(pod)
          const text = (await kube.podLog(NS, name, { container: CONTAINER, previous })) ?? ''
          await look(deps, log, ['get', 'pods', '-n', NS, '-l', SELECTOR])
          await look(deps, log, ['logs', name, '-n', NS, ...(previous ? ['--previous'] : [])], { pick: /cannot connect|denied|starting/ })
          const line = text.split('\n').find((l) => /cannot connect to database/.test(l))
          if (!line) throw new NotSeen(`"cannot connect to database" in the log of pod/${name}`, text.trim().split('\n').pop() ?? 'an empty log')
          return `pod/${name} ${podSummary(pod).replace(/^pod\/\S+ /, '')}; its log: ${line.replace(/^\S+ \S+ /, '')}`
        },
      }),
      labelled('Heal it', patchSecret(deps, { key: DEFAULT_KEY, b64: right })),
      labelled('Heal it', restartApp(deps, { wait: true })),
      appConnected(deps),
    ]
  },
}
