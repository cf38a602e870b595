/** Bring the lab cluster up (real Kubernetes from Go modules, as host processes). Idempotent: a second run only checks. */
import { isMain, runMain } from '../lib/cli.ts'
import { hostTask, spec } from '../lib/task.ts'
import { LAB_NODE_IP } from './engine/paths.ts'
import { labUpSteps, type LabCtx } from './engine/steps.ts'
import { KUBECONFIG, K8S_VERSION, BIN_DIR } from './engine/paths.ts'

const cmd = spec('tasks/lab/up.ts', `Start the lab cluster: Kubernetes ${K8S_VERSION} built from Go modules, etcd, containerd, dockerd, one node. Needs root on Linux.`, {}, {
  examples: ['npx tsx tasks/lab/up.ts', `KUBECONFIG=${KUBECONFIG} ${BIN_DIR}/kubectl get nodes`],
})

export const labUp = (argv: string[]): Promise<void> =>
  hostTask<LabCtx>(cmd, argv, {
    linuxOnly: 'the lab cluster runs on Linux only — use --provider minikube or kind here',
    ctx: (base) => ({ ...base, nodeIp: LAB_NODE_IP }),
    steps: (sh) => labUpSteps({ sh }),
    done: `lab cluster ready. Try: KUBECONFIG=${KUBECONFIG} ${BIN_DIR}/kubectl get nodes`,
  })

if (isMain(import.meta.url)) await runMain(cmd, () => labUp(process.argv.slice(2)))
