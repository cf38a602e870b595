/**
 * Lesson 12 on the lab: ConfigMaps from a literal and from the env file; the app got the values through
 * configMapKeyRef (its earlier ReplicaSet) and now through envFrom; the declared ConfigMap replaced the hand-made one.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { api, expectOk, kube, kubectl, lesson, servingPod } from './helpers.ts'

const NS = 'hellogopher'
type ConfigMap = { data?: Record<string, string>; metadata?: { managedFields?: Array<{ manager?: string; operation?: string }> } }

test('lesson 12: create from literal and env file, configMapKeyRef, envFrom, declared ConfigMap', async () => {
  const r = await lesson(12)
  await expectOk(r, 'lesson 12', NS)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?create configmap hellogopher-config --from-literal=log_level=debug -n hellogopher/)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?create configmap database-configs --from-env-file=manifests\/lessons\/12-dbConfig\.properties -n hellogopher/)
  assert.match(r.stdout, /Seen: configmap\/hellogopher-config \{log_level: debug\}; configmap\/database-configs \{"DATABASE_NAME":"test","DATABASE_USERNAME":"root"\}/)
  assert.match(r.stdout, /from configmap\/database-configs \(configMapKeyRef\)/)
  assert.match(r.stdout, /from configmap\/database-configs \(envFrom\)/)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?delete configmap database-configs -n hellogopher/)
})

test('independent: the ConfigMaps hold the literal and the env file; the declared one is applied', async () => {
  const k = kube()
  const literal = await k.read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name: 'hellogopher-config', namespace: NS })
  assert.equal(literal?.data, { log_level: 'debug' })
  assert.ok(literal?.metadata?.managedFields?.some((f) => f.manager === 'kubectl-create'), 'hellogopher-config was not made by kubectl create')
  // TUTORIAL.md lesson 12: dbConfig.properties is `DATABASE_USERNAME=root`, `DATABASE_NAME=test`
  const want = { DATABASE_USERNAME: 'root', DATABASE_NAME: 'test' }
  const db = await k.read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name: 'database-configs', namespace: NS })
  assert.equal(db?.data, want)
  assert.ok(db?.metadata?.managedFields?.some((f) => f.operation === 'Apply'), 'database-configs is not the declared (applied) one')
})

test('independent: an earlier ReplicaSet took the values by configMapKeyRef; the pod now takes them by envFrom', async () => {
  const k = kube()
  const name = await servingPod(NS)
  const rs = await api().apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=hellogopher' })
  const keyRef = rs.items.find((x) => x.spec?.template?.spec?.containers[0]?.env?.some((e) => e.valueFrom?.configMapKeyRef?.name === 'database-configs'))
  assert.ok(keyRef, 'no ReplicaSet whose template uses configMapKeyRef')
  const pod = (await k.listPods(NS, 'app=hellogopher')).find((p) => p.metadata?.name === name)
  const c = pod?.spec?.containers[0]
  assert.ok(c?.envFrom?.some((e) => e.configMapRef?.name === 'database-configs'), 'the running pod does not use envFrom')
  const env = await kubectl(['exec', '-n', NS, pod!.metadata!.name!, '--', 'env'])
  await expectOk(env, 'env in the pod', NS)
  assert.match(env.stdout, /^DATABASE_USERNAME=root$/m)
  assert.match(env.stdout, /^DATABASE_NAME=test$/m)
  const logs = await kubectl(['logs', '-n', NS, pod!.metadata!.name!])
  assert.match(logs.stdout, /connected to database/)
})

test.run()
