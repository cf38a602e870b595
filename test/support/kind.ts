/**
 * The kind test harness: a real kind cluster on this machine, offline, for the e2e suites (E2E_PROVIDER=kind).
 *
 *   npx tsx test/support/kind.ts up     # node image, docker network, then `tasks/up.ts --provider kind` creates it
 *   npx tsx test/support/kind.ts env    # the environment the suites run with (DOCKER_HOST, PATH, KUBECONFIG, …)
 *   npx tsx test/support/kind.ts down   # delete the cluster, the network and its firewall rule
 *
 * What is particular to these machines lives here, not in the kind provider a learner runs:
 * - kind's nodes run on the lab's dockerd (its runtime handles the missing CAP_SYS_RESOURCE: tasks/lab/engine/runtime.ts);
 * - the node image is the offline one (tasks/kind-image.ts), passed as KIND_NODE_IMAGE;
 * - the `kind` docker network is made here with a known bridge name, and a DOCKER-USER rule drops everything the
 *   nodes would forward off that bridge: nothing may leave the machine (a dead ClusterIP, an image pull);
 * - metrics-server (lessons 9, 14) from the image baked into the node; MySQL as the lab's MariaDB-compatible image.
 * kubectl is the lab's (the same v1.34.4), kind the one built from its module.
 */
import { runCommand, type Ran } from './spawn.ts'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { toolsDir } from '../../tasks/lib/gotools.ts'
import { BIN_DIR, DOCKER_HOST } from '../../tasks/lab/engine/paths.ts'
import { KIND_NODE_IMAGE, METRICS_SERVER_MANIFEST } from '../../tasks/lab/kindnode/build.ts'
import { dockerdRuntimeArgs, NOCAP_RUNTIME } from '../../tasks/lab/engine/runtime.ts'
import { MYSQL_COMPAT_IMAGE } from '../../tasks/lab/images/build.ts'
import { KIND_DEFAULT_NAME } from '../../tasks/lib/providers/kind.ts'

export const KIND_STATE_DIR = '/var/lib/learn-k8s-easy/kind'
export const KIND_KUBECONFIG = join(KIND_STATE_DIR, 'kubeconfig')
export const KIND_NETWORK = 'kind'
export const KIND_BRIDGE = 'br-learn-kind'
const CLUSTER = process.env.KIND_CLUSTER_NAME || KIND_DEFAULT_NAME

/** The environment a learner with kind has, on this machine: the suites and tasks run with it. */
export function kindEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    E2E_PROVIDER: 'kind',
    KIND_CLUSTER_NAME: CLUSTER,
    KIND_NODE_IMAGE,
    KUBECONFIG: KIND_KUBECONFIG,
    DOCKER_HOST,
    PATH: `${toolsDir(base)}:${BIN_DIR}:${base.PATH ?? ''}`,
  }
}

const run = (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; echo?: boolean; input?: string } = {}): Promise<Ran> =>
  runCommand(cmd, args, { env: opts.env ?? kindEnv(), echo: opts.echo, showCommand: opts.echo !== false, input: opts.input })

async function must(cmd: string, args: string[], what: string, opts: { env?: NodeJS.ProcessEnv; echo?: boolean; input?: string } = {}): Promise<string> {
  const r = await run(cmd, args, opts)
  if (r.code !== 0) throw new Error(`${what}: \`${cmd} ${args.join(' ')}\` exited ${r.code}: ${r.out.trim().split('\n').slice(-3).join(' | ')}`)
  return r.out
}

/** The lab's dockerd must run with the runtime this machine needs (a dockerd started before it existed has not). */
async function checkRuntime(): Promise<void> {
  if (!dockerdRuntimeArgs().length) return
  const out = await must('docker', ['info', '--format', '{{.DefaultRuntime}}'], 'the lab dockerd', { echo: false })
  if (out.trim() !== NOCAP_RUNTIME) {
    throw new Error(`the lab's dockerd uses runtime '${out.trim()}', not ${NOCAP_RUNTIME}: restart it (npx tsx tasks/lab/down.ts && npx tsx tasks/lab/up.ts)`)
  }
}

/** The `kind` network with a bridge name we know, and the rule that keeps its traffic on this machine. */
async function network(): Promise<void> {
  const inspect = await run('docker', ['network', 'inspect', '--format', '{{index .Options "com.docker.network.bridge.name"}}', KIND_NETWORK], { echo: false })
  if (inspect.code === 0 && inspect.out.trim() !== KIND_BRIDGE) {
    await must('docker', ['network', 'rm', KIND_NETWORK], 'remove a kind network made elsewhere')
  }
  if (inspect.code !== 0 || inspect.out.trim() !== KIND_BRIDGE) {
    await must('docker', ['network', 'create', '--driver', 'bridge', '-o', `com.docker.network.bridge.name=${KIND_BRIDGE}`, KIND_NETWORK], 'create the kind network')
  }
  for (const rule of RULES) {
    if ((await run('iptables', ['-C', ...rule], { echo: false })).code !== 0) await must('iptables', ['-I', ...rule], 'keep kind traffic on this machine')
  }
}

/**
 * - DOCKER-USER: nothing the nodes send is forwarded off their bridge (a dead ClusterIP, an image pull).
 * - nat PREROUTING: the host's own DNAT rules (the lab's kube-proxy, on the same 10.96.0.0/16) never see the
 *   nodes' packets, so a kind pod can never reach a lab Service; such packets are then routed, and dropped above.
 */
export const RULES: string[][] = [
  ['DOCKER-USER', '-i', KIND_BRIDGE, '!', '-o', KIND_BRIDGE, '-j', 'DROP'],
  ['PREROUTING', '-t', 'nat', '-i', KIND_BRIDGE, '-j', 'RETURN'],
]

/**
 * The tutorial's `mysql:8.0` cannot be pulled here; the kind node gets the lab's MariaDB-compatible image under
 * that name, the way an air-gapped classroom's mirror would serve it (on GitHub Actions kind pulls the real one).
 */
async function mysqlImage(): Promise<void> {
  process.stdout.write(`mysql:8.0 cannot be pulled here: loading ${MYSQL_COMPAT_IMAGE} into the kind node as mysql:8.0\n`)
  await must('docker', ['tag', MYSQL_COMPAT_IMAGE, 'mysql:8.0'], 'tag the MySQL-compatible image')
  await must('kind', ['load', 'docker-image', 'mysql:8.0', '--name', CLUSTER], 'load mysql:8.0 into kind')
}

/** metrics-server from the node image, and wait until the metrics API answers (kubectl top needs it). */
async function metricsServer(): Promise<void> {
  await must('kubectl', ['apply', '-f', METRICS_SERVER_MANIFEST], 'install metrics-server on kind')
  await must('kubectl', ['-n', 'kube-system', 'rollout', 'status', 'deployment/metrics-server', '--timeout=180s'], 'metrics-server rollout')
  await must('kubectl', ['wait', '--for=condition=Available', 'apiservice/v1beta1.metrics.k8s.io', '--timeout=120s'], 'metrics API available')
}

export async function kindUp(): Promise<void> {
  mkdirSync(KIND_STATE_DIR, { recursive: true })
  await checkRuntime()
  await must('npx', ['tsx', 'tasks/kind-image.ts'], 'build the offline kind node image')
  await network()
  // a cluster left by an earlier run whose node stopped (its dockerd was restarted with the lab) is made anew
  const state = await run('docker', ['inspect', '-f', '{{.State.Status}}', `${CLUSTER}-control-plane`], { echo: false })
  if (state.code === 0 && state.out.trim() !== 'running') await must('kind', ['delete', 'cluster', '--name', CLUSTER], 'delete a stopped kind cluster')
  const t0 = Date.now()
  await must('npx', ['tsx', 'tasks/start-cluster.ts', '--provider', 'kind'], 'create the kind cluster')
  process.stdout.write(`kind: cluster ${CLUSTER} created and Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`)
  await mysqlImage()
  await metricsServer()
}

export async function kindDown(): Promise<void> {
  await run('kind', ['delete', 'cluster', '--name', CLUSTER])
  for (const rule of RULES) while ((await run('iptables', ['-C', ...rule], { echo: false })).code === 0) await run('iptables', ['-D', ...rule])
  await run('docker', ['network', 'rm', KIND_NETWORK])
}

if (process.argv[1]?.endsWith('test/support/kind.ts')) {
  const what = process.argv[2]
  try {
    if (what === 'up') await kindUp()
    else if (what === 'down') await kindDown()
    else if (what === 'env') for (const k of ['E2E_PROVIDER', 'KIND_CLUSTER_NAME', 'KIND_NODE_IMAGE', 'KUBECONFIG', 'DOCKER_HOST', 'PATH']) process.stdout.write(`export ${k}=${kindEnv()[k]}\n`)
    else {
      process.stderr.write('usage: npx tsx test/support/kind.ts up|down|env\n')
      process.exitCode = 2
    }
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`)
    process.exitCode = 1
  }
}
