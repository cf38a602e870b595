/**
 * Lesson 2, docker env + image: point docker at the cluster (`eval $(minikube docker-env)`; here captured once)
 * and `docker build -t programmingpercy/hellogopher:1.0` — the image lands where the cluster's runtime sees it.
 */
import { imageRef, NAMESPACE } from '../lib/context.ts'
import { buildImages } from '../build-images.ts'
import { describeDockerEnv, dockerEnv } from '../docker-env.ts'
import { startCluster } from '../start-cluster.ts'
import { lookWith, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

export const lesson: Lesson = {
  number: 2,
  name: 'image',
  title: 'Docker env + image',
  summary: "docker builds hellogopher:1.0 where the cluster's runtime sees it (what eval $(minikube docker-env) is for)",
  observable: "the image exists where the cluster's runtime sees it",
  namespace: NAMESPACE,
  steps: (deps) => [
    startCluster(deps),
    dockerEnv(deps),
    ...buildImages(deps, ['1.0']),
    observe(deps, {
      title: "the image, in docker and in the cluster's runtime",
      expect: "programmingpercy/hellogopher:1.0 is in the cluster's runtime",
      async check(ctx, log) {
        const image = imageRef(ctx, '1.0')
        log(describeDockerEnv(ctx.dockerEnv ?? {}))
        const r = await lookWith(deps, log, 'docker', ['image', 'ls', image], { env: ctx.dockerEnv })
        if (!r.stdout.includes('1.0')) throw new NotSeen(`${image} in docker`, 'docker image ls does not list it')
        if (!(await deps.provider.imageInRuntime(deps.sh, image))) {
          throw new NotSeen(`${image} in the cluster's runtime`, `it is in docker but not in the ${deps.provider.name} cluster's runtime — pods would show ErrImageNeverPull`)
        }
        log(`${image} is in the ${deps.provider.name} cluster's runtime (the kubelet can start it without pulling)`)
        return `${image} is in the cluster's runtime`
      },
    }),
  ],
}
