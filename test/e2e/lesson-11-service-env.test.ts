/** Lesson 11 on the lab: the app pod's MYSQL_* env comes from the Service; database test exists; the app logged it. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { api, expectOk, kube, kubectl, lesson, servingPod } from './helpers.ts'

const NS = 'hellogopher'

test('lesson 11: MYSQL_* env in the pod, database test, connected to database', async () => {
  const r = await lesson(11)
  await expectOk(r, 'lesson 11', NS)
  assert.match(r.stdout, /MYSQL_SERVICE_HOST=\d+\.\d+\.\d+\.\d+/)
  assert.match(r.stdout, /MYSQL_PORT_3306_TCP=tcp:\/\//)
  assert.match(r.stdout, /Seen: SHOW DATABASES lists test/)
  assert.match(r.stdout, /Seen: pod\/hellogopher-\S+ logged: connected to database/)
  assert.not.match(r.stdout, /DATABASE_PASSWORD=/)
})

test('independent: env, database and log, read again', async () => {
  const svc = await api().core.readNamespacedService({ namespace: NS, name: 'mysql' })
  const ip = svc.spec?.clusterIP?.replace(/\./g, '\\.')
  const pod = await servingPod(NS)
  const env = await kubectl(['exec', '-n', NS, pod, '--', 'env'])
  await expectOk(env, 'env', NS)
  for (const line of [`MYSQL_SERVICE_HOST=${ip}`, 'MYSQL_SERVICE_PORT=3306', `MYSQL_PORT=tcp://${ip}:3306`, `MYSQL_PORT_3306_TCP=tcp://${ip}:3306`, 'MYSQL_PORT_3306_TCP_PROTO=tcp', 'MYSQL_PORT_3306_TCP_PORT=3306', `MYSQL_PORT_3306_TCP_ADDR=${ip}`]) {
    assert.match(env.stdout, new RegExp(`^${line}$`, 'm'))
  }
  assert.match(env.stdout, /^DATABASE_NAME=test$/m)
  // the lesson's settings are plain values (ConfigMap and Secret come in lessons 12 and 13)
  const d = await kube().getDeployment(NS, 'hellogopher')
  const e = d?.spec?.template.spec?.containers[0]?.env ?? []
  assert.equal(e.map((x) => [x.name, x.value !== undefined, x.valueFrom === undefined]), [['DATABASE_USERNAME', true, true], ['DATABASE_PASSWORD', true, true], ['DATABASE_NAME', true, true]])
  const dbs = await kubectl(['exec', '-n', NS, 'deploy/mysql', '--', 'sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot -N -e "SHOW DATABASES"'])
  assert.ok(dbs.stdout.split('\n').map((l) => l.trim()).includes('test'), dbs.stdout)
  const logs = await kubectl(['logs', '-n', NS, pod])
  assert.match(logs.stdout, /connected to database at .*:3306 as root/, `kubectl logs ${pod}: ${logs.stdout.trim() || logs.stderr.trim()}`)
})

test.run()
