/**
 * Lesson 9 on the lab: `kubectl top pods` answers (metrics-server, which tasks/lab/up.ts installs); the lesson says
 * plainly that the dashboard is a minikube addon. Without metrics-server this FAILS, saying so — it never skips.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import { E2E_PROVIDER, expectOk, kube, kubectl, lesson, saidInstead } from './helpers.ts'

const NS = 'default'

test('the cluster has a metrics API (metrics-server) — lesson 9 cannot be shown without it', async () => {
  const api = await kube().read({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: 'v1beta1.metrics.k8s.io' })
  const how = E2E_PROVIDER === 'lab' ? 'tasks/lab/up.ts installs it' : E2E_PROVIDER === 'minikube' ? 'minikube addons enable metrics-server' : 'kind has none by default: install metrics-server with --kubelet-insecure-tls'
  assert.ok(api, `no APIService v1beta1.metrics.k8s.io: metrics-server is not installed on this ${E2E_PROVIDER} cluster (${how})`)
})

test('lesson 9: kubectl top pods lists the hellogopher pod; the dashboard is minikube-only, said plainly', async () => {
  const r = await lesson(9)
  await expectOk(r, `lesson 9 (${saidInstead(r)})`, NS)
  if (E2E_PROVIDER === 'minikube') {
    assert.match(r.stdout, /\$ minikube addons enable metrics-server/)
    assert.match(r.stdout, /to open the dashboard, type: minikube dashboard/)
  } else assert.match(r.stdout, new RegExp(`the dashboard is a minikube addon; the ${E2E_PROVIDER} cluster has none`))
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?top pods -n default/)
  assert.match(r.stdout, /Seen: kubectl top pods: hellogopher-\S+ \d+m \d+Mi/)
})

test('independent: kubectl top pods answers with the running pod', async () => {
  const [pod] = (await kube().listPods(NS, 'app=hellogopher')).filter(isPodReady)
  assert.ok(pod)
  const r = await kubectl(['top', 'pods', '-n', NS, '--no-headers'])
  await expectOk(r, 'kubectl top pods', NS)
  assert.match(r.stdout, new RegExp(`^${pod!.metadata!.name}\\s+\\d+m\\s+\\d+Mi`, 'm'))
})

test.run()
