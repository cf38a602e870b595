/**
 * Lesson 2, docker env + image: point docker at the cluster (`eval $(minikube docker-env)`; here captured once)
 * and `docker build -t programmingpercy/hellogopher:1.0` — the image lands where the cluster's runtime sees it.
 */
import { imageRef, NAMESPACE } from '../lib/tutorial.ts'
import { buildImages } from '../steps/build-images.ts'
import { describeDockerEnv, dockerEnv } from '../steps/docker-env.ts'
import { startCluster } from '../steps/start-cluster.ts'
import { lookWith, observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { fail, pass, type Check, type CheckDeps } from './check.ts'
import { CONTAINERD_SOCK, DOCKER_HOST } from '../lab/engine/paths.ts'
import type { Explanation } from './explain.ts'

/** --check: the 1.0 image is where the cluster's runtime finds it (a read: `docker image inspect`, `ctr images ls`, …). */
export const checks: Check[] = [
  {
    observable: "programmingpercy/hellogopher:1.0 exists where the cluster's runtime sees it",
    hint: 'eval $(minikube docker-env) in THIS shell, then docker build -t programmingpercy/hellogopher:1.0 . — look at docker image ls in the same shell',
    async check(d) {
      const image = d.clusterImage('programmingpercy/hellogopher:1.0')
      if (await d.imageInRuntime(image)) return pass(`${image} is in the ${d.provider} cluster's runtime`)
      return fail(`${image} is not in the cluster's runtime`, await imageHint(d, image))
    },
  },
]

/**
 * What to do when the image is not in the runtime. Where `docker build` and the runtime are apart (kind, the lab),
 * whether docker has it says which step was left out: the build, or the load into the runtime.
 */
async function imageHint(d: CheckDeps, image: string): Promise<string | undefined> {
  const build = `docker build -t ${image} .`
  if (d.provider === 'kind') {
    const load = `kind load docker-image ${image}`
    return (await d.imageBuilt(image))
      ? `it is in docker but not in the node: ${load} — then docker exec <node> crictl images lists it`
      : `${build} then ${load}`
  }
  if (d.provider === 'lab') {
    const load = `docker save ${image} | ctr --address ${CONTAINERD_SOCK} -n k8s.io images import -`
    return (await d.imageBuilt(image))
      ? `it is in the lab's docker but not in its containerd (docker build does not put it there): ${load} — then ctr … images ls lists it (npx tsx tasks/build-images.ts --tag 1.0 does both)`
      : `${build} with DOCKER_HOST=${DOCKER_HOST} (the lab's dockerd), then ${load} (npx tsx tasks/build-images.ts --tag 1.0 does both)`
  }
  if (d.provider === 'remote') return 'docker build, then docker push to the registry the cluster pulls from'
  // minikube: the check's own hint (eval $(minikube docker-env) in this shell, then docker build)
  return undefined
}

export const explain: Explanation = {
  commands: [
    { run: 'eval $(minikube docker-env)', does: ["Points this shell's docker at the docker inside minikube, so what you build lands where the cluster's runtime looks.", 'Only this shell: a new terminal needs it again — forgetting it gives ErrImagePull / ErrImageNeverPull in lesson 3.'] },
    { run: 'go mod init hellogopher', does: ['Makes the folder a Go module, so go build (inside the Dockerfile) can build main.go.', 'Look at the go.mod it writes: the module name and the Go version.'] },
    { run: 'docker build -t programmingpercy/hellogopher:1.0 .', does: ['Builds the image from the Dockerfile and names it repository:tag.', 'Look at docker image ls programmingpercy/hellogopher in the same shell: tag 1.0.'] },
  ],
  next: 'run the image in the cluster with a Deployment — npx tsx tasks/lesson.ts 3 --explain',
}

export const lesson: Lesson = {
  number: 2,
  name: 'image',
  title: 'Docker env + image',
  summary: "docker builds hellogopher:1.0 where the cluster's runtime sees it (what eval $(minikube docker-env) is for)",
  observable: "the image exists where the cluster's runtime sees it",
  namespace: NAMESPACE,
  checks,
  explain,
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
