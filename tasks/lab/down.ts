/** Take the lab cluster down: every process it started (by pid), pod containers, mounts, iptables chains, interfaces. Idempotent. */
import { isMain, parseCli, runMain, usage } from '../lib/cli.ts'
import { createShell } from '../lib/shell.ts'
import { runList, spec } from '../lib/task.ts'
import { LAB_NODE_IP } from '../lib/providers/lab.ts'
import { labDownSteps } from './teardown.ts'
import type { LabCtx } from './steps.ts'

const cmd = spec('tasks/lab/down.ts', 'Stop the lab cluster and clean up after it; the Kubernetes build cache and built images are kept.', {
  purge: { type: 'boolean', description: 'also delete all lab state (certificates, images, containerd/docker data)' },
})

export async function labDown(argv: string[]): Promise<void> {
  const parsed = parseCli(cmd, argv)
  if (parsed.help) {
    process.stdout.write(`${usage(cmd)}\n`)
    return
  }
  const dryRun = !!parsed.flags['dry-run']
  const sh = createShell({ dryRun, verbose: !!parsed.flags.verbose })
  const ctx: LabCtx & { purge: boolean } = { dryRun, verbose: !!parsed.flags.verbose, nodeIp: LAB_NODE_IP, purge: !!parsed.flags.purge }
  await runList(labDownSteps({ sh }), ctx)
}

if (isMain(import.meta.url)) await runMain(cmd, () => labDown(process.argv.slice(2)))
