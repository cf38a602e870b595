/** Bring the lab cluster up (real Kubernetes from Go modules, as host processes). Idempotent: a second run only checks. */
import { command } from '../lib/command.ts'
import { spec } from '../lib/task.ts'
import { LAB_NODE_IP } from './engine/paths.ts'
import { labUpSteps, type LabCtx } from './engine/steps.ts'
import { KUBECONFIG, K8S_VERSION, BIN_DIR } from './engine/paths.ts'

const cmd = spec('tasks/lab/up.ts', `Start the lab cluster: Kubernetes ${K8S_VERSION} built from Go modules, etcd, containerd, dockerd, one node. Needs root on Linux.`, {}, {
  examples: ['npx tsx tasks/lab/up.ts', `KUBECONFIG=${KUBECONFIG} ${BIN_DIR}/kubectl get nodes`],
})

await command<unknown, LabCtx>({
  spec: cmd,
  guard: false,
  linuxOnly: 'the lab cluster runs on Linux only — use --provider minikube or kind here',
  ctx: () => ({ nodeIp: LAB_NODE_IP }),
  steps: ({ sh }) => labUpSteps({ sh }),
  after: ({ ctx }) => (ctx.dryRun ? undefined : `\nlab cluster ready. Try: KUBECONFIG=${KUBECONFIG} ${BIN_DIR}/kubectl get nodes\n`),
}).mainIf(import.meta.url)
