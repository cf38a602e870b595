/** tasks/lab/engine/paths.ts: where the lab keeps its cache, state and sockets (defaults, and the LAB_*_DIR / XDG_CACHE_HOME overrides, each read once at import), the paths derived from them, and the pinned versions. */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

type Paths = typeof import('../../../../../tasks/lab/engine/paths.ts')
const KEYS = ['LAB_STATE_DIR', 'LAB_RUN_DIR', 'LAB_CACHE_DIR', 'XDG_CACHE_HOME'] as const
let fresh = 0

/** A fresh evaluation of paths.ts (its own module instance, by a query) under exactly these variables; the env is restored after. */
async function pathsWith(env: Partial<Record<(typeof KEYS)[number], string>>): Promise<Paths> {
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]))
  for (const k of KEYS) delete process.env[k]
  Object.assign(process.env, env)
  try {
    return (await import(`${new URL('../../../../../tasks/lab/engine/paths.ts', import.meta.url).href}?case=${++fresh}`)) as Paths
  } finally {
    for (const k of KEYS) if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
  }
}

test('defaults: state in /var/lib/learn-k8s-easy/lab, sockets and pids in /run/learn-k8s-easy, the build cache in ~/.cache', async () => {
  const p = await pathsWith({})
  assert.is(p.STATE_DIR, '/var/lib/learn-k8s-easy/lab')
  assert.is(p.RUN_DIR, '/run/learn-k8s-easy')
  assert.is(p.CACHE_DIR, join(homedir(), '.cache', 'learn-k8s-easy', 'lab'))
})

test('XDG_CACHE_HOME moves the build cache; LAB_CACHE_DIR, LAB_STATE_DIR and LAB_RUN_DIR replace each dir', async () => {
  assert.is((await pathsWith({ XDG_CACHE_HOME: '/x/cache' })).CACHE_DIR, '/x/cache/learn-k8s-easy/lab')
  const p = await pathsWith({ XDG_CACHE_HOME: '/x/cache', LAB_CACHE_DIR: '/c', LAB_STATE_DIR: '/s', LAB_RUN_DIR: '/r' })
  assert.equal([p.CACHE_DIR, p.STATE_DIR, p.RUN_DIR], ['/c', '/s', '/r'])
})

test('derived paths follow their dirs: kubeconfig, logs and CNI config in state; sockets and pids in run; binaries by version in the cache', async () => {
  const p = await pathsWith({ LAB_CACHE_DIR: '/c', LAB_STATE_DIR: '/s', LAB_RUN_DIR: '/r' })
  assert.is(p.KUBECONFIG, '/s/admin.kubeconfig')
  assert.is(p.LOG_DIR, '/s/logs')
  assert.is(p.CNI_CONF_DIR, '/s/cni/net.d')
  assert.is(p.CONTAINERD_SOCK, '/r/containerd.sock')
  assert.is(p.DOCKER_SOCK, '/r/docker.sock')
  assert.is(p.DOCKER_HOST, 'unix:///r/docker.sock')
  assert.is(p.PID_DIR, '/r/pids')
  assert.is(p.BIN_DIR, `/c/build/k8s-${p.K8S_VERSION}/bin`)
  assert.is(p.kubectlBin(), `/c/build/k8s-${p.K8S_VERSION}/bin/kubectl`)
})

test('versions: release tags; the staging modules (k8s.io/api…) are v0.<minor>.<patch> of the Kubernetes release', async () => {
  const p = await pathsWith({})
  for (const v of [p.K8S_VERSION, p.K8S_STAGING_VERSION, p.ETCD_VERSION, p.METRICS_SERVER_VERSION]) assert.match(v, /^v\d+\.\d+\.\d+$/)
  assert.is(p.K8S_STAGING_VERSION, p.K8S_VERSION.replace(/^v1\./, 'v0.'))
})

test('the node IP is outside the service and pod ranges', async () => {
  const { LAB_NODE_IP } = await pathsWith({})
  const { CLUSTER_CIDR, SERVICE_CIDR } = await import('../../../../../tasks/lab/engine/pki.ts')
  const n = (ip: string) => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0)
  const inside = (ip: string, cidr: string) => {
    const [base, bits] = cidr.split('/') as [string, string]
    const size = 2 ** (32 - Number(bits))
    return Math.floor(n(ip) / size) === Math.floor(n(base) / size)
  }
  assert.ok(inside('10.96.3.4', SERVICE_CIDR) && !inside('10.97.0.1', SERVICE_CIDR), 'the range check itself')
  assert.not.ok(inside(LAB_NODE_IP, SERVICE_CIDR))
  assert.not.ok(inside(LAB_NODE_IP, CLUSTER_CIDR))
})

test.run()
