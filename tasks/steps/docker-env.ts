/**
 * Lesson 2: find the docker endpoint whose images the cluster sees (`minikube docker-env`, the lab's dockerd)
 * ONCE, into ctx.dockerEnv; later steps pass it as `env`, so nobody has to `eval $(minikube docker-env)`.
 * A read: never skipped.
 */
import type { Deps } from '../lib/run.ts'
import { formatCommand } from '../lib/shell.ts'
import { logTo, type Step } from '../lib/task.ts'

/** One line naming where `docker build` will put images. */
export function describeDockerEnv(env: Record<string, string>): string {
  const host = env.DOCKER_HOST
  return host ? `docker endpoint: DOCKER_HOST=${host}` : 'docker endpoint: the default one (images are loaded into the cluster after each build)'
}

export const dockerEnv = (deps: Deps): Step => ({
  title: `Point docker at the ${deps.provider.name} cluster's images (lesson 2: docker-env)`,
  task: async (ctx, task) => {
    const cmd = deps.provider.dockerEnvCommand()
    // a command is a read of the cluster's docker: not under --dry-run; without one the env is fixed, so show it
    if (ctx.dryRun && cmd) {
      task.output = `$ ${formatCommand(cmd[0]!, cmd.slice(1))}`
      return
    }
    // the provider echoes the command it runs (minikube: only with the docker runtime; it says which runtime)
    ctx.dockerEnv = await deps.provider.dockerEnv(deps.sh, logTo(task))
    task.output = describeDockerEnv(ctx.dockerEnv)
  },
})
