/** The lab's configuration files: kubeconfigs, component configs, CNI, containerd. Pure builders + one writer. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse, stringify } from 'yaml'
import { CNI_BIN_DIR, CNI_CONF_DIR, CONTAINERD_SOCK, KUBECONFIG, RUN_DIR, STATE_DIR } from './paths.ts'
import { CLUSTER_CIDR, NODE_NAME, pki, POD_CIDR } from './pki.ts'
import { PAUSE_IMAGE } from '../images/build.ts'
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN } from './coredns.ts'

export const CONFIG_DIR = join(STATE_DIR, 'config')
export const conf = (name: string) => join(CONFIG_DIR, name)
export const APISERVER_PORT = 6443
/** metrics-server's secure port on the node IP (the EndpointSlice in tasks/lab/manifests/metrics-server.yml names it too). */
export const METRICS_SERVER_PORT = 4443

export function kubeconfig(opts: { server: string; user: string; cert: string; context: string; namespace?: string }): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'learn-k8s-lab', cluster: { server: opts.server, 'certificate-authority': pki('ca.crt') } }],
    users: [{ name: opts.user, user: { 'client-certificate': pki(`${opts.cert}.crt`), 'client-key': pki(`${opts.cert}.key`) } }],
    contexts: [{ name: opts.context, context: { cluster: 'learn-k8s-lab', user: opts.user, ...(opts.namespace ? { namespace: opts.namespace } : {}) } }],
    'current-context': opts.context,
  })
}

export function kubeletConfig(nodeIp: string): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // this host has hybrid cgroup v1; 1.34 still runs there when told to
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${CONTAINERD_SOCK}`,
    address: nodeIp,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: pki('ca.crt') } },
    authorization: { mode: 'Webhook' },
    tlsCertFile: pki('kubelet.crt'),
    tlsPrivateKeyFile: pki('kubelet.key'),
    // cluster DNS: CoreDNS as the kube-dns Service (tasks/lab/engine/coredns.ts)
    clusterDomain: CLUSTER_DOMAIN,
    clusterDNS: [CLUSTER_DNS_IP],
    // locally imported images can never be pulled again: never collect them
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    podCIDR: POD_CIDR,
    resolvConf: '/etc/resolv.conf',
    serializeImagePulls: false,
    cgroupsPerQOS: true,
    enforceNodeAllocatable: ['pods'],
    maxPods: 50,
  })
}

export function kubeProxyConfig(): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clusterCIDR: CLUSTER_CIDR,
    clientConnection: { kubeconfig: conf('kube-proxy.kubeconfig') },
    // conntrack sysctls are not writable in every sandbox: leave them as they are
    conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    hostnameOverride: NODE_NAME,
    metricsBindAddress: '127.0.0.1:10249',
    healthzBindAddress: '127.0.0.1:10256',
  })
}

export function schedulerConfig(): string {
  return stringify({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    clientConnection: { kubeconfig: conf('scheduler.kubeconfig') },
    leaderElection: { leaderElect: false },
  })
}

export function cniConfig(): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'learn-k8s-lab',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(STATE_DIR, 'cni', 'networks') },
        },
        { type: 'portmap', capabilities: { portMappings: true }, externalSetMarkChain: 'KUBE-MARK-MASQ' },
        // dockerd sets the FORWARD policy to DROP; this admits pod traffic (pod → Service → pod crosses FORWARD)
        { type: 'firewall', backend: 'iptables' },
      ],
    },
    null,
    2,
  )
}

export function containerdConfig(): string {
  return `version = 2
root = "${join(STATE_DIR, 'containerd')}"
state = "${join(RUN_DIR, 'containerd')}"
[grpc]
  address = "${CONTAINERD_SOCK}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # this host denies lowering oom_score_adj (no CAP_SYS_RESOURCE); clamp instead of failing every sandbox
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${CNI_CONF_DIR}"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
`
}

/** The learner's kubeconfig (`$KUBECONFIG` for the lab), optionally keeping a namespace they chose. */
export function adminKubeconfig(nodeIp: string, namespace?: string): string {
  return kubeconfig({ server: `https://${nodeIp}:${APISERVER_PORT}`, user: 'admin', cert: 'admin', context: 'learn-k8s-lab', namespace })
}

/** Every config file for this node IP, with its content. */
export function configFiles(nodeIp: string): Record<string, string> {
  const server = `https://${nodeIp}:${APISERVER_PORT}`
  const files: Record<string, string> = {
    [KUBECONFIG]: adminKubeconfig(nodeIp),
    [conf('controller-manager.kubeconfig')]: kubeconfig({ server, user: 'kube-controller-manager', cert: 'controller-manager', context: 'lab' }),
    [conf('scheduler.kubeconfig')]: kubeconfig({ server, user: 'kube-scheduler', cert: 'scheduler', context: 'lab' }),
    [conf('kube-proxy.kubeconfig')]: kubeconfig({ server, user: 'kube-proxy', cert: 'kube-proxy', context: 'lab' }),
    [conf('metrics-server.kubeconfig')]: kubeconfig({ server, user: 'system:metrics-server', cert: 'metrics-server', context: 'lab' }),
    [conf('kubelet.kubeconfig')]: kubeconfig({ server, user: `system:node:${NODE_NAME}`, cert: 'kubelet', context: 'lab' }),
    [conf('kubelet.yaml')]: kubeletConfig(nodeIp),
    [conf('kube-proxy.yaml')]: kubeProxyConfig(),
    [conf('scheduler.yaml')]: schedulerConfig(),
    [conf('containerd.toml')]: containerdConfig(),
    [join(CNI_CONF_DIR, '10-learn-k8s-lab.conflist')]: cniConfig(),
  }
  return files
}

interface KubeconfigDoc {
  contexts?: Array<{ name?: string; context?: { namespace?: string } }>
  preferences?: Record<string, unknown>
}

const sortedJson = (v: unknown): string =>
  JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b))) : val))

/**
 * What a kubeconfig says, minus what the learner may change: lesson 10 sets the context's namespace with
 * `kubectl config set-context`, which also rewrites the file in kubectl's own layout. Unparseable → the text itself.
 */
export function kubeconfigMeaning(text: string): string {
  let doc: KubeconfigDoc
  try {
    doc = parse(text) as KubeconfigDoc
  } catch {
    return text
  }
  if (!doc || typeof doc !== 'object') return text
  const contexts = doc.contexts?.map((c) => ({ ...c, context: { ...c.context, namespace: undefined } }))
  const { preferences, ...rest } = doc
  return sortedJson({ ...rest, contexts, ...(preferences && Object.keys(preferences).length ? { preferences } : {}) })
}

/** The namespace the learner set on the admin kubeconfig's current context, if any. */
export function learnerNamespace(text: string): string | undefined {
  try {
    const doc = parse(text) as KubeconfigDoc & { 'current-context'?: string }
    return doc?.contexts?.find((c) => c.name === doc['current-context'])?.context?.namespace
  } catch {
    return undefined
  }
}

/** The admin kubeconfig belongs to the learner too: a namespace they set is not a difference. */
function upToDate(file: string, want: string, have: string): boolean {
  return file === KUBECONFIG ? kubeconfigMeaning(have) === kubeconfigMeaning(want) : have === want
}

/** Config files missing or different on disk. */
export function staleConfigs(nodeIp: string): Array<[string, string]> {
  return Object.entries(configFiles(nodeIp)).filter(([file, text]) => !existsSync(file) || !upToDate(file, text, readFileSync(file, 'utf8')))
}

/** Write only the stale files: running components (kube-proxy) exit when their config file changes. */
export function writeConfigs(nodeIp: string): string[] {
  const written: string[] = []
  for (const [file, fresh] of staleConfigs(nodeIp)) {
    // keep the learner's context namespace when the admin kubeconfig must change (new node IP)
    const ns = file === KUBECONFIG && existsSync(file) ? learnerNamespace(readFileSync(file, 'utf8')) : undefined
    const text = ns ? adminKubeconfig(nodeIp, ns) : fresh
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text, { mode: 0o600 })
    written.push(file)
  }
  return written
}
