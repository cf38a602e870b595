/**
 * The product, end to end: `up` reaches the tutorial's final state (read from the cluster, compared with
 * ../shared/TUTORIAL.md), a person can see it work (HTTP through the NodePort, the database, service env vars,
 * the app's log), a second `up` changes no object and no pod, and `teardown` leaves nothing behind.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Ref } from '../../tasks/lib/kube.ts'
import { api, E2E_PROVIDER, expectOk, kube, kubectl, podUids, serviceGet, servingPod, stepLines, task, versionsOf } from './helpers.ts'

const NS = 'hellogopher'

/** The tutorial's final state (../shared/TUTORIAL.md, "Final state"): what up must leave in the cluster. */
const TUTORIAL_OBJECTS: Ref[] = [
  { apiVersion: 'v1', kind: 'Namespace', name: NS },
  { apiVersion: 'apps/v1', kind: 'Deployment', name: 'mysql', namespace: NS },
  { apiVersion: 'v1', kind: 'Service', name: 'mysql', namespace: NS },
  { apiVersion: 'v1', kind: 'ConfigMap', name: 'database-configs', namespace: NS },
  { apiVersion: 'v1', kind: 'Secret', name: 'database-secrets', namespace: NS },
  { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hellogopher', namespace: NS },
  // "The article also exposes hellogopher with a NodePort Service."
  { apiVersion: 'v1', kind: 'Service', name: 'hellogopher', namespace: NS },
]

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
  const svc = await api().core.readNamespacedService({ namespace: NS, name: 'hellogopher' })
  const port = svc.spec?.ports?.[0]?.nodePort ?? 0
  assert.is(svc.spec?.type, 'NodePort')
  assert.ok(port >= 30000 && port <= 32767, `nodePort ${port}`)
  const res = await serviceGet(NS, 'hellogopher')
  const url = res.url
  const { hostname, port: urlPort } = new URL(url)
  const nodeIps = (await kube().listNodes()).flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address))
  if (hostname === '127.0.0.1' && E2E_PROVIDER === 'minikube') {
    // minikube service --url on a Docker Desktop-like driver: a tunnel on a local port of its own
  } else if (hostname === '127.0.0.1' && E2E_PROVIDER === 'kind') {
    assert.is(Number(urlPort), port, `kind maps the nodePort to the same host port: ${url}`)
  } else {
    assert.ok(nodeIps.includes(hostname), `service URL ${url} is not on a node's InternalIP (${nodeIps.join(', ')})`)
    assert.is(Number(urlPort), port, `service URL ${url} does not use nodePort ${port}`)
  }
  assert.is(res.status, 200)
  assert.match(res.body, /Hello gopher/)
})

test('the running Deployment is the final form: image 5.0, 1 replica, probes, settings from the ConfigMap and Secret', async () => {
  const k = kube()
  const d = await api().apps.readNamespacedDeployment({ namespace: NS, name: 'hellogopher' })
  // TUTORIAL.md, Final state: "Deployment hellogopher (image 5.0, replicas 1, envFrom the ConfigMap, DATABASE_PASSWORD
  // from the Secret, readiness + liveness httpGet / 8080 with initialDelaySeconds 5, timeoutSeconds 1, failureThreshold 3"
  assert.is(d.spec?.replicas, 1)
  assert.is(d.status?.readyReplicas, 1, `ready replicas: ${d.status?.readyReplicas}`)
  const pods = (await k.listPods(NS, 'app=hellogopher')).filter((p) => !p.metadata?.deletionTimestamp)
  assert.is(pods.length, 1, pods.map((p) => p.metadata?.name).join(', '))
  // the pod that runs, not only the template: both must carry the final form
  for (const [where, c] of [['deployment template', d.spec?.template.spec?.containers[0]], [`pod ${pods[0]!.metadata?.name}`, pods[0]!.spec?.containers[0]]] as const) {
    assert.ok(c, `${where}: no container`)
    assert.match(c.image ?? '', /(^|\/)programmingpercy\/hellogopher:5\.0$/, `${where}: image ${c.image}`)
    for (const [kind, probe] of [['readiness', c.readinessProbe], ['liveness', c.livenessProbe]] as const) {
      assert.ok(probe?.httpGet, `${where}: no ${kind} httpGet probe`)
      assert.equal(
        { path: probe.httpGet.path, port: String(probe.httpGet.port), initialDelaySeconds: probe.initialDelaySeconds, timeoutSeconds: probe.timeoutSeconds, failureThreshold: probe.failureThreshold },
        { path: '/', port: '8080', initialDelaySeconds: 5, timeoutSeconds: 1, failureThreshold: 3 },
        `${where}: ${kind} probe`,
      )
    }
    assert.ok(c.envFrom?.some((e) => e.configMapRef?.name === 'database-configs'), `${where}: not envFrom configmap/database-configs`)
    const pw = c.env?.find((e) => e.name === 'DATABASE_PASSWORD')
    const ref = pw?.valueFrom?.secretKeyRef
    assert.equal({ name: ref?.name, key: ref?.key }, { name: 'database-secrets', key: 'DATABASE_PASSWORD' }, `${where}: DATABASE_PASSWORD not from the Secret`)
    // TUTORIAL.md lesson 14: limits cpu 100m, memory 10Mi (article and upstream agree); upstream final requests 1Mi/50m
    assert.equal(c.resources?.limits, { cpu: '100m', memory: '10Mi' }, `${where}: limits`)
    assert.equal(c.resources?.requests, { cpu: '50m', memory: '1Mi' }, `${where}: requests`)
  }
  const ready = pods[0]!.status?.conditions?.find((x) => x.type === 'Ready')
  assert.is(ready?.status, 'True', `pod ${pods[0]!.metadata?.name} not Ready`)
  // TUTORIAL.md lesson 12: ConfigMap database-configs {DATABASE_USERNAME: root, DATABASE_NAME: test}
  const cm = await api().core.readNamespacedConfigMap({ namespace: NS, name: 'database-configs' })
  assert.equal(cm.data, { DATABASE_USERNAME: 'root', DATABASE_NAME: 'test' })
  // TUTORIAL.md lesson 13: DATABASE_PASSWORD: cGFzc3dvcmQ= (compared, never printed)
  const secret = await api().core.readNamespacedSecret({ namespace: NS, name: 'database-secrets' })
  assert.ok(secret.data?.DATABASE_PASSWORD === 'cGFzc3dvcmQ=', "Secret database-secrets: DATABASE_PASSWORD is not the tutorial's value (not shown)")
})

test('SHOW DATABASES in the MySQL pod lists test', async () => {
  // the password stays inside the pod: it comes from the pod's own env, not our argv
  const r = await kubectl(['exec', '-n', NS, 'deploy/mysql', '--', 'sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot -N -e "SHOW DATABASES"'])
  await expectOk(r, 'mysql SHOW DATABASES', NS)
  assert.ok(r.stdout.split('\n').map((l) => l.trim()).includes('test'), r.stdout)
})

test('the hellogopher pod got MYSQL_SERVICE_HOST from the Service, and logged connected to database', async () => {
  const pod = await servingPod(NS)
  const env = await kubectl(['exec', '-n', NS, pod, '--', 'env'])
  await expectOk(env, 'env in hellogopher', NS)
  const svc = await api().core.readNamespacedService({ namespace: NS, name: 'mysql' })
  assert.match(env.stdout, new RegExp(`^MYSQL_SERVICE_HOST=${svc.spec?.clusterIP?.replace(/\./g, '\\.')}$`, 'm'))
  assert.match(env.stdout, /^MYSQL_SERVICE_PORT=3306$/m)
  assert.match(env.stdout, /^MYSQL_PORT_3306_TCP=tcp:\/\//m)
  const logs = await kubectl(['logs', '-n', NS, pod])
  assert.match(logs.stdout, /connected to database/, `kubectl logs ${pod}: ${logs.stdout.trim() || logs.stderr.trim()}`)
})

test('a second up changes nothing in the cluster: same objects, same pods', async () => {
  const before = await versionsOf(TUTORIAL_OBJECTS)
  const podsBefore = await podUids(NS)
  assert.equal(Object.entries(before).filter(([, v]) => v === 'absent'), [], 'tutorial objects missing before the second up')
  const r = await task('up.ts')
  await expectOk(r, 'second up', NS)
  assert.equal(await versionsOf(TUTORIAL_OBJECTS), before, 'objects rewritten or recreated by the second up')
  assert.equal(await podUids(NS), podsBefore, 'pods replaced by the second up (a restart or a rollout)')
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
  await expectOk(ns, 'kubectl config view') // a failing read prints nothing, which would pass as "no namespace"
  assert.ok(ns.stdout.trim() === '' || ns.stdout.trim() === 'default', `context namespace is '${ns.stdout}'`)
})

test.run()
