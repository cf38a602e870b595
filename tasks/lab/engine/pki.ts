/** The lab's certificates (openssl): one CA, serving and client certs per component, the SA key pair, front-proxy. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Log, Shell } from '../../lib/shell.ts'
import { STATE_DIR } from './paths.ts'

export const PKI_DIR = join(STATE_DIR, 'pki')
export const NODE_NAME = 'learn-k8s-lab'
export const SERVICE_CIDR = '10.96.0.0/16'
export const FIRST_SERVICE_IP = '10.96.0.1'
export const CLUSTER_CIDR = '10.244.0.0/16'
export const POD_CIDR = '10.244.0.0/24'

export interface CertSpec {
  name: string
  cn: string
  org?: string
  /** subjectAltName entries, e.g. `DNS:kubernetes`, `IP:127.0.0.1` */
  sans?: string[]
  ca: 'ca' | 'front-proxy-ca'
  usage: 'server' | 'client' | 'both'
}

export const pki = (name: string) => join(PKI_DIR, name)

/** Every certificate the lab needs, from its node IP. */
export function certSpecs(nodeIp: string): CertSpec[] {
  return [
    {
      name: 'apiserver',
      cn: 'kube-apiserver',
      ca: 'ca',
      usage: 'server',
      sans: ['DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'DNS:localhost', 'IP:127.0.0.1', `IP:${nodeIp}`, `IP:${FIRST_SERVICE_IP}`],
    },
    { name: 'admin', cn: 'learn-k8s-admin', org: 'system:masters', ca: 'ca', usage: 'client' },
    { name: 'controller-manager', cn: 'system:kube-controller-manager', ca: 'ca', usage: 'client' },
    { name: 'scheduler', cn: 'system:kube-scheduler', ca: 'ca', usage: 'client' },
    { name: 'kube-proxy', cn: 'system:kube-proxy', ca: 'ca', usage: 'client' },
    { name: 'kubelet', cn: `system:node:${NODE_NAME}`, org: 'system:nodes', ca: 'ca', usage: 'both', sans: [`DNS:${NODE_NAME}`, `IP:${nodeIp}`, 'IP:127.0.0.1'] },
    { name: 'apiserver-kubelet-client', cn: 'kube-apiserver-kubelet-client', org: 'system:masters', ca: 'ca', usage: 'client' },
    { name: 'front-proxy-client', cn: 'front-proxy-client', ca: 'front-proxy-ca', usage: 'client' },
    // talks to the apiserver and scrapes the kubelets; RBAC in tasks/lab/manifests/metrics-server.yml names this CN
    { name: 'metrics-server', cn: 'system:metrics-server', ca: 'ca', usage: 'client' },
  ]
}

/** Names of the files a complete PKI has (for the skip check). */
export function pkiFiles(nodeIp: string): string[] {
  return ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.key', 'sa.pub', ...certSpecs(nodeIp).flatMap((c) => [`${c.name}.crt`, `${c.name}.key`])]
}

export function pkiComplete(nodeIp: string): boolean {
  return existsSync(pki('node-ip')) && readFileSync(pki('node-ip'), 'utf8').trim() === nodeIp && pkiFiles(nodeIp).every((f) => existsSync(pki(f)))
}

function extFile(c: CertSpec): string {
  const eku = c.usage === 'server' ? 'serverAuth' : c.usage === 'client' ? 'clientAuth' : 'serverAuth,clientAuth'
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${eku}`,
    ...(c.sans?.length ? [`subjectAltName=${c.sans.join(',')}`] : []),
  ].join('\n')
}

export async function generatePki(sh: Shell, nodeIp: string, log: Log): Promise<void> {
  mkdirSync(PKI_DIR, { recursive: true, mode: 0o700 })
  const run = (args: string[]) => sh.run('openssl', args, { log, cwd: PKI_DIR })
  for (const ca of ['ca', 'front-proxy-ca']) {
    if (existsSync(pki(`${ca}.crt`))) continue
    await run(['genrsa', '-out', `${ca}.key`, '2048'])
    await run(['req', '-x509', '-new', '-nodes', '-key', `${ca}.key`, '-sha256', '-days', '3650', '-subj', `/CN=learn-k8s-lab-${ca}`, '-out', `${ca}.crt`])
  }
  if (!existsSync(pki('sa.key'))) {
    await run(['genrsa', '-out', 'sa.key', '2048'])
    await run(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'])
  }
  // same node IP: keep the certs that exist (running components hold them), issue only the missing ones
  const sameIp = existsSync(pki('node-ip')) && readFileSync(pki('node-ip'), 'utf8').trim() === nodeIp
  for (const c of certSpecs(nodeIp)) {
    if (sameIp && existsSync(pki(`${c.name}.crt`)) && existsSync(pki(`${c.name}.key`))) continue
    await run(['genrsa', '-out', `${c.name}.key`, '2048'])
    await run(['req', '-new', '-key', `${c.name}.key`, '-subj', `${c.org ? `/O=${c.org}` : ''}/CN=${c.cn}`, '-out', `${c.name}.csr`])
    writeFileSync(pki(`${c.name}.ext`), `${extFile(c)}\n`)
    await run(['x509', '-req', '-in', `${c.name}.csr`, '-CA', `${c.ca}.crt`, '-CAkey', `${c.ca}.key`, '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', `${c.name}.ext`, '-out', `${c.name}.crt`])
  }
  writeFileSync(pki('node-ip'), `${nodeIp}\n`)
}
