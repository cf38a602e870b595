/**
 * Lesson 13: the Secret is listed and feeds DATABASE_PASSWORD; a wrong value + restart makes the app fail to
 * connect (log says so, the pod restarts / crash-loops), the right one heals it. Watched while the lesson runs
 * (the Secret's data and the pods, read from the cluster), then checked again by hand with tasks/patch-secret.ts.
 * Secret values are compared, never printed.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import type { V1Pod } from '../../tasks/lib/kube.ts'
import { WRONG_VALUE } from '../../tasks/lessons/13-secret.ts'
import { api, expectOk, kube, kubectl, lesson, task, watchWhile } from './helpers.ts'

const NS = 'hellogopher'
const E2E_WRONG = 'e2e-not-the-one'
// TUTORIAL.md lesson 13: `DATABASE_PASSWORD: cGFzc3dvcmQ=` (base64 of `password`)
const TUTORIAL_B64 = 'cGFzc3dvcmQ='
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')

/** A Secret value as a name that can be printed: which of the known values it is, never the value itself. */
const nameOf = (v: string | undefined, wrong: string) => (v === undefined ? 'absent' : v === TUTORIAL_B64 ? 'right' : v === b64(wrong) ? 'wrong' : 'other')

async function secretValue(): Promise<string | undefined> {
  const s = await api().core.readNamespacedSecret({ namespace: NS, name: 'database-secrets' })
  return s.data?.DATABASE_PASSWORD
}

/** Watch the Secret's DATABASE_PASSWORD while `fn` runs: the values it held, in order (named, see nameOf), and when. */
async function secretWhile<T>(fn: () => Promise<T>, wrong: string): Promise<{ result: T; held: string[]; since: number[]; errors: string[] }> {
  const { Watch } = await import('@kubernetes/client-node')
  const held: string[] = []
  const since: number[] = []
  const errors: string[] = []
  const c = await new Watch(api().kc).watch(
    `/api/v1/namespaces/${NS}/secrets`,
    { fieldSelector: 'metadata.name=database-secrets' },
    (type: string, s: { data?: Record<string, string> }) => {
      const v = type === 'DELETED' ? 'absent' : nameOf(s.data?.DATABASE_PASSWORD, wrong)
      if (held.at(-1) !== v) {
        held.push(v)
        since.push(Date.now())
      }
    },
    (err: unknown) => {
      if (err && !(err instanceof Error && err.name === 'AbortError')) errors.push(String((err as Error).message ?? err))
    },
  )
  try {
    return { result: await fn(), held, since, errors }
  } finally {
    c.abort()
  }
}

const created = (p: V1Pod) => new Date((p.metadata?.creationTimestamp as unknown as string) ?? 0).getTime()

/** The newest hellogopher pod by creation time that is not going away. */
async function newestPod(): Promise<V1Pod | undefined> {
  const pods = (await kube().listPods(NS, 'app=hellogopher')).filter((p) => !p.metadata?.deletionTimestamp)
  return pods.sort((a, b) => created(b) - created(a))[0]
}

const crashing = (p: V1Pod) => {
  const c = p.status?.containerStatuses?.[0]
  return (c?.restartCount ?? 0) >= 1 || c?.state?.waiting?.reason === 'CrashLoopBackOff'
}

test('lesson 13, watched: the Secret held the wrong value, then the right one; a pod restarted / crash-looped; healed', async () => {
  const { result: w, held, since, errors } = await secretWhile(() => watchWhile(NS, () => lesson(13)), WRONG_VALUE)
  const { result: r, pods, errors: podErrors } = w
  await expectOk(r, 'lesson 13', NS)
  assert.equal([...errors, ...podErrors], [])
  assert.match(r.stdout, /database-secrets\s+Opaque\s+1/)
  assert.match(r.stdout, /DATABASE_PASSWORD: ••••••/)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?patch secret database-secrets -n hellogopher --type=json --patch-file \S+/)
  // the Secret's values never show: not its base64, not the wrong value the lesson patched in
  for (const s of [TUTORIAL_B64, WRONG_VALUE, b64(WRONG_VALUE)]) assert.not.ok(`${r.stdout}${r.stderr}`.includes(s), 'a Secret value was shown')

  // from the cluster: the Secret went right → wrong → right, and ends right
  const wrongAt = held.indexOf('wrong')
  assert.ok(wrongAt > 0 && held.slice(0, wrongAt).includes('right'), `the Secret held, in order: ${held.join(' → ')}`)
  assert.ok(held.slice(wrongAt).includes('right'), `never patched back: ${held.join(' → ')}`)
  assert.is(nameOf(await secretValue(), WRONG_VALUE), 'right', 'the Secret after the lesson')

  // the pods the restart made while the Secret was wrong (first seen after it turned wrong, before it was right
  // again): at least one, each restarting or crash-looping, none ever ready
  const wrongFrom = since[wrongAt]!
  const rightAgain = since[held.indexOf('right', wrongAt)]!
  const firstSeen = new Map<string, number>()
  for (const m of pods) if (m.name.startsWith('hellogopher-') && !firstSeen.has(m.name)) firstSeen.set(m.name, m.at)
  const restarted = [...firstSeen].filter(([, at]) => at >= wrongFrom && at < rightAgain).map(([name]) => name)
  assert.ok(restarted.length >= 1, `no hellogopher pod appeared while the Secret was wrong: ${JSON.stringify([...firstSeen])}`)
  const failing = restarted.filter((name) => pods.some((m) => m.name === name && (m.restarts >= 1 || m.waiting === 'CrashLoopBackOff')))
  assert.ok(failing.length >= 1, `none of ${restarted.join(', ')} restarted or crash-looped: ${JSON.stringify(pods.filter((m) => restarted.includes(m.name)).slice(-5))}`)
  for (const name of restarted) assert.not.ok(pods.some((m) => m.name === name && m.ready), `pod/${name} was ready with the wrong password`)
  // healed: the newest pod (by creation time) is ready, not one of the failing ones
  const now = await newestPod()
  assert.ok(now && isPodReady(now), `the newest pod is not ready: ${now?.metadata?.name}`)
  assert.not.ok(failing.includes(now!.metadata!.name!), `the newest pod ${now!.metadata!.name} is one that failed`)
  const logs = await kubectl(['logs', '-n', NS, now!.metadata!.name!])
  await expectOk(logs, 'kubectl logs', NS)
  assert.match(logs.stdout, /connected to database/)
})

test('independent: kubectl get secrets lists it; the app reads DATABASE_PASSWORD through secretKeyRef', async () => {
  const list = await kubectl(['get', 'secrets', '-n', NS, '-o', 'name'])
  await expectOk(list, 'kubectl get secrets', NS)
  assert.ok(list.stdout.split('\n').includes('secret/database-secrets'), list.stdout)
  const d = await kube().getDeployment(NS, 'hellogopher')
  const ref = d?.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'DATABASE_PASSWORD')?.valueFrom?.secretKeyRef
  assert.equal({ name: ref?.name, key: ref?.key }, { name: 'database-secrets', key: 'DATABASE_PASSWORD' })
})

test('independent: patch-secret.ts with a wrong value + --restart fails to connect; the right value heals it', async () => {
  const before = new Set((await kube().listPods(NS, 'app=hellogopher')).map((p) => p.metadata?.name))
  const broken = await task('patch-secret.ts', ['--from-stdin', '--restart', '--timeout', '30'], { input: E2E_WRONG })
  assert.is(broken.code, 1, `${broken.stdout}\n${broken.stderr}`)
  assert.match(broken.stderr, /cannot connect to database/)
  assert.not.ok(`${broken.stdout}${broken.stderr}`.includes(E2E_WRONG), 'the wrong value was printed')
  // the Secret as the cluster has it now: the value just patched in
  assert.is(nameOf(await secretValue(), E2E_WRONG), 'wrong', 'the Secret after patching the wrong value')

  // the newest pod by creation time is the restarted one; it restarts or crash-loops (watched until it does)
  const newest = await newestPod()
  assert.ok(newest, 'no hellogopher pod')
  const name = newest.metadata!.name!
  assert.not.ok(before.has(name), `the newest pod ${name} is not a new one: --restart made none`)
  const failed = await kube().waitForPod(NS, 'app=hellogopher', (p) => p.metadata?.name === name && crashing(p), { timeoutMs: 120_000, what: `pod/${name} to restart or crash-loop` })
  assert.not.ok(isPodReady(failed), `pod/${name} is ready with the wrong password`)
  // a stopped container's crash is in its own log; one that runs again (or waits to) has it in --previous
  const c = failed.status?.containerStatuses?.[0]
  const previous = !c?.state?.terminated && !!c?.lastState?.terminated
  const logs = await kubectl(['logs', '-n', NS, name, ...(previous ? ['--previous'] : [])])
  assert.match(logs.stdout, /cannot connect to database at .*Access denied/)

  const healed = await task('patch-secret.ts', ['--from-stdin', '--base64', '--restart'], { input: TUTORIAL_B64 })
  await expectOk(healed, 'patch the right value back', NS)
  assert.is(nameOf(await secretValue(), E2E_WRONG), 'right', 'the Secret after patching the right value back')
  const pods = (await kube().listPods(NS, 'app=hellogopher')).filter((p) => isPodReady(p) && !p.metadata?.deletionTimestamp)
  assert.is(pods.length, 1, pods.map((p) => p.metadata?.name).join(', '))
  const ok = await kubectl(['logs', '-n', NS, pods[0]!.metadata!.name!])
  assert.match(ok.stdout, /connected to database/)
})

test.run()
