/**
 * The lab cluster: real Kubernetes built from upstream Go modules, run as host processes (tasks/lab/).
 * Images are built by the lab's own dockerd and imported into containerd's k8s.io namespace.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { ROOT } from '../tutorial.ts'
import { registerTempPath, releaseTempPath, tempPrefix } from '../lifecycle.ts'
import { inspectImage } from '../docker-api.ts'
import { dockerArgs } from '../docker-cli.ts'
import { KubeError } from '../kube-state.ts'
import { runCtr, runtimeConfigDigest } from '../../lab/engine/containerd.ts'
import { BIN_DIR, DOCKER_HOST, DOCKER_SOCK, KUBECONFIG, LAB_CONTEXT, LAB_NODE_IP } from '../../lab/engine/paths.ts'
import { MYSQL_COMPAT_IMAGE } from '../../lab/images/build.ts'
import { directEndpoint, type Provider } from './types.ts'

/** The tutorial names an upstream MySQL image; nothing can be pulled here, so the lab runs its MariaDB build. */
export const LAB_IMAGE_OVERRIDES: Record<string, string> = {
  'mysql:8.0': MYSQL_COMPAT_IMAGE,
}

export function labProvider(): Provider {
  return {
    name: 'lab',
    requiredTools: ['docker', 'go'],
    target: () => ({ kubeconfig: KUBECONFIG, context: LAB_CONTEXT }),
    commandEnv: () => ({ KUBECONFIG, PATH: `${BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}` }),
    async status() {
      try {
        const { Kube } = await import('../kube.ts') // loaded on use: --help and the guard stay fast
        const v = await new Kube({ kubeconfig: KUBECONFIG, context: LAB_CONTEXT }).ping(2000)
        return { running: true, detail: `lab: apiserver ${v} answers` }
      } catch (e) {
        return { running: false, detail: `lab: not running (${e instanceof KubeError ? e.problem : (e as Error).message})` }
      }
    },
    startCommands: () => [['npx', 'tsx', 'tasks/lab/up.ts']],
    async start(sh, log) {
      // its steps and build progress (one line per finished component: it runs piped) show inside this step
      await sh.run('npx', ['tsx', 'tasks/lab/up.ts'], { log, cwd: ROOT, onLine: log })
    },
    async stop(sh, log) {
      await sh.run('npx', ['tsx', 'tasks/lab/down.ts'], { log, cwd: ROOT })
    },
    dockerEnvCommand: () => undefined,
    async dockerEnv() {
      return { DOCKER_HOST }
    },
    async loadImage(sh, image, log) {
      const tar = join(tmpdir(), `${tempPrefix('lab-image')}${image.replace(/[^\w.-]+/g, '_')}.tar`)
      registerTempPath(tar) // removed on Ctrl-C or SIGTERM too
      try {
        await sh.run('docker', dockerArgs.save(tar, [image]), { env: { DOCKER_HOST }, log })
        await runCtr(sh, ['images', 'import', tar], { log })
      } finally {
        await rm(tar, { force: true })
        releaseTempPath(tar)
      }
    },
    // the lab's dockerd listens on its own unix socket: images are read there, in this process
    inspectImage: (image) => inspectImage(DOCKER_SOCK, image),
    async imageInRuntime(sh, image) {
      const local = await inspectImage(DOCKER_SOCK, image)
      if (!local) return false
      return (await runtimeConfigDigest(sh, image)) === local.id
    },
    async serviceUrl(_sh, kube, namespace, service) {
      const port = await kube.nodePort(namespace, service)
      return directEndpoint(`http://${LAB_NODE_IP}:${port}`)
    },
    imageOverrides: () => ({ ...LAB_IMAGE_OVERRIDES }),
    ownsContext: (context) => context === LAB_CONTEXT,
  }
}
