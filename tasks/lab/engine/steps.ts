/**
 * The lab cluster's bring-up as task factories. Each step skips when the host already is as it needs
 * (a running process that answers, cached binaries, existing certs), so a second `lab up` only checks.
 */
import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import type { V1APIService, V1Deployment } from '@kubernetes/client-node'
import { isNodeReady, Kube, readyCondition, type KubernetesObject, type V1Node } from '../../lib/kube.ts'
import { METRICS_API, ROOT } from '../../lib/tutorial.ts'
import { formatCommand, type Shell } from '../../lib/shell.ts'
import { kubectlArgs, runKubectl } from '../../lib/kubectl.ts'
import { logTo, type Step } from '../../lib/task.ts'
import { ctrVersionArgs, runCtr, runtimeConfigDigest } from './containerd.ts'
import { buildMysqlImage, buildPauseImage, MYSQL_COMPAT_IMAGE, PAUSE_IMAGE } from '../images/build.ts'
import { binariesBuilt, buildKubernetes, buildMetricsServer, metricsServerBuilt } from './build.ts'
import * as C from './components.ts'
import { staleConfigs, writeConfigs } from './config.ts'
import { dockerPing, CONTROLLER_MANAGER_HEALTH, ETCD_HEALTH, KUBELET_HEALTH, KUBE_PROXY_HEALTH, SCHEDULER_HEALTH, apiserverReadyz, metricsServerLivez, probe, waitUntil } from './health.ts'
import { hostReady, installPackages, missingPackages, prepareHost } from './host.ts'
import { BIN_DIR, DOCKER_HOST, DOCKER_SOCK, ETCD_VERSION, K8S_VERSION, KUBECONFIG, LAB_CONTEXT, LAB_NODE_IP, METRICS_SERVER_VERSION } from './paths.ts'
import { NODE_NAME, generatePki, pkiComplete } from './pki.ts'
import { ensureNocapRuntime } from './runtime.ts'
import { buildCorednsImage, CLUSTER_DNS_IP, COREDNS_IMAGE, COREDNS_VERSION } from './coredns.ts'
import { logFile, runningPid, startProc, type ProcSpec } from './procs.ts'
import { join, relative } from 'node:path'
import { docker, dockerImageInspect, ID_FORMAT } from '../../lib/docker-cli.ts'

export interface LabCtx {
  dryRun: boolean
  verbose: boolean
  nodeIp: string
}

export interface LabDeps {
  sh: Shell
  /** The lab's cluster client (tests inject a fake); default: labKube(). */
  kube?: () => Kube
}


export const labKube = () => new Kube({ kubeconfig: KUBECONFIG, context: LAB_CONTEXT })

export const METRICS_MANIFEST = join(ROOT, 'tasks', 'lab', 'manifests', 'metrics-server.yml')
export const COREDNS_MANIFEST = join(ROOT, 'tasks', 'lab', 'manifests', 'coredns.yml')

/** The APIService's Available condition as one line, and whether it is True (absent → not available). */
export function apiServiceAvailability(a: V1APIService | undefined): { available: boolean; message: string } {
  if (!a) return { available: false, message: `apiservice/${METRICS_API} not registered` }
  const c = a.status?.conditions?.find((x) => x.type === 'Available')
  if (!c) return { available: false, message: `apiservice/${a.metadata?.name} has no Available condition yet` }
  const detail = [c.reason, c.message].filter(Boolean).join(': ')
  return { available: c.status === 'True', message: `apiservice/${a.metadata?.name} Available=${c.status}${detail ? ` (${detail})` : ''}` }
}

/** The objects of a multi-document YAML text, in file order (empty documents dropped). */
export function yamlObjects(text: string): KubernetesObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors[0]) throw new Error(`malformed YAML: ${d.errors[0].message.split('\n')[0]}`)
      return d.toJS() as KubernetesObject | null
    })
    .filter((o): o is KubernetesObject => !!o)
}

export const packages = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: 'Host packages (docker.io, containerd, runc, CNI plugins, iptables, …)',
  skip: () => (missingPackages().length === 0 ? 'all present' : false),
  task: async (_ctx, task) => installPackages(sh, missingPackages(), logTo(task)),
})

const BUILD_TITLE = `Build Kubernetes ${K8S_VERSION} and etcd ${ETCD_VERSION} from Go modules (cold: several minutes)`
export const kubernetesBinaries = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: BUILD_TITLE,
  skip: () => binariesBuilt(),
  // on a terminal the title carries the live count (compiled N/M packages, elapsed); piped, one line per component
  task: async (_ctx, task) => buildKubernetes(sh, { log: logTo(task), status: (s) => (task.title = `${BUILD_TITLE} — ${s}`) }),
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
      if (ctx.dryRun) return log(`$ ${formatCommand(s.bin, s.args)} >${logFile(s.name)} 2>&1 &`)
      if (runningPid(s.name)) throw new Error(`${s.name} runs (pid ${runningPid(s.name)}) but does not answer — see its log, or run tasks/lab/down.ts then up again`)
      startProc(s, log)
      await waitUntil(s.name, () => answers(ctx), { timeoutMs, logName: s.name })
    },
  }
}

const cmdOk = async (sh: Shell, bin: string, args: string[], env?: Record<string, string>) =>
  (await sh.run(bin, args, { quiet: true, allowFail: true, readOnly: true, env })).exitCode === 0

export const etcd = (): Step<LabCtx> => processStep(() => C.etcd(), async () => (await probe(ETCD_HEALTH))?.includes('"health":"true"') ?? false)

export const containerd = ({ sh }: LabDeps): Step<LabCtx> => processStep(() => C.containerd(), () => cmdOk(sh, 'ctr', ctrVersionArgs()))

const dockerdProcess = processStep(() => C.dockerd(), () => dockerPing(DOCKER_SOCK))
export const dockerd = ({ sh }: LabDeps): Step<LabCtx> => ({
  ...dockerdProcess,
  task: async (ctx, task) => {
    await ensureNocapRuntime(sh, logTo(task))
    return (dockerdProcess.task as (c: LabCtx, t: typeof task) => Promise<void>)(ctx, task)
  },
})

/** An image built by the lab's dockerd, imported into containerd's k8s.io namespace (the kubelet's runtime). */
function labImage({ sh }: LabDeps, title: string, image: string, build: (sh: Shell, log: (l: string) => void) => Promise<string | undefined>): Step<LabCtx> {
  return {
    title,
    skip: async () => {
      const id = await dockerImageInspect(sh, image, ID_FORMAT, { DOCKER_HOST })
      return id.exitCode === 0 && (await runtimeConfigDigest(sh, image)) === id.stdout.trim() ? `${image} is in the runtime` : false
    },
    task: async (_ctx, task) => {
      const log = logTo(task)
      const env = { DOCKER_HOST }
      const shDocker: Shell = { ...sh, run: (bin, args, o) => sh.run(bin, args, { ...o, env: { ...env, ...o?.env } }) }
      const skipped = await build(shDocker, log)
      if (skipped) log(skipped)
      const tar = join(process.env.TMPDIR ?? '/tmp', `lab-${image.replace(/[^\w.-]+/g, '_')}.tar`)
      await docker(shDocker).save(tar, [image], { log })
      try {
        await runCtr(sh, ['images', 'import', tar], { log })
      } finally {
        await sh.run('rm', ['-f', tar], { quiet: true })
      }
    },
  }
}

export const pauseImage = (deps: LabDeps): Step<LabCtx> => labImage(deps, `Pause image ${PAUSE_IMAGE} (built here from our own pause.c)`, PAUSE_IMAGE, buildPauseImage)

export const mysqlImage = (deps: LabDeps): Step<LabCtx> =>
  labImage(deps, `MySQL-compatible image ${MYSQL_COMPAT_IMAGE} (Debian MariaDB; nothing can be pulled here)`, MYSQL_COMPAT_IMAGE, buildMysqlImage)

export const corednsImage = (deps: LabDeps): Step<LabCtx> =>
  labImage(deps, `CoreDNS image ${COREDNS_IMAGE} (built from its Go module)`, COREDNS_IMAGE, buildCorednsImage)

/** CoreDNS as the kube-dns Service: applied when it would change, then Ready (pods resolve Service names). */
export const clusterDns = ({ sh, kube: kubeOf = labKube }: LabDeps): Step<LabCtx> => ({
  title: `Cluster DNS: CoreDNS ${COREDNS_VERSION} as service/kube-dns ${CLUSTER_DNS_IP}`,
  skip: async () => {
    const kube = kubeOf()
    for (const o of yamlObjects(readFileSync(COREDNS_MANIFEST, 'utf8'))) if (await kube.applyWouldChange(o)) return false
    const d = await kube.read<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' })
    return (d?.status?.readyReplicas ?? 0) >= 1 ? `${relative(ROOT, COREDNS_MANIFEST)} applied, coredns Ready` : false
  },
  task: async (ctx, task) => {
    const env = { KUBECONFIG, PATH: `${BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}` }
    const log = logTo(task)
    await runKubectl(sh, kubectlArgs.applyServerSide(relative(ROOT, COREDNS_MANIFEST)), { log, cwd: ROOT, env })
    if (ctx.dryRun) return
    await runKubectl(sh, kubectlArgs.rolloutStatus('kube-system', 'deployment/coredns', 120), { log, env })
  },
})

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
    await kube.watchUntil<V1Node, true>('/api/v1/nodes', { fieldSelector: `metadata.name=${NODE_NAME}` }, (n) => (isNodeReady(n) ? true : undefined), {
      timeoutMs: 120_000,
      what: `node ${NODE_NAME} to be Ready`,
      describe: (n) => readyCondition(n)?.message ?? 'node not registered',
    })
    await kube.watchUntil('/api/v1/namespaces/default/serviceaccounts', { fieldSelector: 'metadata.name=default' }, () => true, {
      timeoutMs: 60_000,
      what: 'ServiceAccount default',
    })
    task.output = `node ${NODE_NAME} Ready; kubeconfig: ${KUBECONFIG}`
  },
})

export const metricsServerBinary = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: `Build metrics-server ${METRICS_SERVER_VERSION} from its Go module`,
  skip: () => metricsServerBuilt(),
  task: async (_ctx, task) => buildMetricsServer(sh, logTo(task)),
})

/** RBAC for the metrics-server user, the selector-less Service, its EndpointSlice (the host process) and the APIService. */
export const metricsServerApi = ({ sh, kube: kubeOf = labKube }: LabDeps): Step<LabCtx> => ({
  title: `Register ${METRICS_API} (RBAC, Service, EndpointSlice, APIService)`,
  skip: async () => {
    const kube = kubeOf()
    for (const o of yamlObjects(readFileSync(METRICS_MANIFEST, 'utf8'))) if (await kube.applyWouldChange(o)) return false
    return `${relative(ROOT, METRICS_MANIFEST)} is applied and up to date`
  },
  task: async (_ctx, task) => {
    const env = { KUBECONFIG, PATH: `${BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}` }
    await runKubectl(sh, kubectlArgs.applyServerSide(relative(ROOT, METRICS_MANIFEST)), { log: logTo(task), cwd: ROOT, env })
  },
})

export const metricsServer = (): Step<LabCtx> => processStep((ctx) => C.metricsServer(ctx.nodeIp), async (ctx) => (await probe(metricsServerLivez(ctx.nodeIp))) === 'ok')

/** The aggregator reaches metrics-server: `kubectl top` works once the first scrape lands (15–60 s later). */
export const metricsApiAvailable = ({ kube: kubeOf = labKube }: Pick<LabDeps, 'kube'> = {}): Step<LabCtx> => ({
  title: `APIService ${METRICS_API} Available`,
  skip: async () => {
    const kube = kubeOf()
    const a = await kube.read<V1APIService>({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: METRICS_API })
    const s = apiServiceAvailability(a)
    return s.available ? s.message : false
  },
  task: async (ctx, task) => {
    if (ctx.dryRun) return
    const s = await kubeOf().watchUntil<V1APIService, string>(
      '/apis/apiregistration.k8s.io/v1/apiservices',
      { fieldSelector: `metadata.name=${METRICS_API}` },
      (a) => {
        const s = apiServiceAvailability(a)
        task.output = s.message
        return s.available ? s.message : undefined
      },
      { timeoutMs: 120_000, what: `apiservice/${METRICS_API} to be Available`, describe: (a) => apiServiceAvailability(a).message },
    )
    task.output = `${s}; first metrics for \`kubectl top\` in 15–60 s`
  },
})

/** The whole lab, in start order. */
export const labUpSteps = (deps: LabDeps): Step<LabCtx>[] => [
  packages(deps),
  kubernetesBinaries(deps),
  metricsServerBinary(deps),
  hostNetwork(deps),
  certificates(deps),
  configs(),
  etcd(),
  containerd(deps),
  dockerd(deps),
  pauseImage(deps),
  apiserver(),
  controllerManager(),
  scheduler(),
  kubelet(),
  kubeProxy(),
  nodeIsReady(),
  metricsServerApi(deps),
  metricsServer(),
  metricsApiAvailable(deps),
  corednsImage(deps),
  clusterDns(deps),
  mysqlImage(deps),
]
