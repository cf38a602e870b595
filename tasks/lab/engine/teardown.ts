/**
 * Taking the lab down: stop what the lab started (by pid), kill pod containers, unmount, drop the lab's
 * iptables chains and interfaces. The build cache and images are kept, so the next `up` is quick.
 */
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Shell } from '../../lib/shell.ts'
import { logTo, type Step } from '../../lib/task.ts'
import { LAB_IFACE } from './host.ts'
import { runCtr } from './containerd.ts'
import { DOCKER_SOCK, RUN_DIR, STATE_DIR } from './paths.ts'
import { dockerPing } from './health.ts'
import { KUBE_COMPONENTS } from './components.ts'
import { runningPid, stopProc } from './procs.ts'
import type { LabCtx, LabDeps } from './steps.ts'

/** Mount points the lab left (pod volumes, sandbox shm, netns), deepest first; a dockerd still running keeps its own. */
export function labMounts(mountinfo: string, dockerRunning = false): string[] {
  const prefixes = [STATE_DIR, RUN_DIR, '/run/netns/cni-', '/var/run/netns/cni-']
  const docker = [join(STATE_DIR, 'docker'), join(RUN_DIR, 'docker')]
  return mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p && prefixes.some((pre) => p.startsWith(pre)))
    .filter((p) => !dockerRunning || !docker.some((d) => p.startsWith(d)))
    .map((p) => p.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length)
}

/** iptables-save output without the lab's chains and the rules that jump to them (KUBE-*, CNI-*). */
export function withoutLabRules(save: string): string {
  const lab = /(^:|\s)(KUBE-|CNI-)[\w-]*/
  return save
    .split('\n')
    .filter((l) => !(l.startsWith(':') && /^:(KUBE-|CNI-)/.test(l)) && !(l.startsWith('-A') && lab.test(l)))
    .join('\n')
}

export const stopComponents = (): Step<LabCtx> => ({
  title: 'Stop the Kubernetes components (metrics-server, kube-proxy, kubelet, scheduler, controller-manager, apiserver)',
  skip: () => (KUBE_COMPONENTS.some((n) => runningPid(n)) ? false : 'none running'),
  task: async (ctx, task) => {
    for (const name of [...KUBE_COMPONENTS].reverse()) if (!ctx.dryRun) await stopProc(name, logTo(task))
  },
})

export const killPods = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: 'Kill pod containers and sandboxes',
  skip: async () => {
    if (!runningPid('containerd')) return 'containerd not running'
    const r = await runCtr(sh, ['containers', 'ls', '-q'], { quiet: true, allowFail: true, readOnly: true })
    return r.stdout.trim() ? false : 'no containers'
  },
  task: async (_ctx, task) => {
    const log = logTo(task)
    const ids = (await runCtr(sh, ['tasks', 'ls', '-q'], { quiet: true, allowFail: true })).stdout.split('\n').filter(Boolean)
    for (const id of ids) await runCtr(sh, ['tasks', 'kill', '-a', '-s', 'SIGKILL', id], { log, allowFail: true })
    for (const id of ids) await runCtr(sh, ['tasks', 'delete', '-f', id], { quiet: true, allowFail: true })
    const containers = (await runCtr(sh, ['containers', 'ls', '-q'], { quiet: true, allowFail: true })).stdout.split('\n').filter(Boolean)
    if (containers.length) await runCtr(sh, ['containers', 'rm', ...containers], { log, allowFail: true })
  },
})

export const stopRuntime = (): Step<LabCtx> => ({
  title: 'Stop dockerd, containerd and etcd',
  skip: () => (['dockerd', 'containerd', 'etcd'].some((n) => runningPid(n)) ? false : 'none started by the lab'),
  task: async (ctx, task) => {
    for (const name of ['dockerd', 'containerd', 'etcd']) if (!ctx.dryRun) await stopProc(name, logTo(task), 20_000)
  },
})

export const unmount = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: 'Unmount pod volumes, sandbox shm and network namespaces',
  skip: async () => (labMounts(readFileSync('/proc/self/mountinfo', 'utf8'), await dockerPing(DOCKER_SOCK)).length ? false : 'nothing mounted'),
  task: async (_ctx, task) => {
    for (const m of labMounts(readFileSync('/proc/self/mountinfo', 'utf8'), await dockerPing(DOCKER_SOCK))) await sh.run('umount', ['-l', m], { log: logTo(task), allowFail: true })
  },
})

export const networkCleanup = ({ sh }: LabDeps): Step<LabCtx> => ({
  title: 'Remove the lab iptables chains (KUBE-*, CNI-*) and interfaces (cni0, k8slab0)',
  skip: async () => {
    const save = await sh.run('iptables-save', [], { quiet: true, allowFail: true, readOnly: true })
    const links = await sh.run('ip', ['-o', 'link', 'show'], { quiet: true, allowFail: true, readOnly: true })
    const rules = /(KUBE-|CNI-)/.test(save.stdout)
    const ifaces = new RegExp(`: (cni0|${LAB_IFACE})[:@]`).test(links.stdout)
    return rules || ifaces ? false : 'already clean'
  },
  task: async (_ctx, task) => {
    const log = logTo(task)
    const save = await sh.run('iptables-save', [], { log })
    await sh.run('iptables-restore', [], { log, input: withoutLabRules(save.stdout) })
    for (const iface of ['cni0', LAB_IFACE]) await sh.run('ip', ['link', 'delete', iface], { log, allowFail: true })
  },
})

export const removeState = (): Step<LabCtx & { purge?: boolean }> => ({
  title: 'Remove cluster state (etcd data, kubelet dir, CNI leases); keep images and the build cache',
  task: async (ctx, task) => {
    const dirs = ctx.purge ? [STATE_DIR, RUN_DIR] : ['etcd', 'kubelet', 'cni/networks'].map((d) => join(STATE_DIR, d))
    for (const d of dirs) {
      task.output = `$ rm -rf ${d}`
      if (!ctx.dryRun) rmSync(d, { recursive: true, force: true })
    }
  },
})

export const labDownSteps = (deps: { sh: Shell }): Step<LabCtx>[] => [
  stopComponents(),
  killPods(deps),
  stopRuntime(),
  unmount(deps),
  networkCleanup(deps),
  removeState() as Step<LabCtx>,
]
