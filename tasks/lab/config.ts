/** The lab's configuration files: kubeconfigs, component configs, CNI, containerd. Pure builders + one writer. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { stringify } from 'yaml'
import { CNI_BIN_DIR, CNI_CONF_DIR, CONTAINERD_SOCK, KUBECONFIG, RUN_DIR, STATE_DIR } from './paths.ts'
import { CLUSTER_CIDR, NODE_NAME, pki, POD_CIDR } from './pki.ts'
import { PAUSE_IMAGE } from './images/build.ts'

export const CONFIG_DIR = join(STATE_DIR, 'config')
export const conf = (name: string) => join(CONFIG_DIR, name)
export const APISERVER_PORT = 6443

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
    clusterDomain: 'cluster.local',
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

/** Every config file for this node IP, with its content. */
export function configFiles(nodeIp: string): Record<string, string> {
  const server = `https://${nodeIp}:${APISERVER_PORT}`
  const files: Record<string, string> = {
    [KUBECONFIG]: kubeconfig({ server, user: 'admin', cert: 'admin', context: 'learn-k8s-lab' }),
    [conf('controller-manager.kubeconfig')]: kubeconfig({ server, user: 'kube-controller-manager', cert: 'controller-manager', context: 'lab' }),
    [conf('scheduler.kubeconfig')]: kubeconfig({ server, user: 'kube-scheduler', cert: 'scheduler', context: 'lab' }),
    [conf('kube-proxy.kubeconfig')]: kubeconfig({ server, user: 'kube-proxy', cert: 'kube-proxy', context: 'lab' }),
    [conf('kubelet.kubeconfig')]: kubeconfig({ server, user: `system:node:${NODE_NAME}`, cert: 'kubelet', context: 'lab' }),
    [conf('kubelet.yaml')]: kubeletConfig(nodeIp),
    [conf('kube-proxy.yaml')]: kubeProxyConfig(),
    [conf('scheduler.yaml')]: schedulerConfig(),
    [conf('containerd.toml')]: containerdConfig(),
    [join(CNI_CONF_DIR, '10-learn-k8s-lab.conflist')]: cniConfig(),
  }
  return files
}

/** Config files missing or different on disk. */
export function staleConfigs(nodeIp: string): Array<[string, string]> {
  return Object.entries(configFiles(nodeIp)).filter(([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text)
}

/** Write only the stale files: running components (kube-proxy) exit when their config file changes. */
export function writeConfigs(nodeIp: string): string[] {
  const written: string[] = []
  for (const [file, text] of staleConfigs(nodeIp)) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text, { mode: 0o600 })
    written.push(file)
  }
  return written
}
