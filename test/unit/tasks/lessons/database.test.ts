/** tasks/lessons/database.ts: `mysql -p` with the password from the pod's own env, the mysql pod once it listens, the app pod, and the app's "connected" line. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { V1Pod } from '../../../../tasks/lib/kube.ts'
import { appConnected, appPod, MYSQL_READY, mysqlArgs, NO_PROMPT, readyMysqlPod } from '../../../../tasks/lessons/database.ts'
import { NotSeen } from '../../../../tasks/lessons/types.ts'
import { fakeDeps, fakeKube, fakeShell, runStep, SECRET_B64, SECRET_WORD, testCtx } from '../../fakes.ts'

const pod = (name: string, o: { created: string; phase?: string; ready?: boolean; deleting?: boolean }): V1Pod =>
  ({
    metadata: { name, creationTimestamp: o.created, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:10:00Z' } : {}) },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  }) as unknown as V1Pod

test('mysqlArgs: the password is read inside the pod from its env — never a value in our argv', () => {
  const args = mysqlArgs('mysql-abc', 'SHOW DATABASES', 'hellogopher')
  assert.equal(args.slice(0, 7), ['exec', 'mysql-abc', '-n', 'hellogopher', '--', 'sh', '-c'])
  assert.is(args[7], 'echo "$MYSQL_ROOT_PASSWORD" | mysql -uroot -p -e "SHOW DATABASES"')
  assert.not.match(args.join(' '), SECRET_WORD, "the tutorial's value is not in it")
  assert.not.ok(args.join(' ').includes(SECRET_B64))
})

test("MYSQL_READY: the server's line on port 3306, not the init-time server's port 0; NO_PROMPT drops the password prompt", () => {
  assert.ok(MYSQL_READY.test("Version: '10.11.6-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12"))
  assert.not.ok(MYSQL_READY.test("Version: '10.11.6-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 0  Debian 12"))
  assert.equal(['Enter password: ', 'Database', 'test'].filter((l) => NO_PROMPT.test(l)), ['Database', 'test'])
})

test('readyMysqlPod: the newest Running mysql pod not going away, after its log says it listens', async () => {
  const pods = [pod('mysql-old', { created: '2026-01-01T00:00:00Z' }), pod('mysql-new', { created: '2026-01-01T00:05:00Z' }), pod('mysql-going', { created: '2026-01-01T00:09:00Z', deleting: true })]
  const kube = fakeKube({ listPods: async () => pods, waitForLog: async () => 'Version: x port: 3306' })
  assert.is(await readyMysqlPod(fakeDeps({ kube })), 'mysql-new')
  assert.equal(kube.calls.map((c) => c.method), ['listPods', 'waitForLog'])
  assert.equal(kube.calls[0]!.args, ['hellogopher', 'app=mysql'])
  assert.equal(kube.calls[1]!.args.slice(0, 4), ['hellogopher', 'mysql-new', 'mysql', MYSQL_READY])
})

test('readyMysqlPod: no running mysql pod → not seen, naming the namespace', async () => {
  const kube = fakeKube({ listPods: async () => [pod('mysql-p', { created: '2026-01-01T00:00:00Z', phase: 'Pending' })] })
  try {
    await readyMysqlPod(fakeDeps({ kube }), 'default')
    assert.unreachable()
  } catch (e) {
    assert.instance(e, NotSeen)
    assert.is((e as Error).message, 'not seen: a running mysql pod — saw: none in default')
  }
})

test('appPod: the newest Ready hellogopher pod; none Ready → not seen', async () => {
  const pods = [pod('hg-ready', { created: '2026-01-01T00:00:00Z' }), pod('hg-starting', { created: '2026-01-01T00:05:00Z', ready: false })]
  assert.is(await appPod(fakeDeps({ kube: fakeKube({ listPods: async () => pods }) })), 'hg-ready')
  try {
    await appPod(fakeDeps({ kube: fakeKube({ listPods: async () => [pods[1]!] }) }))
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).message, 'not seen: a Ready hellogopher pod — saw: none matches app=hellogopher in hellogopher')
  }
})

test('appConnected: seen when the log has "connected to database" (the timestamp dropped); else the last log line is what was seen', async () => {
  const connected = '2026/01/01 00:00:01 connected to database at mysql:3306 as root'
  const kube = fakeKube({ listPods: async () => [pod('hg-1', { created: '2026-01-01T00:00:00Z' })], podLog: async () => `2026/01/01 00:00:00 starting\n${connected}\n` })
  const sh = fakeShell()
  const t = await runStep(appConnected(fakeDeps({ kube, sh })), testCtx())
  assert.is(t.title, 'Seen: pod/hg-1 logged: connected to database at mysql:3306 as root')
  assert.ok(sh.commands().some((c) => c.endsWith('logs hg-1 -n hellogopher')), sh.commands().join('\n'))
  const silent = fakeKube({ listPods: async () => [pod('hg-1', { created: '2026-01-01T00:00:00Z' })], podLog: async () => '2026/01/01 00:00:00 cannot reach mysql:3306\n' })
  try {
    await runStep(appConnected(fakeDeps({ kube: silent })), testCtx())
    assert.unreachable()
  } catch (e) {
    assert.instance(e, NotSeen)
    assert.match((e as Error).message, /saw: 2026\/01\/01 00:00:00 cannot reach mysql:3306$/)
  }
})

test.run()
