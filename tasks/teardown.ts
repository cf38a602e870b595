/** Entry point: `npx tsx tasks/teardown.ts` — the teardown step (tasks/steps/teardown.ts) on its own, optionally stopping the cluster. */
import { command } from './lib/command.ts'
import { ROLLOUT_DEADLINE_MS, LEFTOVER_NAMESPACE } from './lib/tutorial.ts'
import { MINIKUBE_FLAGS } from './lib/providers/minikube.ts'
import { spec } from './lib/task.ts'
import { timeoutFlag } from './lib/flags.ts'
import { LEFTOVERS, stopCluster, teardown } from './steps/teardown.ts'

const cmd = spec(
  'tasks/teardown.ts',
  `Lesson 15: delete namespace hellogopher (and with it everything in it) plus what early lessons leave in '${LEFTOVER_NAMESPACE}' (${LEFTOVERS.map((l) => `${l.kind.toLowerCase()} ${l.names.join(', ')}`).join('; ')}), then point the kubectl context back at the namespace it had before. Destructive: on a cluster that is not recognisably local it needs --context and --yes.`,
  {
    'stop-cluster': { type: 'boolean', description: 'also stop the cluster afterwards' },
    timeout: { type: 'string', description: 'seconds to wait for the namespace to be gone', default: String(ROLLOUT_DEADLINE_MS / 1000) },
    yes: { type: 'boolean', description: 'confirm deleting on a cluster that is not recognisably local' },
    ...MINIKUBE_FLAGS,
  },
  { examples: ['npx tsx tasks/teardown.ts', 'npx tsx tasks/teardown.ts --stop-cluster', 'npx tsx tasks/teardown.ts --dry-run', 'npx tsx tasks/teardown.ts --profile learn --stop-cluster'] },
)

await command({
  spec: cmd,
  options: ({ flags }) => ({ timeoutMs: timeoutFlag(flags), stop: !!flags['stop-cluster'] }),
  guard: { mutates: true, destructive: true, lock: true },
  steps: ({ deps, options }) => [teardown(deps, { timeoutMs: options.timeoutMs }), ...(options.stop ? [stopCluster(deps)] : [])],
}).mainIf(import.meta.url)
