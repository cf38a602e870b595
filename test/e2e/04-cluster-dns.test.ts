/**
 * Cluster DNS, as a learner would try it (`kubectl exec … -- nslookup mysql`): from a pod in hellogopher, `mysql`
 * and its full name resolve to the Service's ClusterIP and the MySQL port answers by name, beside the tutorial's
 * env-var discovery. And the cluster's ranges stay on this machine: a ClusterIP no Service holds is not routed
 * off it (lab: the host routes them to its bridge; kind: the harness drops what the nodes would forward).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { api, E2E_PROVIDER, expectOk, kubectl, sh, task } from './helpers.ts'

const NS = 'hellogopher'
const DEAD_SERVICE_IP = '10.96.250.250'

test.before(async () => {
  // the tutorial's final state (a no-op when an earlier suite left it)
  await expectOk(await task('up.ts'), 'up', NS)
})

const nslookup = (name: string) => kubectl(['exec', '-n', NS, 'deploy/hellogopher', '--', 'nslookup', name])

/** The addresses busybox's nslookup printed for the name (after the "Name:" line; the server's own is before it). */
function answers(out: string): string[] {
  const after = out.split(/^Name:/m).slice(1).join('\n')
  return [...after.matchAll(/Address(?: \d+)?:\s*([0-9.]+)/g)].map((m) => m[1]!)
}

test('kube-dns runs with the ClusterIP the kubelet hands to pods', async () => {
  const svc = await api().core.readNamespacedService({ namespace: 'kube-system', name: 'kube-dns' })
  assert.is(svc.spec?.clusterIP, '10.96.0.10')
  const conf = await kubectl(['exec', '-n', NS, 'deploy/hellogopher', '--', 'cat', '/etc/resolv.conf'])
  await expectOk(conf, 'cat /etc/resolv.conf in hellogopher', NS)
  assert.match(conf.stdout, /^nameserver 10\.96\.0\.10$/m)
  assert.match(conf.stdout, /^search hellogopher\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m)
})

test('mysql and mysql.hellogopher.svc.cluster.local resolve to the Service ClusterIP', async () => {
  const svc = await api().core.readNamespacedService({ namespace: NS, name: 'mysql' })
  const ip = svc.spec?.clusterIP
  assert.ok(ip && ip !== 'None', `service/mysql has no ClusterIP: ${ip}`)
  for (const name of ['mysql', 'mysql.hellogopher.svc.cluster.local']) {
    // busybox's nslookup asks every search domain, A and AAAA, and exits 1 when any of them is NXDOMAIN:
    // what counts is the answer it printed
    const r = await nslookup(name)
    assert.ok(answers(r.stdout).includes(ip!), `nslookup ${name} answered ${answers(r.stdout).join(', ') || 'nothing'} — want ${ip}\n${r.stdout}`)
  }
})

test('a name that is no Service does not resolve', async () => {
  const r = await nslookup('no-such-service.hellogopher.svc.cluster.local')
  assert.match(r.stdout, /Server:\s+10\.96\.0\.10/, `nslookup did not reach kube-dns:\n${r.stdout}${r.stderr}`)
  assert.equal(answers(r.stdout), [], `a missing Service resolved:\n${r.stdout}`)
  assert.match(r.stdout, /NXDOMAIN/)
})

test('the MySQL port answers by name, and the env vars still name the same Service', async () => {
  // busybox's nc has no -z: connect by name and read the server's greeting (its version and auth plugin)
  const r = await kubectl(['exec', '-n', NS, 'deploy/hellogopher', '--', 'sh', '-c', 'nc -w 3 mysql 3306 </dev/null | head -c 200'])
  await expectOk(r, 'nc mysql 3306', NS)
  assert.match(r.stdout, /mysql_native_password|caching_sha2_password/, `no MySQL greeting from mysql:3306: ${JSON.stringify(r.stdout.slice(0, 120))}`)
  const env = await kubectl(['exec', '-n', NS, 'deploy/hellogopher', '--', 'env'])
  const svc = await api().core.readNamespacedService({ namespace: NS, name: 'mysql' })
  assert.match(env.stdout, new RegExp(`^MYSQL_SERVICE_HOST=${svc.spec!.clusterIP!.replace(/\./g, '\\.')}$`, 'm'))
})

test('a ClusterIP no Service holds is kept on this machine', async () => {
  if (E2E_PROVIDER === 'lab') {
    const r = await sh('ip', ['route', 'get', DEAD_SERVICE_IP])
    await expectOk(r, `ip route get ${DEAD_SERVICE_IP}`)
    assert.match(r.stdout, /\bdev k8slab0\b/, `a dead service IP is routed elsewhere: ${r.stdout}`)
    assert.not.match(r.stdout, /\bvia\b/, `a dead service IP goes via a gateway: ${r.stdout}`)
  } else {
    // inside the node it goes to docker's bridge (the host); the harness drops whatever the nodes forward
    const rule = await sh('iptables', ['-C', 'DOCKER-USER', '-i', 'br-learn-kind', '!', '-o', 'br-learn-kind', '-j', 'DROP'])
    assert.is(rule.code, 0, `no DOCKER-USER drop rule for the kind bridge: ${rule.stderr}`)
  }
})

test.run()
