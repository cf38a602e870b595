/** Entry point: `npx tsx tasks/start-cluster.ts` — the start-cluster step (tasks/steps/start-cluster.ts) on its own. */
import { command } from './lib/command.ts'
import { MINIKUBE_FLAGS } from './lib/providers/minikube.ts'
import { spec } from './lib/task.ts'
import { startCluster } from './steps/start-cluster.ts'

const cmd = spec('tasks/start-cluster.ts', 'Lesson 1: start the cluster (minikube start, or the lab) and wait until its node is Ready. Skips when it already runs.', { ...MINIKUBE_FLAGS }, {
  examples: ['npx tsx tasks/start-cluster.ts', 'npx tsx tasks/start-cluster.ts --provider minikube --dry-run', 'npx tsx tasks/start-cluster.ts --profile learn --driver docker'],
})

// no ping: the cluster is what this starts; no context guard: it only starts the provider's own cluster
await command({ spec: cmd, guard: { mutates: false, noPing: true, lock: true }, steps: ({ deps }) => [startCluster(deps)] }).mainIf(import.meta.url)
