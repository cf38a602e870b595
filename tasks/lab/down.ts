/** Take the lab cluster down: every process it started (by pid), pod containers, mounts, iptables chains, interfaces. Idempotent. */
import { command } from '../lib/command.ts'
import { spec } from '../lib/task.ts'
import { LAB_NODE_IP } from './engine/paths.ts'
import { labDownSteps } from './engine/teardown.ts'
import type { LabCtx } from './engine/steps.ts'

const cmd = spec('tasks/lab/down.ts', 'Stop the lab cluster and clean up after it; the Kubernetes build cache and built images are kept.', {
  purge: { type: 'boolean', description: 'also delete all lab state (certificates, images, containerd/docker data)' },
})

await command<{ purge: boolean }, LabCtx & { purge: boolean }>({
  spec: cmd,
  guard: false,
  options: ({ flags }) => ({ purge: !!flags.purge }),
  ctx: ({ purge }) => ({ nodeIp: LAB_NODE_IP, purge }),
  steps: ({ sh }) => labDownSteps({ sh }),
}).mainIf(import.meta.url)
