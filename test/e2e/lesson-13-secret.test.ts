/**
 * Lesson 13 on the lab: the Secret is listed and feeds DATABASE_PASSWORD; a wrong value + restart makes the app
 * fail to connect (log says so), the right one heals it. Checked again by hand with tasks/patch-secret.ts.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import { WRONG_VALUE } from '../../tasks/lessons/13-secret.ts'
import { expectOk, kube, kubectl, lesson, task } from './helpers.ts'

const NS = 'hellogopher'
const E2E_WRONG = 'e2e-not-the-one'

test('lesson 13: secret listed; wrong value → cannot connect; right value → connected', async () => {
  const r = await lesson(13)
  await expectOk(r, 'lesson 13', NS)
  assert.match(r.stdout, /database-secrets\s+Opaque\s+1/)
  assert.match(r.stdout, /DATABASE_PASSWORD: ••••••/)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?patch secret database-secrets -n hellogopher --type=json --patch-file \S+/)
  assert.match(r.stdout, /Seen: pod\/\S+ .*its log: cannot connect to database at .*Access denied/)
  assert.match(r.stdout, /Seen: pod\/hellogopher-\S+ logged: connected to database/)
  // the Secret's values never show: not its base64, not the wrong value the lesson patched in
  for (const s of ['cGFzc3dvcmQ=', WRONG_VALUE, Buffer.from(WRONG_VALUE).toString('base64')]) assert.not.ok(`${r.stdout}${r.stderr}`.includes(s), `${s} shown`)
})

test('independent: kubectl get secrets lists it; the app reads DATABASE_PASSWORD through secretKeyRef', async () => {
  const list = await kubectl(['get', 'secrets', '-n', NS, '-o', 'name'])
  assert.ok(list.stdout.split('\n').includes('secret/database-secrets'), list.stdout)
  const d = await kube().getDeployment(NS, 'hellogopher')
  const ref = d?.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'DATABASE_PASSWORD')?.valueFrom?.secretKeyRef
  assert.equal({ name: ref?.name, key: ref?.key }, { name: 'database-secrets', key: 'DATABASE_PASSWORD' })
})

test('independent: patch-secret.ts with a wrong value + --restart fails to connect; the right value heals it', async () => {
  const broken = await task('patch-secret.ts', ['--from-stdin', '--restart', '--timeout', '30'], { input: E2E_WRONG })
  assert.is(broken.code, 1, `${broken.stdout}\n${broken.stderr}`)
  assert.match(broken.stderr, /cannot connect to database/)
  assert.not.ok(`${broken.stdout}${broken.stderr}`.includes(E2E_WRONG), 'the wrong value was printed')
  // the new pod's own log says why
  const newest = (await kube().listPods(NS, 'app=hellogopher')).filter((p) => !isPodReady(p)).pop()
  assert.ok(newest, 'no failing pod')
  // a stopped container's crash is in its own log; one that runs again (or waits to) has it in --previous
  const c = newest!.status?.containerStatuses?.[0]
  const previous = !c?.state?.terminated && !!c?.lastState?.terminated
  const logs = await kubectl(['logs', '-n', NS, newest!.metadata!.name!, ...(previous ? ['--previous'] : [])])
  assert.match(logs.stdout, /cannot connect to database at .*Access denied/)

  const healed = await task('patch-secret.ts', ['--from-stdin', '--base64', '--restart'], { input: 'cGFzc3dvcmQ=' })
  await expectOk(healed, 'patch the right value back', NS)
  const pods = (await kube().listPods(NS, 'app=hellogopher')).filter(isPodReady)
  assert.is(pods.length, 1)
  const ok = await kubectl(['logs', '-n', NS, pods[0]!.metadata!.name!])
  assert.match(ok.stdout, /connected to database/)
})

test.run()
