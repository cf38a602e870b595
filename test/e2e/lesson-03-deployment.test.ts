/** Lesson 3 on the lab: the first Deployment's pod Running; a pod whose image is not in the runtime in ErrImageNeverPull. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createShell } from '../../tasks/lib/shell.ts'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import type { V1Pod } from '../../tasks/lib/kube.ts'
import { expectOk, kube, kubectl, lesson, provider } from './helpers.ts'

const NS = 'default'

test('lesson 3 creates the Deployment, sees its pod Running and the missing image reported', async () => {
  const r = await lesson(3)
  await expectOk(r, 'lesson 3', NS)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?apply --server-side --force-conflicts -f \S*manifests\/lessons\/03-hellogopher\.yml/)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?get all -n default/)
  assert.match(r.stdout, /imagePullPolicy: Never/)
  assert.match(r.stdout, /Seen: pod\/hellogopher-\S+ Running/)
  assert.match(r.stdout, /hellogopher-not-built\s+0\/1\s+ErrImageNeverPull/)
})

test('independent: one hellogopher pod Running with image 1.0, never pulled', async () => {
  const pods = (await kube().listPods(NS, 'app=hellogopher')).filter((p) => !p.metadata?.deletionTimestamp)
  assert.is(pods.length, 1, pods.map((p) => p.metadata?.name).join(', '))
  assert.ok(isPodReady(pods[0]!))
  assert.is(pods[0]!.spec?.containers[0]?.image, 'programmingpercy/hellogopher:1.0')
  assert.is(pods[0]!.spec?.containers[0]?.imagePullPolicy, 'Never')
  assert.is(pods[0]!.spec?.containers[0]?.ports?.[0]?.containerPort, 8080)
})

test('independent: the image that is not in the runtime leaves its pod in ErrImageNeverPull', async () => {
  assert.not.ok(await provider().imageInRuntime(createShell(), 'programmingpercy/hellogopher:0.0'))
  const p = await kube().read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: 'hellogopher-not-built', namespace: NS })
  const reason = p?.status?.containerStatuses?.[0]?.state?.waiting?.reason
  assert.match(reason ?? '(none)', /^(ErrImageNeverPull|ErrImagePull|ImagePullBackOff)$/)
  const r = await kubectl(['get', 'pod', 'hellogopher-not-built', '-n', NS, '--no-headers'])
  assert.match(r.stdout, /0\/1\s+(ErrImageNeverPull|ErrImagePull|ImagePullBackOff)\s/)
})

test.run()
