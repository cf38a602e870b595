/** Bring the lab cluster up (real Kubernetes from Go modules, as host processes). Idempotent: a second run only checks. */
import { isMain, runMain } from '../lib/cli.ts'
import { createShell } from '../lib/shell.ts'
import { runList, spec } from '../lib/task.ts'
import { parseCli, usage } from '../lib/cli.ts'
import { LAB_NODE_IP } from '../lib/providers/lab.ts'
import { labUpSteps, type LabCtx } from './steps.ts'
import { KUBECONFIG, K8S_VERSION, BIN_DIR } from './paths.ts'

const cmd = spec('tasks/lab/up.ts', `Start the lab cluster: Kubernetes ${K8S_VERSION} built from Go modules, etcd, containerd, dockerd, one node. Needs root on Linux.`, {}, {
  examples: ['npx tsx tasks/lab/up.ts', `KUBECONFIG=${KUBECONFIG} ${BIN_DIR}/kubectl get nodes`],
})

export async function labUp(argv: string[]): Promise<void> {
  const parsed = parseCli(cmd, argv)
  if (parsed.help) {
    process.stdout.write(`${usage(cmd)}\n`)
    return
  }
  const dryRun = !!parsed.flags['dry-run']
  const verbose = !!parsed.flags.verbose
  if (!dryRun && process.platform !== 'linux') throw new Error('the lab cluster runs on Linux only — use --provider minikube or kind here')
  const sh = createShell({ dryRun, verbose })
  const ctx: LabCtx = { dryRun, verbose, nodeIp: LAB_NODE_IP }
  await runList(labUpSteps({ sh }), ctx)
  if (!dryRun) process.stdout.write(`\nlab cluster ready. Try: KUBECONFIG=${KUBECONFIG} ${BIN_DIR}/kubectl get nodes\n`)
}

if (isMain(import.meta.url)) await runMain(cmd, () => labUp(process.argv.slice(2)))
