/** Where the lab cluster keeps things (build cache kept by `down`, runtime state, sockets, kubeconfig) and how it is reached (node IP, context). */
import { homedir } from 'node:os'
import { join } from 'node:path'

export const LAB_CONTEXT = 'learn-k8s-lab'
/** The node's address: on a port-less bridge the lab creates, so it is the same on every machine. */
export const LAB_NODE_IP = '10.250.0.1'

export const K8S_VERSION = 'v1.34.4'
export const K8S_STAGING_VERSION = 'v0.34.4'
/**
 * etcd built from its module: Debian's 3.4.23 lacks working watch progress notifications, and the 1.34
 * apiserver's consistent reads from its watch cache then stall watches ("Too large resource version").
 */
export const ETCD_VERSION = 'v3.6.16'
/** metrics-server (sigs.k8s.io/metrics-server), for `kubectl top`. Its go.mod has no replace directives: plain `go install`. */
export const METRICS_SERVER_VERSION = 'v0.8.0'

const cacheHome = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache')

/** Build cache (Kubernetes binaries by version, image rootfs tarballs). Survives `lab down`. */
export const CACHE_DIR = process.env.LAB_CACHE_DIR ?? join(cacheHome, 'learn-k8s-easy', 'lab')
/** Runtime state: certs, configs, etcd data, containerd/docker roots, logs, pids. */
export const STATE_DIR = process.env.LAB_STATE_DIR ?? '/var/lib/learn-k8s-easy/lab'
/** Sockets and pid files. */
export const RUN_DIR = process.env.LAB_RUN_DIR ?? '/run/learn-k8s-easy'

export const BIN_DIR = join(CACHE_DIR, 'build', `k8s-${K8S_VERSION}`, 'bin')
export const KUBECONFIG = join(STATE_DIR, 'admin.kubeconfig')
export const CONTAINERD_SOCK = join(RUN_DIR, 'containerd.sock')
export const DOCKER_SOCK = join(RUN_DIR, 'docker.sock')
export const DOCKER_HOST = `unix://${DOCKER_SOCK}`
export const LOG_DIR = join(STATE_DIR, 'logs')
export const PID_DIR = join(RUN_DIR, 'pids')
export const CNI_CONF_DIR = join(STATE_DIR, 'cni', 'net.d')
export const CNI_BIN_DIR = '/usr/lib/cni'

export const kubectlBin = () => join(BIN_DIR, 'kubectl')
