/**
 * Cluster DNS for the lab: CoreDNS built from its Go module, run as the usual kube-dns Service (10.96.0.10) that
 * the kubelet hands to every pod (clusterDNS). The version is the one kubeadm deploys for the lab's Kubernetes,
 * so the lab and the offline kind node (tasks/lab/kindnode) run the same binary under the same image name.
 */
import { ensureGoTool } from '../../lib/gotools.ts'
import type { Log, Shell } from '../../lib/shell.ts'
import { buildComponentImage, corednsDir, corednsTool } from '../kindnode/build.ts'

/** kubeadm v1.34's CoreDNS (cmd/kubeadm/app/constants: CoreDNSVersion); the kind image build checks they agree. */
export const COREDNS_VERSION = 'v1.12.1'
export const COREDNS_IMAGE = `registry.k8s.io/coredns/coredns:${COREDNS_VERSION}`
export const CLUSTER_DNS_IP = '10.96.0.10'
export const CLUSTER_DOMAIN = 'cluster.local'

/** The CoreDNS binary (cached), then its image (FROM scratch, /coredns as upstream's), built by the caller's docker. */
export async function buildCorednsImage(sh: Shell, log: Log): Promise<string | undefined> {
  const bin = await ensureGoTool(sh, corednsTool(COREDNS_VERSION), corednsDir(COREDNS_VERSION), log)
  await buildComponentImage({ sh, log }, COREDNS_IMAGE, { bin, path: '/coredns', from: 'scratch' })
  return undefined
}
