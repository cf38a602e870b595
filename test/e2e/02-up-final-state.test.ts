/**
 * The product, end to end on the lab: `up` reaches the tutorial's final state, a person can see it work
 * (HTTP through the NodePort, the database, service env vars, the app's log), a second `up` only checks,
 * and `teardown` leaves nothing behind.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { expectOk, kube, kubectl, serviceGet, stepLines, task } from './helpers.ts'

const NS = 'hellogopher'

test.before(async () => {
  // start from nothing of the tutorial, whatever an earlier suite left
  await expectOk(await task('teardown.ts'), 'teardown before up')
})

test('up brings the tutorial to its final state', async () => {
  const r = await task('up.ts')
  await expectOk(r, 'up', NS)
  process.stdout.write(`    up (images cached or not): ${r.ms} ms\n`)
  const url = /answers "Hello gopher" at (http:\/\/\S+)/.exec(r.stdout)?.[1]
  assert.ok(url, `up printed no URL:\n${r.stdout.slice(-1500)}`)
})

test('GET through the NodePort answers Hello gopher', async () => {
  const svc = await kube().core.readNamespacedService({ namespace: NS, name: 'hellogopher' })
  const port = svc.spec?.ports?.[0]?.nodePort ?? 0
  assert.is(svc.spec?.type, 'NodePort')
  assert.ok(port >= 30000 && port <= 32767, `nodePort ${port}`)
  const res = await serviceGet(NS, 'hellogopher')
  const url = res.url
  assert.ok(url.endsWith(`:${port}`) || !url.includes('10.250.0.1'), `service URL ${url} does not use nodePort ${port}`)
  assert.is(res.status, 200)
  assert.match(res.body, /Hello gopher/)
})

test('SHOW DATABASES in the MySQL pod lists test', async () => {
  // the password stays inside the pod: it comes from the pod's own env, not our argv
  const r = await kubectl(['exec', '-n', NS, 'deploy/mysql', '--', 'sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot -N -e "SHOW DATABASES"'])
  await expectOk(r, 'mysql SHOW DATABASES', NS)
  assert.ok(r.stdout.split('\n').map((l) => l.trim()).includes('test'), r.stdout)
})

test('the hellogopher pod got MYSQL_SERVICE_HOST from the Service, and logged connected to database', async () => {
  const env = await kubectl(['exec', '-n', NS, 'deploy/hellogopher', '--', 'env'])
  await expectOk(env, 'env in hellogopher', NS)
  const svc = await kube().core.readNamespacedService({ namespace: NS, name: 'mysql' })
  assert.match(env.stdout, new RegExp(`^MYSQL_SERVICE_HOST=${svc.spec?.clusterIP?.replace(/\./g, '\\.')}$`, 'm'))
  assert.match(env.stdout, /^MYSQL_SERVICE_PORT=3306$/m)
  assert.match(env.stdout, /^MYSQL_PORT_3306_TCP=tcp:\/\//m)
  const logs = await kubectl(['logs', '-n', NS, 'deploy/hellogopher'])
  assert.match(logs.stdout, /connected to database/)
})

test('a second up skips every step that changes something', async () => {
  const r = await task('up.ts')
  await expectOk(r, 'second up', NS)
  const s = stepLines(r.stdout)
  // preflight, docker-env and the final HTTP check are reads that always run; everything else must skip
  const acted = s.done.filter((l) => !/Check the tools|docker-env|answers "Hello gopher"/.test(l))
  assert.equal(acted, [], `steps that acted on a second run:\n${acted.join('\n')}\n${r.stdout.slice(-2000)}`)
  assert.ok(s.skipped.length >= 9, `expected ≥9 skipped steps, got ${s.skipped.length}`)
  process.stdout.write(`    second up: ${r.ms} ms\n`)
})

test('teardown leaves no tutorial object and restores the context namespace', async () => {
  const r = await task('teardown.ts')
  await expectOk(r, 'teardown', NS)
  const k = kube()
  assert.is(await k.read({ apiVersion: 'v1', kind: 'Namespace', name: NS }), undefined, 'namespace hellogopher still exists')
  for (const [kind, apiVersion] of [['Deployment', 'apps/v1'], ['Service', 'v1'], ['ConfigMap', 'v1'], ['Secret', 'v1']] as const) {
    for (const name of ['hellogopher', 'mysql', 'database-configs', 'database-secrets']) {
      assert.is(await k.read({ apiVersion, kind, name, namespace: 'default' }), undefined, `${kind}/${name} left in default`)
    }
  }
  const ns = await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'])
  assert.ok(ns.stdout.trim() === '' || ns.stdout.trim() === 'default', `context namespace is '${ns.stdout}'`)
})

test.run()
