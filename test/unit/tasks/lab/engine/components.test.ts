/** tasks/lab/engine/components.ts: how each lab process is started (binaries, the flags that tie the components to each other, to the node IP, the lab's PKI and its dirs) and the start/stop order. */
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assertLabDirs, labTempDirs } from '../../../fakes.ts'

const dirs = labTempDirs('components-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const C = await import('../../../../../tasks/lab/engine/components.ts')
const { conf, configFiles, APISERVER_PORT, METRICS_SERVER_PORT } = await import('../../../../../tasks/lab/engine/config.ts')
const { CLUSTER_CIDR, NODE_NAME, pki, SERVICE_CIDR } = await import('../../../../../tasks/lab/engine/pki.ts')
const H = await import('../../../../../tasks/lab/engine/health.ts')

test.after(() => dirs.cleanup())

const IP = '10.9.9.9'
/** The value of `--flag=value` (or `--flag value`) in a spec's args. */
const flag = (args: string[], name: string): string | undefined => {
  const eq = args.find((a) => a.startsWith(`${name}=`))
  if (eq) return eq.slice(name.length + 1)
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const written = (f: string) => Object.keys(configFiles(IP)).includes(f)
const all = () => [C.etcd(), C.containerd(), C.dockerd(), C.apiserver(IP), C.controllerManager(), C.scheduler(), C.kubelet(IP), C.kubeProxy(), C.metricsServer(IP)]

test('ORDER names every process spec, in start order; the Kubernetes binaries come from the lab build, the runtime from the host', () => {
  assert.equal(all().map((s) => s.name), [...C.ORDER])
  for (const s of all()) {
    if (s.name === 'containerd' || s.name === 'dockerd') assert.ok(s.bin.startsWith('/usr/'), s.bin)
    else assert.is(s.bin, join(paths.BIN_DIR, s.name), s.name)
  }
})

test('ORDER ends with metrics-server; down stops it first among the Kubernetes components', () => {
  assert.is(C.ORDER[C.ORDER.length - 1], 'metrics-server')
  assert.equal([...C.KUBE_COMPONENTS].reverse(), ['metrics-server', 'kube-proxy', 'kubelet', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver'])
})

test('etcd: data in the lab state dir, clients on loopback where the apiserver and the health probe look for it', () => {
  const e = C.etcd().args
  assert.is(flag(e, '--data-dir'), join(dirs.state, 'etcd'))
  assert.is(flag(e, '--advertise-client-urls'), flag(C.apiserver(IP).args, '--etcd-servers'))
  assert.is(new URL(H.ETCD_HEALTH).origin, flag(e, '--listen-client-urls'))
})

test('containerd and dockerd: containerd from the lab config (its socket), dockerd on that containerd with its roots and socket in the lab dirs', () => {
  assert.equal(C.containerd().args, ['--config', conf('containerd.toml')])
  assert.ok(configFiles(IP)[conf('containerd.toml')]!.includes(`address = "${paths.CONTAINERD_SOCK}"`))
  const d = C.dockerd().args
  assert.is(flag(d, '--containerd'), paths.CONTAINERD_SOCK)
  assert.is(flag(d, '--data-root'), join(dirs.state, 'docker'))
  assert.is(flag(d, '--exec-root'), join(dirs.run, 'docker'))
  assert.is(flag(d, '-H'), paths.DOCKER_HOST)
})

test('kube-apiserver: advertises the node IP on the lab port, the service range, Node+RBAC, certs and keys from the lab PKI', () => {
  const a = C.apiserver(IP).args
  assert.is(flag(a, '--advertise-address'), IP)
  assert.is(flag(a, '--secure-port'), String(APISERVER_PORT))
  assert.is(H.apiserverReadyz(IP), `https://${IP}:${flag(a, '--secure-port')}/readyz`)
  assert.is(flag(a, '--service-cluster-ip-range'), SERVICE_CIDR)
  assert.is(flag(a, '--authorization-mode'), 'Node,RBAC')
  assert.is(flag(a, '--client-ca-file'), pki('ca.crt'))
  assert.is(flag(a, '--tls-cert-file'), pki('apiserver.crt'))
  assert.is(flag(a, '--requestheader-client-ca-file'), pki('front-proxy-ca.crt'))
  assert.is(flag(a, '--proxy-client-cert-file'), pki('front-proxy-client.crt'))
  // the token signer and verifier are one pair, which the controller-manager also signs with
  assert.is(flag(a, '--service-account-signing-key-file'), flag(C.controllerManager().args, '--service-account-private-key-file'))
  assert.is(flag(a, '--service-account-key-file'), pki('sa.pub'))
})

test('controller-manager and scheduler: their own kubeconfigs for API, authn and authz, bound to loopback where their health probes look', () => {
  const cm = C.controllerManager().args
  for (const f of ['--kubeconfig', '--authentication-kubeconfig', '--authorization-kubeconfig']) assert.is(flag(cm, f), conf('controller-manager.kubeconfig'), f)
  assert.is(flag(cm, '--cluster-cidr'), CLUSTER_CIDR)
  assert.is(flag(cm, '--service-cluster-ip-range'), SERVICE_CIDR)
  assert.is(flag(cm, '--cluster-signing-cert-file'), pki('ca.crt'))
  assert.is(new URL(H.CONTROLLER_MANAGER_HEALTH).hostname, flag(cm, '--bind-address'))
  const s = C.scheduler().args
  assert.is(flag(s, '--config'), conf('scheduler.yaml'))
  for (const f of ['--authentication-kubeconfig', '--authorization-kubeconfig']) assert.is(flag(s, f), conf('scheduler.kubeconfig'), f)
  assert.is(new URL(H.SCHEDULER_HEALTH).hostname, flag(s, '--bind-address'))
})

test('kubelet and kube-proxy: the node registers under the PKI\'s node name and the node IP; each reads a config file the lab writes', () => {
  const k = C.kubelet(IP).args
  assert.is(flag(k, '--hostname-override'), NODE_NAME)
  assert.is(flag(k, '--node-ip'), IP)
  assert.is(flag(k, '--root-dir'), join(dirs.state, 'kubelet'))
  const written = Object.keys(configFiles(IP))
  for (const f of [flag(k, '--config'), flag(k, '--kubeconfig'), flag(C.kubeProxy().args, '--config')]) assert.ok(written.includes(f!), `${f} is not written by config.ts`)
})

test('metrics-server: kubeconfig for API, authn and authz; node IP and port; kubelet TLS checked against the lab CA', () => {
  const s = C.metricsServer(IP)
  const kc = conf('metrics-server.kubeconfig')
  assert.is(s.name, 'metrics-server')
  assert.ok(s.bin.endsWith('/metrics-server'))
  for (const a of [
    `--kubeconfig=${kc}`,
    `--authentication-kubeconfig=${kc}`,
    `--authorization-kubeconfig=${kc}`,
    `--bind-address=${IP}`,
    `--secure-port=${METRICS_SERVER_PORT}`,
    `--kubelet-certificate-authority=${pki('ca.crt')}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--metric-resolution=15s',
  ])
    assert.ok(s.args.includes(a), `missing ${a} in ${s.args.join(' ')}`)
  assert.is(flag(s.args, '--cert-dir'), join(dirs.state, 'metrics-server'))
  assert.not.ok(s.args.includes('--kubelet-insecure-tls'))
  assert.ok(written(kc), `${kc} is not written by config.ts`)
})
test.run()
