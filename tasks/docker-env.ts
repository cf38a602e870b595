/** Entry point: `npx tsx tasks/docker-env.ts` — the docker-env step (tasks/steps/docker-env.ts) on its own. Reads only. */
import { command } from './lib/command.ts'
import { spec } from './lib/task.ts'
import { dockerEnv } from './steps/docker-env.ts'

const cmd = spec('tasks/docker-env.ts', "Lesson 2: show the docker environment that builds images straight into the cluster's runtime (what `eval $(minikube docker-env)` would set). Reads only.", {}, {
  examples: ['npx tsx tasks/docker-env.ts'],
})

await command({ spec: cmd, guard: { mutates: false, noPing: true }, steps: ({ deps }) => [dockerEnv(deps)] }).mainIf(import.meta.url)
