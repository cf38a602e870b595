/** Lesson 10 on the lab: everything in namespace hellogopher, nothing in default, the context switched, `mysql -p` works. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { E2E_PROVIDER, expectOk, kube, kubectl, lesson, serviceGet } from './helpers.ts'

const NS = 'hellogopher'

test('lesson 10: hellogopher + MySQL + Service in namespace hellogopher; mysql -p logs in', async () => {
  const r = await lesson(10)
  await expectOk(r, 'lesson 10', NS)
  // the lab cannot pull: it swaps in its own MariaDB build, and says so
  if (E2E_PROVIDER === 'lab') assert.match(r.stdout, /image override \(lab\): mysql:8\.0 → localhost\/lab\/mysql-compat:/)
  assert.match(r.stdout, /\$ kubectl config set-context --current --namespace=hellogopher/)
  assert.match(r.stdout, /Seen: deployments and services hellogopher and mysql live in hellogopher; default has none of them/)
  assert.match(r.stdout, /Seen: mysql -p in pod\/mysql-\S+ logged in/)
})

test('independent: the objects live in hellogopher, none in default; the context points at hellogopher', async () => {
  const names = await kubectl(['get', 'deployments,services', '-n', NS, '-o', 'name'])
  for (const n of ['deployment.apps/hellogopher', 'deployment.apps/mysql', 'service/hellogopher', 'service/mysql']) assert.ok(names.stdout.split('\n').includes(n), `${n} missing:\n${names.stdout}`)
  const def = await kubectl(['get', 'all', '-n', 'default', '-o', 'name'])
  assert.equal(def.stdout.trim().split('\n'), ['service/kubernetes'])
  const ctxNs = await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'])
  assert.is(ctxNs.stdout.trim(), NS)
  // plain kubectl (no -n) now looks in hellogopher
  const plain = await kubectl(['get', 'deployments', '-o', 'name'])
  assert.ok(plain.stdout.includes('deployment.apps/mysql'), plain.stdout)
  const db = await kube().getDeployment(NS, 'mysql')
  assert.is(db?.spec?.strategy?.type, 'Recreate')
  const res = await serviceGet(NS, 'hellogopher')
  assert.is(res.body.trim(), 'Hello gopher')
})

test('independent: mysql -p inside the MySQL pod takes the right password (from the pod env) and refuses a wrong one', async () => {
  const ok = await kubectl(['exec', '-n', NS, 'deploy/mysql', '--', 'sh', '-c', 'echo "$MYSQL_ROOT_PASSWORD" | mysql -uroot -p -N -e "SELECT 6*7"'])
  await expectOk(ok, 'mysql -p', NS)
  assert.is(ok.stdout.trim(), '42')
  const bad = await kubectl(['exec', '-n', NS, 'deploy/mysql', '--', 'sh', '-c', 'echo not-it | mysql -uroot -p -N -e "SELECT 1"'])
  assert.is.not(bad.code, 0)
  assert.match(bad.stderr, /Access denied for user 'root'/)
})

test.run()
