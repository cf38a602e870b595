/** metrics-server on the lab: its build command, cert, kubeconfig, manifests, and the steps with fakes (its process flags: components.test.ts). */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parse } from 'yaml'
import type { V1APIService } from '@kubernetes/client-node'
import { ROOT, METRICS_API } from '../../../../../tasks/lib/tutorial.ts'
import type { KubernetesObject } from '../../../../../tasks/lib/kube.ts'
import { LAB_NODE_IP } from '../../../../../tasks/lab/engine/paths.ts'
import * as C from '../../../../../tasks/lab/engine/components.ts'
import { conf, configFiles, METRICS_SERVER_PORT } from '../../../../../tasks/lab/engine/config.ts'
import { KUBECONFIG, METRICS_SERVER_VERSION } from '../../../../../tasks/lab/engine/paths.ts'
import { certSpecs, pki } from '../../../../../tasks/lab/engine/pki.ts'
import { apiServiceAvailability, METRICS_MANIFEST, metricsApiAvailable, metricsServer, metricsServerApi, yamlObjects, type LabCtx } from '../../../../../tasks/lab/engine/steps.ts'
import { evalSkip, fakeKube, fakeShell, runStep } from '../../../fakes.ts'

const ctx: LabCtx = { dryRun: false, verbose: false, nodeIp: LAB_NODE_IP }
const objects = yamlObjects(readFileSync(METRICS_MANIFEST, 'utf8'))
const find = (kind: string) => objects.filter((o) => o.kind === kind)

// ── build ────────────────────────────────────────────────────────────────────
test('the lab and the kind workflow run the same metrics-server release', () => {
  const workflow = readFileSync(join(ROOT, '.github', 'workflows', 'e2e.yml'), 'utf8')
  const kind = [...workflow.matchAll(/metrics-server\/releases\/download\/(v[\d.]+)\//g)].map((m) => m[1])
  assert.equal(kind, [METRICS_SERVER_VERSION])
})

// ── cert, kubeconfig (its process flags and place in ORDER: components.test.ts) ─
test('a client cert CN system:metrics-server from the lab CA, and a kubeconfig that uses it', () => {
  const c = certSpecs(LAB_NODE_IP).find((x) => x.name === 'metrics-server')
  assert.equal(c, { name: 'metrics-server', cn: 'system:metrics-server', ca: 'ca', usage: 'client' })
  const kc = parse(configFiles(LAB_NODE_IP)[conf('metrics-server.kubeconfig')]!) as {
    clusters: Array<{ cluster: { server: string } }>
    users: Array<{ user: Record<string, string> }>
  }
  assert.is(kc.clusters[0]!.cluster.server, `https://${LAB_NODE_IP}:6443`)
  assert.is(kc.users[0]!.user['client-certificate'], pki('metrics-server.crt'))
  assert.is(kc.users[0]!.user['client-key'], pki('metrics-server.key'))
})

// ── manifests ────────────────────────────────────────────────────────────────
test('manifest: every RBAC subject is the cert\'s user', () => {
  const bindings = [...find('ClusterRoleBinding'), ...find('RoleBinding')] as Array<KubernetesObject & { subjects: Array<{ kind: string; name: string }> }>
  assert.is(bindings.length, 3)
  for (const b of bindings) assert.equal(b.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:metrics-server' }], b.metadata?.name)
  const reader = find('RoleBinding')[0] as KubernetesObject & { roleRef: { name: string } }
  assert.is(reader.metadata?.namespace, 'kube-system')
  assert.is(reader.roleRef.name, 'extension-apiserver-authentication-reader')
  const role = find('ClusterRole').find((r) => r.metadata?.name === 'system:metrics-server') as KubernetesObject & { rules: Array<{ resources: string[] }> }
  assert.ok(role.rules.some((r) => r.resources.includes('nodes/metrics')))
})

test('manifest: selector-less Service → EndpointSlice on the node IP and port → APIService', () => {
  const svc = find('Service')[0] as KubernetesObject & { spec: { selector?: unknown; ports: Array<{ name: string; port: number }> } }
  assert.is(svc.spec.selector, undefined)
  const slice = find('EndpointSlice')[0] as KubernetesObject & { endpoints: Array<{ addresses: string[] }>; ports: Array<{ name: string; port: number }> }
  assert.is(slice.metadata?.labels?.['kubernetes.io/service-name'], svc.metadata?.name)
  assert.is(slice.metadata?.namespace, svc.metadata?.namespace)
  assert.equal(slice.endpoints.map((e) => e.addresses[0]), [LAB_NODE_IP])
  assert.equal(slice.ports.map((p) => [p.name, p.port]), [[svc.spec.ports[0]!.name, METRICS_SERVER_PORT]])
  const api = find('APIService')[0] as KubernetesObject & { spec: { service: { name: string; namespace: string; port: number }; group: string; version: string } }
  assert.is(api.metadata?.name, METRICS_API)
  assert.is(`${api.spec.version}.${api.spec.group}`, METRICS_API)
  assert.equal(api.spec.service, { name: svc.metadata!.name!, namespace: 'kube-system', port: svc.spec.ports[0]!.port })
})

test('yamlObjects: drops empty documents, names malformed YAML', () => {
  assert.equal(yamlObjects('---\na: 1\n---\n# only a comment\n---\n'), [{ a: 1 }] as unknown as KubernetesObject[])
  assert.throws(() => yamlObjects('a: [1\n'), /malformed YAML/)
})

// ── apiServiceAvailability ───────────────────────────────────────────────────
const api = (conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>): V1APIService => ({
  metadata: { name: METRICS_API },
  spec: { groupPriorityMinimum: 100, versionPriority: 100 },
  ...(conditions ? { status: { conditions } } : {}),
})
const availability: Array<[string, V1APIService | undefined, boolean, string]> = [
  ['absent', undefined, false, 'apiservice/v1beta1.metrics.k8s.io not registered'],
  ['no status yet', api(), false, 'apiservice/v1beta1.metrics.k8s.io has no Available condition yet'],
  ['Available', api([{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }]), true, 'apiservice/v1beta1.metrics.k8s.io Available=True (Passed: all checks passed)'],
  [
    'endpoint not answering',
    api([{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: 'failing or missing response from https://10.250.0.1:4443' }]),
    false,
    'apiservice/v1beta1.metrics.k8s.io Available=False (FailedDiscoveryCheck: failing or missing response from https://10.250.0.1:4443)',
  ],
]
for (const [name, a, available, message] of availability) {
  test(`apiServiceAvailability: ${name}`, () => {
    assert.equal(apiServiceAvailability(a), { available, message })
  })
}

// ── steps with fakes ─────────────────────────────────────────────────────────
test('register step: skips when every object is applied and unchanged, naming the file', async () => {
  const kube = fakeKube({ applyWouldChange: async () => false })
  const reason = await evalSkip(metricsServerApi({ sh: fakeShell(), kube: () => kube }), ctx)
  assert.is(reason, 'tasks/lab/manifests/metrics-server.yml is applied and up to date')
  assert.is(kube.calls.length, objects.length)
})

test('register step: one changed object → runs `kubectl apply --server-side -f` on the repo file with the lab kubeconfig', async () => {
  const kube = fakeKube({ applyWouldChange: async (o: KubernetesObject) => o.kind === 'APIService' })
  const sh = fakeShell()
  const step = metricsServerApi({ sh, kube: () => kube })
  assert.is(await evalSkip(step, ctx), false)
  await runStep(step, ctx)
  assert.equal(sh.commands(), ['kubectl apply --server-side -f tasks/lab/manifests/metrics-server.yml'])
  assert.is(sh.calls[0]!.opts.env?.KUBECONFIG, KUBECONFIG)
  assert.ok(sh.calls[0]!.opts.env?.PATH?.startsWith(C.metricsServer(LAB_NODE_IP).bin.replace(/\/metrics-server$/, '')))
})

test('Available step: skips with the condition when Available, runs when not', async () => {
  const yes = fakeKube({ read: async () => api([{ type: 'Available', status: 'True', reason: 'Passed' }]) })
  assert.is(await evalSkip(metricsApiAvailable({ kube: () => yes }), ctx), 'apiservice/v1beta1.metrics.k8s.io Available=True (Passed)')
  const no = fakeKube({ read: async () => undefined })
  assert.is(await evalSkip(metricsApiAvailable({ kube: () => no }), ctx), false)
})

test('Available step: waits by watching the one APIService until Available', async () => {
  let seen: { path: string; query: Record<string, unknown> } | undefined
  const kube = fakeKube({
    watchUntil: async (path: string, query: Record<string, unknown>, check: (a: V1APIService) => string | undefined) => {
      seen = { path, query }
      assert.is(check(api([{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }])), undefined)
      return check(api([{ type: 'Available', status: 'True', reason: 'Passed' }]))
    },
  })
  const t = await runStep(metricsApiAvailable({ kube: () => kube }), ctx)
  assert.equal(seen, { path: '/apis/apiregistration.k8s.io/v1/apiservices', query: { fieldSelector: `metadata.name=${METRICS_API}` } })
  assert.ok(t.outputs.includes('apiservice/v1beta1.metrics.k8s.io Available=False (MissingEndpoints)'))
  assert.match(t.output!, /Available=True \(Passed\); first metrics/)
})

test('dry-run: the Available wait reads nothing; the process step only echoes its command', async () => {
  const dry = { ...ctx, dryRun: true }
  await runStep(metricsApiAvailable({ kube: () => fakeKube({}) }), dry)
  const t = await runStep(metricsServer(), dry)
  assert.is(t.outputs.length, 1)
  assert.match(t.output!, /^\$ \S+\/metrics-server --kubeconfig=\S+ .*--secure-port=4443 .*>\S+metrics-server\.log 2>&1 &$/)
})

test.run()
