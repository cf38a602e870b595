/**
 * tasks/lib/view/status-text.ts: the status screen and the one-line-per-change output drawn from the view of fixture
 * objects (shaped like `kubectl get -o json`) — unhealthy pods marked, no env or Secret VALUE ever shown, ages,
 * lines cut to the terminal. The view itself is tested in model.test.ts, the reflector in reflector.test.ts.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildView, type ClusterObjects } from '../../../../../tasks/lib/view/model.ts'
import { age, changeLines, fitLine, frame, objectLines, renderStatus } from '../../../../../tasks/lib/view/status-text.ts'
import { finalState, LITERAL_VALUE, NOW, SECRET_VALUE, troubledDefault, event } from '../../../fixtures/cluster-objects.ts'

const urls = new Map([['hellogopher/hellogopher', 'http://10.250.0.1:31234']])

test('final state: the screen, line by line', () => {
  const lines = renderStatus(buildView(finalState(), { urls }), { now: NOW })
  assert.equal(lines, [
    'namespace hellogopher',
    '  deployment/hellogopher  1/1 ready  programmingpercy/hellogopher:5.0  rolled out',
    '    replicaset/hellogopher-7d4b9c (rev 1)  1/1  programmingpercy/hellogopher:5.0',
    '      pod/hellogopher-7d4b9c-x2x7q  Running  1/1  restarts 0  age 5m  last event Started: Started container hellogopher',
    '        reads configmap/database-configs (envFrom: DATABASE_NAME, DATABASE_USERNAME) · secret/database-secrets (DATABASE_PASSWORD)',
    '  deployment/mysql  1/1 ready  mysql:8.0  rolled out',
    '    replicaset/mysql-66c8f4 (rev 1)  1/1  mysql:8.0',
    '      pod/mysql-66c8f4-9kq2l  Running  1/1  restarts 0  age 5m',
    '        reads secret/database-secrets (DATABASE_PASSWORD) · env (MYSQL_EXTRA_PASSWORD)',
    '  service/hellogopher  NodePort  8080:31234/TCP  selects app=hellogopher → 1 pod  http://10.250.0.1:31234',
    '  service/mysql  ClusterIP  3306/TCP  selects app=mysql → 1 pod',
    'namespace default: nothing of the tutorial',
  ])
})

test('a namespace that is not there says so; unknown existence shows what there is', () => {
  const o = { ...finalState(), existing: new Set(['default']) }
  assert.is(renderStatus(buildView(o), { now: NOW })[0], 'namespace hellogopher: not there')
  const { existing: _e, ...unknown } = finalState()
  assert.is(renderStatus(buildView(unknown), { now: NOW })[0], 'namespace hellogopher')
})

test('no env value and no Secret value ever shows: screen, change lines, colour screen', () => {
  const objects: ClusterObjects = { ...troubledDefault(), namespaces: ['hellogopher', 'default'] }
  const f = finalState()
  objects.pods.push(...f.pods)
  objects.configMaps.push(...f.configMaps)
  const v = buildView(objects, { urls })
  const text = [...renderStatus(v, { now: NOW }), ...renderStatus(v, { now: NOW, color: true }), ...changeLines(new Map(), objectLines(v), '14:00:00')].join('\n')
  for (const secret of [SECRET_VALUE, LITERAL_VALUE]) assert.not.ok(text.includes(secret), `${secret} shown`)
  // the names are there: that is what a learner needs
  assert.ok(text.includes('MYSQL_EXTRA_PASSWORD') && text.includes('env (DATABASE_PASSWORD)'))
  // ConfigMap values are not shown either: keys only
  assert.not.match(text, /DATABASE_USERNAME[=:]\s*root/)
})

test('the screen marks unhealthy pods and says why a container stopped; rollout in progress shown', () => {
  const lines = renderStatus(buildView(troubledDefault()), { now: NOW })
  assert.ok(lines.includes('  deployment/hellogopher  0/1 ready  programmingpercy/hellogopher:2.0  rollout in progress: 1 old replicas pending termination'), lines.join('\n'))
  assert.ok(lines.includes('      pod/hellogopher-bbb222-loop  Running  0/1  restarts 3  age 95s  last exit: Error 2  events Unhealthy ×9, Killing ×3  last event Killing ×3: Container hellogopher failed liveness probe, will be restarted'), lines.join('\n'))
  assert.ok(lines.includes('        UNHEALTHY: not ready (Readiness probe failed)'))
  assert.ok(lines.includes('  pod/oom-demo  Failed  0/1  restarts 0  age 5m  OOMKilled (exit 137)'))
  assert.ok(lines.includes('    UNHEALTHY: OOMKilled'))
  assert.ok(lines.includes('  service/hellogopher  NodePort  8080:30080/TCP  selects app=hellogopher → 2 pods'))
})

test('after a liveness restart the trouble stays visible (Unhealthy, Killing counted) though the last Event is Started; ready again, it is not marked', () => {
  const o = finalState()
  const p = o.pods[0]!
  const name = p.metadata!.name!
  p.status!.containerStatuses![0]!.restartCount = 2
  o.events.push(
    event('hellogopher', name, 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500', 30, 6),
    event('hellogopher', name, 'Killing', 'Container hellogopher failed liveness probe, will be restarted', 25, 2),
    event('hellogopher', name, 'Started', 'Started container hellogopher', 1, 3),
  )
  const pv = buildView(o).namespaces[0]!.deployments[0]!.replicaSets[0]!.pods[0]!
  assert.equal(pv.troubleEvents, [{ reason: 'Unhealthy', count: 6 }, { reason: 'Killing', count: 2 }])
  assert.equal(pv.lastEvent, { reason: 'Started', message: 'Started container hellogopher', count: 3 })
  assert.is(pv.unhealthy, undefined)
  assert.match(renderStatus(buildView(o), { now: NOW })[3]!, /restarts 2  age 5m  events Unhealthy ×6, Killing ×2  last event Started ×3/)
  // not ready again: marked, with the last trouble as the reason
  p.status!.conditions = [{ type: 'Ready', status: 'False' }]
  assert.is(buildView(o).namespaces[0]!.deployments[0]!.replicaSets[0]!.pods[0]!.unhealthy, 'not ready (failed liveness probe, will be restarted)')
})

test('piped output: one line per changed object; nothing when only time passed; gone objects', () => {
  const before = finalState()
  const v1 = buildView(before)
  const after = finalState()
  const p = after.pods[0]!
  p.status!.containerStatuses![0]!.restartCount = 1
  after.events.push(event('hellogopher', p.metadata!.name!, 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500', 1))
  after.pods.splice(1, 1) // the mysql pod went away
  const lines = changeLines(objectLines(v1), objectLines(buildView(after)), '14:00:01')
  assert.equal(lines, [
    '14:00:01 pod hellogopher/hellogopher-7d4b9c-x2x7q  Running  1/1  restarts 1  events Unhealthy ×1  last event Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500  reads configmap/database-configs (envFrom: DATABASE_NAME, DATABASE_USERNAME) · secret/database-secrets (DATABASE_PASSWORD)',
    '14:00:01 service hellogopher/mysql  ClusterIP  3306/TCP  selects app=mysql → 0 pods',
    '14:00:01 pod hellogopher/mysql-66c8f4-9kq2l  gone',
  ])
  // the same objects later: ages differ, nothing changed
  assert.equal(changeLines(objectLines(v1), objectLines(buildView(finalState())), 'x'), [])
  // the first picture: every object once
  assert.is(changeLines(new Map(), objectLines(v1), 't').length, objectLines(v1).size)
})

test('ages like kubectl; lines cut to the terminal width (colours kept and reset); frame clears below', () => {
  assert.equal([age(NOW - 42_000, NOW), age(NOW - 5 * 60_000, NOW), age(NOW - 3 * 3600_000, NOW), age(NOW - 3 * 86400_000, NOW), age(undefined, NOW)], ['42s', '5m', '3h', '3d', '?'])
  assert.is(fitLine('abcdef', 10), 'abcdef')
  assert.is(fitLine('abcdefghijkl', 6), 'abcde…')
  assert.is(fitLine('\x1b[31mabcdefgh\x1b[0m', 4), '\x1b[31mabc…\x1b[0m')
  const f = frame(['one', 'two', 'three', 'four'], 80, 3)
  assert.is(f, '\x1b[Hone\x1b[K\ntwo\x1b[K\n… 2 more lines (make the window taller)\x1b[K\x1b[J')
})

test.run()
