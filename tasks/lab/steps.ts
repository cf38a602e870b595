/**
 * The lab cluster's bring-up as task factories. Each step skips when the host already is as it needs
 * (a running process that answers, cached binaries, existing certs), so a second `lab up` only checks.
 */
import { Kube, type V1Node } from '../lib/kube.ts'
import type { Shell } from '../lib/shell.ts'
import { logTo, type Step } from '../lib/task.ts'
import { LAB_CONTEXT, LAB_NODE_IP, runtimeConfigDigest } from '../lib/providers/lab.ts'
import { buildMysqlImage, buildPauseImage, MYSQL_COMPAT_IMAGE, PAUSE_IMAGE } from './images/build.ts'
import { binariesBuilt, buildKubernetes } from './build.ts'
import * as C from './components.ts'
import { staleConfigs, writeConfigs } from './config.ts'
import { dockerPing, CONTROLLER_MANAGER_HEALTH, ETCD_HEALTH, KUBELET_HEALTH, KUBE_PROXY_HEALTH, SCHEDULER_HEALTH, apiserverReadyz, probe, waitUntil } from './health.ts'
import { hostReady, installPackages, missingPackages, prepareHost } from './host.ts'
import { CONTAINERD_SOCK, DOCKER_HOST, DOCKER_SOCK, ETCD_VERSION, K8S_VERSION, KUBECONFIG } from './paths.ts'
import { NODE_NAME, generatePki, pkiComplete } from './pki.ts'
import { runningPid, startProc, type ProcSpec } from './procs.ts'
import { join } from 'node:path'

export interface LabCtx {
  dryRun: boolean
  verbose: boolean
  nodeIp: string
}

export interface LabDeps {
  sh: Shell
}

const ctrArgs = (...a: string[]) => ['--address', CONTAINERD_SOCK, '-n', 'k8s.io', ...a]

export const labKube = () => new Kube({ kubeconfig: KUBECONFIG, context: LAB_CONTEXT })

export function nodeReady(n: V1Node | undefined): boolean {
  return !!n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
}

export const packages = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: 'Host packages (docker.io, containerd, runc, CNI plugins, iptables, …)',
  skip: () => (missingPackages().length === 0 ? 'all present' : false),
  task: async (_ctx, task) => installPackages(sh, missingPackages(), logTo(task)),
})

export const kubernetesBinaries = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: `Build Kubernetes ${K8S_VERSION} and etcd ${ETCD_VERSION} from Go modules (cold: several minutes)`,
  skip: () => binariesBuilt(),
  task: async (_ctx, task) => buildKubernetes(sh, logTo(task)),
})

export const hostNetwork = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: 'Host network: node address, forwarding, bridge netfilter',
  skip: (ctx) => hostReady(sh, ctx.nodeIp),
  task: async (ctx, task) => prepareHost(sh, ctx.nodeIp, logTo(task)),
})

export const certificates = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: 'Certificates (CA, apiserver, kubelet, clients, service accounts, front proxy)',
  skip: (ctx) => (pkiComplete(ctx.nodeIp) ? 'all present' : false),
  task: async (ctx, task) => generatePki(sh, ctx.nodeIp, logTo(task)),
})

export const configs = (): Step<LabCtx> => ({
  title: 'Configuration: kubeconfigs, kubelet, kube-proxy, scheduler, containerd, CNI',
  skip: (ctx) => (staleConfigs(ctx.nodeIp).length === 0 ? 'up to date' : false),
  task: async (ctx, task) => {
    for (const f of writeConfigs(ctx.nodeIp)) task.output = `wrote ${f}`
  },
})

/** A process step: skip when it answers; else start it detached and wait until it answers. */
function processStep(spec: (ctx: LabCtx) => ProcSpec, answers: (ctx: LabCtx) => Promise<boolean>, timeoutMs = 60_000): Step<LabCtx> {
  return {
    title: `Start ${spec({ nodeIp: LAB_NODE_IP, dryRun: false, verbose: false }).name}`,
    skip: async (ctx) => {
      const s = spec(ctx)
      if (!(await answers(ctx))) return false
      const pid = runningPid(s.name)
      return pid ? `running (pid ${pid})` : 'answers (started outside the lab tasks; left alone)'
    },
    task: async (ctx, task) => {
      const s = spec(ctx)
      const log = logTo(task)
      if (runningPid(s.name)) throw new Error(`${s.name} runs (pid ${runningPid(s.name)}) but does not answer — see its log, or run tasks/lab/down.ts then up again`)
      startProc(s, log)
      if (ctx.dryRun) return
      await waitUntil(s.name, () => answers(ctx), { timeoutMs, logName: s.name })
    },
  }
}

const cmdOk = async (sh: Shell, bin: string, args: string[], env?: Record<string, string>) =>
  (await sh.run(bin, args, { quiet: true, allowFail: true, readOnly: true, env })).exitCode === 0

export const etcd = (): Step<LabCtx> => processStep(() => C.etcd(), async () => (await probe(ETCD_HEALTH))?.includes('"health":"true"') ?? false)

export const containerd = ({ sh }: LabDeps): Step<LabCtx> => processStep(() => C.containerd(), () => cmdOk(sh, 'ctr', ['--address', CONTAINERD_SOCK, 'version']))

export const dockerd = (): Step<LabCtx> => processStep(() => C.dockerd(), () => dockerPing(DOCKER_SOCK))

/** An image built by the lab's dockerd, imported into containerd's k8s.io namespace (the kubelet's runtime). */
function labImage({ sh }: LabDeps, title: string, image: string, build: (sh: Shell, log: (l: string) => void) => Promise<string | undefined>): Step<LabCtx> {
  return {
    title,
    skip: async () => {
      const id = await sh.run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { env: { DOCKER_HOST }, quiet: true, allowFail: true, readOnly: true })
      return id.exitCode === 0 && (await runtimeConfigDigest(sh, image)) === id.stdout.trim() ? `${image} is in the runtime` : false
    },
    task: async (_ctx, task) => {
      const log = logTo(task)
      const env = { DOCKER_HOST }
      const shDocker: Shell = { ...sh, run: (bin, args, o) => sh.run(bin, args, { ...o, env: { ...env, ...o?.env } }) }
      const skipped = await build(shDocker, log)
      if (skipped) log(skipped)
      const tar = join(process.env.TMPDIR ?? '/tmp', `lab-${image.replace(/[^\w.-]+/g, '_')}.tar`)
      await shDocker.run('docker', ['save', '-o', tar, image], { log })
      try {
        await sh.run('ctr', ctrArgs('images', 'import', tar), { log })
      } finally {
        await sh.run('rm', ['-f', tar], { quiet: true })
      }
    },
  }
}

export const pauseImage = (deps: LabDeps): Step<LabCtx> => labImage(deps, `Pause image ${PAUSE_IMAGE} (built here from our own pause.c)`, PAUSE_IMAGE, buildPauseImage)

export const mysqlImage = (deps: LabDeps): Step<LabCtx> =>
  labImage(deps, `MySQL-compatible image ${MYSQL_COMPAT_IMAGE} (Debian MariaDB; nothing can be pulled here)`, MYSQL_COMPAT_IMAGE, buildMysqlImage)

export const apiserver = (): Step<LabCtx> => processStep((ctx) => C.apiserver(ctx.nodeIp), async (ctx) => (await probe(apiserverReadyz(ctx.nodeIp), { admin: true })) === 'ok', 120_000)

export const controllerManager = (): Step<LabCtx> => processStep(() => C.controllerManager(), async () => (await probe(CONTROLLER_MANAGER_HEALTH)) === 'ok')

export const scheduler = (): Step<LabCtx> => processStep(() => C.scheduler(), async () => (await probe(SCHEDULER_HEALTH)) === 'ok')

export const kubelet = (): Step<LabCtx> => processStep((ctx) => C.kubelet(ctx.nodeIp), async () => (await probe(KUBELET_HEALTH)) === 'ok')

export const kubeProxy = (): Step<LabCtx> => processStep(() => C.kubeProxy(), async () => (await probe(KUBE_PROXY_HEALTH)) !== undefined)

export const nodeIsReady = (): Step<LabCtx> => ({
  title: `Node ${NODE_NAME} Ready, ServiceAccount default present`,
  task: async (ctx, task) => {
    if (ctx.dryRun) return
    const kube = labKube()
    await kube.watchUntil<V1Node, true>('/api/v1/nodes', { fieldSelector: `metadata.name=${NODE_NAME}` }, (n) => (nodeReady(n) ? true : undefined), {
      timeoutMs: 120_000,
      what: `node ${NODE_NAME} to be Ready`,
      describe: (n) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? 'node not registered',
    })
    await kube.watchUntil('/api/v1/namespaces/default/serviceaccounts', { fieldSelector: 'metadata.name=default' }, () => true, {
      timeoutMs: 60_000,
      what: 'ServiceAccount default',
    })
    task.output = `node ${NODE_NAME} Ready; kubeconfig: ${KUBECONFIG}`
  },
})

/** The whole lab, in start order. */
export const labUpSteps = (deps: LabDeps): Step<LabCtx>[] => [
  packages(deps),
  kubernetesBinaries(deps),
  hostNetwork(deps),
  certificates(deps),
  configs(),
  etcd(),
  containerd(deps),
  dockerd(),
  pauseImage(deps),
  apiserver(),
  controllerManager(),
  scheduler(),
  kubelet(),
  kubeProxy(),
  nodeIsReady(),
  mysqlImage(deps),
]
