/**
 * The `kind` CLI: the one place its argv is built (list, create, delete, load an image).
 * Each call runs through the Shell, so the learner sees the command echoed; options pass through.
 */
import type { RunOpts, Shell } from './shell.ts'

/** kind's argv for each verb this project uses (pure; kind(sh) runs them). */
export const kindArgs = {
  getClusters: () => ['get', 'clusters'],
  /** `--image` only when a node image is named (else kind's own default). */
  createCluster: (name: string, config: string, image?: string) => ['create', 'cluster', '--name', name, '--config', config, ...(image ? ['--image', image] : [])],
  deleteCluster: (name: string) => ['delete', 'cluster', '--name', name],
  loadDockerImage: (image: string, name: string) => ['load', 'docker-image', image, '--name', name],
}

/** Run `kind <verb …>` through the shell. */
export function kind(sh: Shell) {
  const run = (args: string[], opts?: RunOpts) => sh.run('kind', args, opts)
  return {
    getClusters: (opts?: RunOpts) => run(kindArgs.getClusters(), opts),
    deleteCluster: (name: string, opts?: RunOpts) => run(kindArgs.deleteCluster(name), opts),
    loadDockerImage: (image: string, name: string, opts?: RunOpts) => run(kindArgs.loadDockerImage(image, name), opts),
  }
}
