/** What the lab needs from the host: Debian packages, kernel settings, the node's own address on a bridge with no ports. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { Log, Shell } from '../../lib/shell.ts'
import { CLUSTER_CIDR, SERVICE_CIDR } from './pki.ts'

/** Debian packages and a program each provides (checked on PATH/in place, so non-Debian hosts can bring their own). */
export const PACKAGES: Record<string, string> = {
  'docker.io': '/usr/sbin/dockerd',
  containerd: '/usr/bin/containerd',
  runc: '/usr/sbin/runc',
  'containernetworking-plugins': '/usr/lib/cni/bridge',
  iptables: '/usr/sbin/iptables',
  conntrack: '/usr/sbin/conntrack',
  'busybox-static': '/bin/busybox',
  debootstrap: '/usr/sbin/debootstrap',
  openssl: '/usr/bin/openssl',
  iproute2: '/usr/sbin/ip',
  gcc: '/usr/bin/gcc',
  'libc6-dev': '/usr/lib/x86_64-linux-gnu/libc.a',
  socat: '/usr/bin/socat',
  ethtool: '/usr/sbin/ethtool',
  kmod: '/usr/sbin/modprobe',
}

export function missingPackages(exists: (p: string) => boolean = existsSync): string[] {
  return Object.entries(PACKAGES)
    .filter(([, file]) => !exists(file))
    .map(([pkg]) => pkg)
}

/** Who runs this and whether apt-get is there (read from the host unless a test says). */
export interface InstallHost {
  isRoot?: boolean
  hasApt?: boolean
}

export async function installPackages(sh: Shell, pkgs: string[], log: Log, host: InstallHost = {}): Promise<void> {
  if (!(host.isRoot ?? process.getuid?.() === 0)) {
    throw new Error(`the lab needs these Debian packages: ${pkgs.join(' ')} — run as root, or: sudo apt-get install -y ${pkgs.join(' ')}`)
  }
  if (!(host.hasApt ?? existsSync('/usr/bin/apt-get'))) throw new Error(`missing ${pkgs.join(', ')} and this is not a Debian-like host: install them with your package manager`)
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  await sh.run('apt-get', ['update', '-qq'], { log, env })
  await sh.run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { log, env })
}

export const LAB_IFACE = 'k8slab0'

const SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-call-ip6tables': '1',
  // kube-proxy's NodePorts answer on the node IP from the host itself
  'net.ipv4.conf.all.route_localnet': '1',
}

const sysctlPath = (key: string) => `/proc/sys/${key.replace(/\./g, '/')}`

/** How kernel settings are read and written: /proc/sys (a test passes its own). */
export interface SysctlIo {
  read: (path: string) => string | undefined
  write: (path: string, value: string) => void
}
export const PROC_SYS: SysctlIo = {
  read: (p) => (existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined),
  write: (p, value) => writeFileSync(p, value),
}

/** Kernel settings that are not yet as the lab needs them. */
export function sysctlsToSet(read: (path: string) => string | undefined = PROC_SYS.read): Record<string, string> {
  return Object.fromEntries(Object.entries(SYSCTLS).filter(([k, v]) => read(sysctlPath(k)) !== v))
}

/**
 * The cluster's address ranges, routed to the lab's own bridge: a packet for a ClusterIP no Service holds is not
 * DNATed by kube-proxy and would otherwise follow the default route off this machine. Live ClusterIPs still work
 * (kube-proxy's DNAT runs first for pod traffic; host traffic is re-routed after the OUTPUT DNAT).
 */
export const LOCAL_ROUTES = [SERVICE_CIDR, CLUSTER_CIDR]

/** Ranges whose route (`ip route show exact R`) does not go to the lab's bridge. */
export async function routesToSet(sh: Shell): Promise<string[]> {
  const missing: string[] = []
  for (const range of LOCAL_ROUTES) {
    const r = await sh.run('ip', ['route', 'show', 'exact', range], { quiet: true, allowFail: true, readOnly: true })
    if (!new RegExp(`\\bdev ${LAB_IFACE}\\b`).test(r.stdout)) missing.push(range)
  }
  return missing
}

export async function hostReady(sh: Shell, nodeIp: string, sysctl: SysctlIo = PROC_SYS): Promise<string | false> {
  if (Object.keys(sysctlsToSet(sysctl.read)).length) return false
  const addr = await sh.run('ip', ['-4', '-o', 'addr', 'show', 'dev', LAB_IFACE], { quiet: true, allowFail: true, readOnly: true })
  if (!addr.stdout.includes(` ${nodeIp}/`)) return false
  if ((await routesToSet(sh)).length) return false
  return `${LAB_IFACE} has ${nodeIp} and routes ${LOCAL_ROUTES.join(', ')}; forwarding and bridge netfilter on`
}

export async function prepareHost(sh: Shell, nodeIp: string, log: Log, sysctl: SysctlIo = PROC_SYS): Promise<void> {
  await sh.run('modprobe', ['br_netfilter'], { log, allowFail: true }) // built in on some kernels
  for (const [key, value] of Object.entries(sysctlsToSet(sysctl.read))) {
    log(`$ sysctl -w ${key}=${value}`)
    sysctl.write(sysctlPath(key), value)
  }
  const link = await sh.run('ip', ['link', 'show', LAB_IFACE], { quiet: true, allowFail: true })
  if (link.exitCode !== 0) await sh.run('ip', ['link', 'add', LAB_IFACE, 'type', 'bridge'], { log })
  const addr = await sh.run('ip', ['-4', '-o', 'addr', 'show', 'dev', LAB_IFACE], { quiet: true })
  if (!addr.stdout.includes(` ${nodeIp}/`)) await sh.run('ip', ['addr', 'add', `${nodeIp}/32`, 'dev', LAB_IFACE], { log })
  await sh.run('ip', ['link', 'set', LAB_IFACE, 'up'], { log })
  for (const range of await routesToSet(sh)) await sh.run('ip', ['route', 'replace', range, 'dev', LAB_IFACE], { log })
  // kubelet's volume mounts need shared propagation on /
  await sh.run('mount', ['--make-rshared', '/'], { log })
}
