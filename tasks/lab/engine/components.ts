/** The lab's processes, in start order, each with how to start it (after hack/local-up-cluster.sh). */
import { join } from 'node:path'
import { BIN_DIR, CONTAINERD_SOCK, DOCKER_SOCK, RUN_DIR, STATE_DIR } from './paths.ts'
import { conf, APISERVER_PORT, METRICS_SERVER_PORT } from './config.ts'
import { CLUSTER_CIDR, NODE_NAME, pki, SERVICE_CIDR } from './pki.ts'
import type { ProcSpec } from './procs.ts'
import { dockerdRuntimeArgs } from './runtime.ts'

const bin = (name: string) => join(BIN_DIR, name)

export function etcd(): ProcSpec {
  return {
    name: 'etcd',
    bin: bin('etcd'),
    args: [
      '--name=learn-k8s-lab',
      `--data-dir=${join(STATE_DIR, 'etcd')}`,
      '--listen-client-urls=http://127.0.0.1:2379',
      '--advertise-client-urls=http://127.0.0.1:2379',
      '--listen-peer-urls=http://127.0.0.1:2380',
      '--initial-advertise-peer-urls=http://127.0.0.1:2380',
      '--initial-cluster=learn-k8s-lab=http://127.0.0.1:2380',
      '--listen-metrics-urls=http://127.0.0.1:2381',
      '--quota-backend-bytes=2147483648',
      '--log-level=warn',
    ],
  }
}

export function containerd(): ProcSpec {
  return { name: 'containerd', bin: '/usr/bin/containerd', args: ['--config', conf('containerd.toml')] }
}

export function dockerd(): ProcSpec {
  return {
    name: 'dockerd',
    bin: '/usr/sbin/dockerd',
    args: [
      '--containerd', CONTAINERD_SOCK,
      '--data-root', join(STATE_DIR, 'docker'),
      '--exec-root', join(RUN_DIR, 'docker'),
      '--pidfile', join(RUN_DIR, 'docker.pid'),
      '-H', `unix://${DOCKER_SOCK}`,
      // privileged containers (kind's nodes) on machines that withhold a capability: see runtime.ts
      ...dockerdRuntimeArgs(),
    ],
  }
}

export function apiserver(nodeIp: string): ProcSpec {
  return {
    name: 'kube-apiserver',
    bin: bin('kube-apiserver'),
    args: [
      '--etcd-servers=http://127.0.0.1:2379',
      `--advertise-address=${nodeIp}`,
      '--bind-address=0.0.0.0',
      `--secure-port=${APISERVER_PORT}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--service-node-port-range=30000-32767',
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      `--client-ca-file=${pki('ca.crt')}`,
      `--tls-cert-file=${pki('apiserver.crt')}`,
      `--tls-private-key-file=${pki('apiserver.key')}`,
      `--service-account-key-file=${pki('sa.pub')}`,
      `--service-account-signing-key-file=${pki('sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`,
      `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
      `--kubelet-certificate-authority=${pki('ca.crt')}`,
      '--kubelet-preferred-address-types=InternalIP',
      `--requestheader-client-ca-file=${pki('front-proxy-ca.crt')}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-username-headers=X-Remote-User',
      `--proxy-client-cert-file=${pki('front-proxy-client.crt')}`,
      `--proxy-client-key-file=${pki('front-proxy-client.key')}`,
      '--enable-aggregator-routing=true',
      '--enable-admission-plugins=NodeRestriction',
      '--profiling=false',
      '--v=1',
    ],
  }
}

export function controllerManager(): ProcSpec {
  const kc = conf('controller-manager.kubeconfig')
  return {
    name: 'kube-controller-manager',
    bin: bin('kube-controller-manager'),
    args: [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      '--bind-address=127.0.0.1',
      `--service-account-private-key-file=${pki('sa.key')}`,
      `--root-ca-file=${pki('ca.crt')}`,
      `--cluster-signing-cert-file=${pki('ca.crt')}`,
      `--cluster-signing-key-file=${pki('ca.key')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      `--cluster-cidr=${CLUSTER_CIDR}`,
      '--allocate-node-cidrs=false',
      '--use-service-account-credentials=true',
      '--controllers=*,-cloud-node-lifecycle',
      '--leader-elect=false',
      '--v=1',
    ],
  }
}

export function scheduler(): ProcSpec {
  const kc = conf('scheduler.kubeconfig')
  return {
    name: 'kube-scheduler',
    bin: bin('kube-scheduler'),
    args: [`--config=${conf('scheduler.yaml')}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`, '--bind-address=127.0.0.1', '--v=1'],
  }
}

export function kubelet(nodeIp: string): ProcSpec {
  return {
    name: 'kubelet',
    bin: bin('kubelet'),
    args: [
      `--config=${conf('kubelet.yaml')}`,
      `--kubeconfig=${conf('kubelet.kubeconfig')}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${nodeIp}`,
      `--root-dir=${join(STATE_DIR, 'kubelet')}`,
      '--v=1',
    ],
  }
}

export function kubeProxy(): ProcSpec {
  return { name: 'kube-proxy', bin: bin('kube-proxy'), args: [`--config=${conf('kube-proxy.yaml')}`, '--v=1'] }
}

/** metrics-server as a host process behind the aggregation layer; it scrapes the kubelet with the lab CA checking the kubelet's cert. */
export function metricsServer(nodeIp: string): ProcSpec {
  const kc = conf('metrics-server.kubeconfig')
  return {
    name: 'metrics-server',
    bin: bin('metrics-server'),
    args: [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      `--bind-address=${nodeIp}`,
      `--secure-port=${METRICS_SERVER_PORT}`,
      `--cert-dir=${join(STATE_DIR, 'metrics-server')}`,
      `--kubelet-certificate-authority=${pki('ca.crt')}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--metric-resolution=15s',
      '--v=1',
    ],
  }
}

/** Start order; `down` stops in reverse. */
export const ORDER = ['etcd', 'containerd', 'dockerd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'metrics-server'] as const

/** The Kubernetes components (stopped before the runtime, in reverse ORDER). */
export const KUBE_COMPONENTS = ORDER.filter((n) => n.startsWith('kube') || n === 'metrics-server')
