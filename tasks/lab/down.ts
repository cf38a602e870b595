/** Take the lab cluster down: every process it started (by pid), pod containers, mounts, iptables chains, interfaces. Idempotent. */
import { isMain, runMain } from '../lib/cli.ts'
import { hostTask, spec } from '../lib/task.ts'
import { LAB_NODE_IP } from './engine/paths.ts'
import { labDownSteps } from './engine/teardown.ts'
import type { LabCtx } from './engine/steps.ts'

const cmd = spec('tasks/lab/down.ts', 'Stop the lab cluster and clean up after it; the Kubernetes build cache and built images are kept.', {
  purge: { type: 'boolean', description: 'also delete all lab state (certificates, images, containerd/docker data)' },
})

export const labDown = (argv: string[]): Promise<void> =>
  hostTask<LabCtx & { purge: boolean }>(cmd, argv, {
    ctx: (base, parsed) => ({ ...base, nodeIp: LAB_NODE_IP, purge: !!parsed.flags.purge }),
    steps: (sh) => labDownSteps({ sh }),
  })

if (isMain(import.meta.url)) await runMain(cmd, () => labDown(process.argv.slice(2)))
