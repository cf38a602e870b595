/** Entry point: `npx tsx tasks/docker-env.ts` — the docker-env step (tasks/steps/docker-env.ts) on its own. Reads only. */
import { isMain } from './lib/cli.ts'
import { spec, taskMain } from './lib/task.ts'
import { dockerEnv } from './steps/docker-env.ts'

const cmd = spec('tasks/docker-env.ts', "Lesson 2: show the docker environment that builds images straight into the cluster's runtime (what `eval $(minikube docker-env)` would set). Reads only.", {}, {
  examples: ['npx tsx tasks/docker-env.ts'],
})

if (isMain(import.meta.url)) await taskMain(cmd, [dockerEnv], { mutates: false, noPing: true })
