/** tasks/lab/engine/host.ts: which packages, kernel settings and routes the host still lacks, when it counts as ready, and what preparing and installing run (fake shell, injected /proc/sys and host facts: nothing on this machine is read or changed). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fakeShell, type Call } from '../../../fakes.ts'
import { hostReady, installPackages, LAB_IFACE, LOCAL_ROUTES, missingPackages, PACKAGES, prepareHost, routesToSet, sysctlsToSet, type SysctlIo } from '../../../../../tasks/lab/engine/host.ts'
import { CLUSTER_CIDR, SERVICE_CIDR } from '../../../../../tasks/lab/engine/pki.ts'

const IP = '10.250.0.1'
const NEEDED = {
  '/proc/sys/net/ipv4/ip_forward': '1',
  '/proc/sys/net/bridge/bridge-nf-call-iptables': '1',
  '/proc/sys/net/bridge/bridge-nf-call-ip6tables': '1',
  '/proc/sys/net/ipv4/conf/all/route_localnet': '1',
}

/** A /proc/sys in memory: reads what it holds, records writes into it. */
function memSysctl(values: Record<string, string>): SysctlIo & { writes: Array<[string, string]> } {
  const writes: Array<[string, string]> = []
  return {
    writes,
    read: (p) => values[p],
    write: (p, v) => {
      writes.push([p, v])
      values[p] = v
    },
  }
}

/** `ip` on a host: the lab bridge with these addresses (or none), routes for these ranges via the bridge. */
function ipHost(o: { bridge: boolean; addrs?: string[]; routed?: string[] }) {
  return fakeShell({
    reply: (c: Call) => {
      if (c.bin !== 'ip') return undefined
      const a = c.args.join(' ')
      if (a === `link show ${LAB_IFACE}`) return o.bridge ? { stdout: `7: ${LAB_IFACE}: <BROADCAST,UP> mtu 1500\n` } : { exitCode: 1, stderr: `Device "${LAB_IFACE}" does not exist.` }
      if (a === `-4 -o addr show dev ${LAB_IFACE}`) return { stdout: (o.addrs ?? []).map((ip) => `7: ${LAB_IFACE}    inet ${ip}/32 scope global ${LAB_IFACE}\n`).join('') }
      if (a.startsWith('route show exact ')) {
        const range = c.args[3]!
        return { stdout: o.routed?.includes(range) ? `${range} dev ${LAB_IFACE} scope link\n` : range === CLUSTER_CIDR ? '' : `${range} via 192.168.1.1 dev eth0\n` }
      }
      return undefined
    },
  })
}

test('missingPackages: the Debian packages whose program is not in place, by the file each provides', () => {
  const present = new Set(Object.values(PACKAGES).filter((f) => f !== '/usr/sbin/conntrack' && f !== '/usr/bin/socat'))
  assert.equal(missingPackages((p) => present.has(p)), ['conntrack', 'socat'])
  assert.equal(missingPackages(() => true), [])
  assert.equal(missingPackages(() => false), Object.keys(PACKAGES))
})

test('sysctlsToSet: the settings (by their /proc/sys path) whose value is not the needed one, or that cannot be read', () => {
  assert.equal(sysctlsToSet((p) => NEEDED[p as keyof typeof NEEDED]), {})
  const read = (p: string) => (p.endsWith('ip_forward') ? '0' : p.includes('bridge-nf') ? undefined : '1')
  assert.equal(sysctlsToSet(read), { 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': '1', 'net.bridge.bridge-nf-call-ip6tables': '1' })
})

test('routesToSet: the cluster ranges (service and pod) whose route does not go to the lab bridge, asked read-only', async () => {
  assert.equal(LOCAL_ROUTES, [SERVICE_CIDR, CLUSTER_CIDR])
  const sh = ipHost({ bridge: true, routed: [SERVICE_CIDR] })
  assert.equal(await routesToSet(sh), [CLUSTER_CIDR])
  assert.equal(sh.calls.map((c) => c.line), [`ip route show exact ${SERVICE_CIDR}`, `ip route show exact ${CLUSTER_CIDR}`])
  assert.ok(sh.calls.every((c) => c.opts.readOnly && c.opts.quiet))
  assert.equal(await routesToSet(ipHost({ bridge: true, routed: [SERVICE_CIDR, CLUSTER_CIDR] })), [])
  // a route to another device whose name starts like the bridge's is not the bridge
  const lookalike = fakeShell({ reply: (c: Call) => ({ stdout: `${c.args[3]} dev ${LAB_IFACE}x scope link\n` }) })
  assert.equal(await routesToSet(lookalike), LOCAL_ROUTES)
})

test('hostReady: ready (saying why) only with every setting, the node IP on the bridge and both routes', async () => {
  const ready = await hostReady(ipHost({ bridge: true, addrs: [IP], routed: LOCAL_ROUTES }), IP, memSysctl({ ...NEEDED }))
  assert.is(ready, `${LAB_IFACE} has ${IP} and routes ${SERVICE_CIDR}, ${CLUSTER_CIDR}; forwarding and bridge netfilter on`)
  const noForward = ipHost({ bridge: true, addrs: [IP], routed: LOCAL_ROUTES })
  assert.is(await hostReady(noForward, IP, memSysctl({ ...NEEDED, '/proc/sys/net/ipv4/ip_forward': '0' })), false)
  assert.equal(noForward.calls, [], 'a setting missing is enough: no ip to run')
  assert.is(await hostReady(ipHost({ bridge: true, addrs: ['10.250.0.10'], routed: LOCAL_ROUTES }), IP, memSysctl({ ...NEEDED })), false)
  assert.is(await hostReady(ipHost({ bridge: true, addrs: [IP], routed: [SERVICE_CIDR] }), IP, memSysctl({ ...NEEDED })), false)
})

test('prepareHost on a fresh host: br_netfilter, the missing settings written, the bridge made with the node IP, up, both routes, shared mounts', async () => {
  const sys = memSysctl({ ...NEEDED, '/proc/sys/net/ipv4/ip_forward': '0', '/proc/sys/net/ipv4/conf/all/route_localnet': '0' })
  const sh = ipHost({ bridge: false })
  const lines: string[] = []
  await prepareHost(sh, IP, (l) => lines.push(l), sys)
  assert.equal(sys.writes, [
    ['/proc/sys/net/ipv4/ip_forward', '1'],
    ['/proc/sys/net/ipv4/conf/all/route_localnet', '1'],
  ])
  assert.ok(lines.includes('$ sysctl -w net.ipv4.ip_forward=1') && lines.includes('$ sysctl -w net.ipv4.conf.all.route_localnet=1'), lines.join('\n'))
  assert.equal(sh.commands(), [
    'modprobe br_netfilter',
    `ip link add ${LAB_IFACE} type bridge`,
    `ip addr add ${IP}/32 dev ${LAB_IFACE}`,
    `ip link set ${LAB_IFACE} up`,
    `ip route replace ${SERVICE_CIDR} dev ${LAB_IFACE}`,
    `ip route replace ${CLUSTER_CIDR} dev ${LAB_IFACE}`,
    'mount --make-rshared /',
  ])
  assert.ok(sh.calls.find((c) => c.bin === 'modprobe')!.opts.allowFail, 'br_netfilter may be built in')
})

test('prepareHost on a prepared host: writes no setting, adds no bridge, address or route', async () => {
  const sys = memSysctl({ ...NEEDED })
  const sh = ipHost({ bridge: true, addrs: [IP], routed: LOCAL_ROUTES })
  await prepareHost(sh, IP, () => {}, sys)
  assert.equal(sys.writes, [])
  assert.equal(sh.commands(), ['modprobe br_netfilter', `ip link set ${LAB_IFACE} up`, 'mount --make-rshared /'])
})

test('installPackages: not root → an error giving the sudo command, nothing run; no apt-get → an error; as root with apt → update, then install without recommends', async () => {
  const sh = fakeShell()
  await installPackages(sh, ['socat', 'conntrack'], () => {}, { isRoot: false, hasApt: true }).then(
    () => assert.unreachable('installed without root'),
    (e: Error) => assert.ok(e.message.includes('sudo apt-get install -y socat conntrack'), e.message),
  )
  await installPackages(sh, ['socat'], () => {}, { isRoot: true, hasApt: false }).then(
    () => assert.unreachable('installed without apt-get'),
    (e: Error) => assert.match(e.message, /not a Debian-like host/),
  )
  assert.equal(sh.calls, [])
  await installPackages(sh, ['socat', 'conntrack'], () => {}, { isRoot: true, hasApt: true })
  assert.equal(sh.commands(), ['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends socat conntrack'])
  assert.ok(sh.calls.every((c) => c.opts.env?.DEBIAN_FRONTEND === 'noninteractive'))
})

test.run()
