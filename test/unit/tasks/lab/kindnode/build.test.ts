/** tasks/lab/kindnode/build.ts and tasks/lab/engine/runtime.ts: what the offline kind node image is made of. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { componentRecipe, etcdModuleVersion, EXTRA_IMAGES, parseKubeadmImages } from '../../../../../tasks/lab/kindnode/build.ts'
import { dockerdRuntimeArgs, missingCapabilities, NOCAP_RUNTIME } from '../../../../../tasks/lab/engine/runtime.ts'
import { COREDNS_IMAGE, COREDNS_VERSION } from '../../../../../tasks/lab/engine/coredns.ts'
import { ROOT } from '../../../../../tasks/lib/tutorial.ts'

/** Recorded: `kubeadm config images list --kubernetes-version v1.34.4` (kubeadm v1.34.4 built by the lab). */
const KUBEADM_LIST = `registry.k8s.io/kube-apiserver:v1.34.4
registry.k8s.io/kube-controller-manager:v1.34.4
registry.k8s.io/kube-scheduler:v1.34.4
registry.k8s.io/kube-proxy:v1.34.4
registry.k8s.io/coredns/coredns:v1.12.1
registry.k8s.io/pause:3.10.1
registry.k8s.io/etcd:3.6.5-0
`

test('kubeadm image list → one image per component, tag kept', () => {
  const images = parseKubeadmImages(`W1130 warning: could not fetch a Kubernetes version from the internet\n${KUBEADM_LIST}`)
  assert.equal(
    images.map((i) => `${i.component}=${i.tag}`),
    ['kube-apiserver=v1.34.4', 'kube-controller-manager=v1.34.4', 'kube-scheduler=v1.34.4', 'kube-proxy=v1.34.4', 'coredns=v1.12.1', 'pause=3.10.1', 'etcd=3.6.5-0'],
  )
  assert.is(images.find((i) => i.component === 'coredns')!.ref, 'registry.k8s.io/coredns/coredns:v1.12.1')
})

test("etcd's image tag names the module version that builds it", () => {
  assert.is(etcdModuleVersion('3.6.5-0'), 'v3.6.5')
  assert.is(etcdModuleVersion('3.5.21-1'), 'v3.5.21')
})

test('each component image: static binaries on scratch, kube-proxy on the rootfs (iptables), pause retagged', () => {
  const bins = { etcd: '/c/etcd', coredns: '/c/coredns' }
  const byComponent = Object.fromEntries(parseKubeadmImages(KUBEADM_LIST).map((i) => [i.component, componentRecipe(i, bins)]))
  assert.is(byComponent['kube-proxy']!.from, 'rootfs')
  assert.is(byComponent['kube-proxy']!.path, '/usr/local/bin/kube-proxy')
  assert.is(byComponent['kube-apiserver']!.from, 'scratch')
  assert.is(byComponent.etcd!.bin, '/c/etcd')
  assert.is(byComponent.coredns!.path, '/coredns')
  assert.is(byComponent.pause, undefined)
  assert.is(componentRecipe(EXTRA_IMAGES[0]!, bins)!.path, '/metrics-server')
})

test('the lab runs the CoreDNS kubeadm deploys for its Kubernetes', () => {
  const coredns = parseKubeadmImages(KUBEADM_LIST).find((i) => i.component === 'coredns')!
  assert.is(coredns.tag, COREDNS_VERSION)
  assert.is(coredns.ref, COREDNS_IMAGE)
})

test('capabilities missing from the bounding set; the runtime flags only when some are missing', () => {
  // this workplace: CAP_SYS_RESOURCE (24) withheld
  const status = 'Name:\tx\nCapInh:\t0000000000000000\nCapBnd:\t000001fffeffffff\n'
  assert.equal(missingCapabilities(status), [24])
  assert.equal(missingCapabilities('CapBnd:\t000001ffffffffff\n'), [])
  assert.equal(dockerdRuntimeArgs([]), [])
  const args = dockerdRuntimeArgs([24])
  assert.ok(args.includes(`--default-runtime=${NOCAP_RUNTIME}`), args.join(' '))
  assert.ok(args.some((a) => a.startsWith(`--add-runtime=${NOCAP_RUNTIME}=/`)), args.join(' '))
})

test('node image files: CNI manifest is a ConfigMap kind can create, the conflist matches it, the entrypoint is executable', () => {
  const dir = join(ROOT, 'tasks', 'lab', 'kindnode', 'files')
  const cni = parseAllDocuments(readFileSync(join(dir, 'kind', 'manifests', 'default-cni.yaml'), 'utf8')).map((d) => d.toJS())
  assert.is(cni.length, 1)
  assert.is(cni[0].kind, 'ConfigMap')
  const conflist = JSON.parse(readFileSync(join(dir, 'etc', 'cni', 'net.d', '10-kind-bridge.conflist'), 'utf8'))
  assert.is(conflist.plugins[0].ipam.ranges[0][0].subnet, cni[0].data.podSubnet)
  const entry = join(dir, 'usr', 'local', 'bin', 'entrypoint')
  assert.ok(existsSync(entry))
  assert.ok((readFileSync(entry, 'utf8').startsWith('#!/bin/bash')))
})

test.run()
