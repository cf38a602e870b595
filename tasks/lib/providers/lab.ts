/**
 * The lab cluster: real Kubernetes built from upstream Go modules, run as host processes (tasks/lab/).
 * Images are built by the lab's own dockerd and imported into containerd's k8s.io namespace.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFile, rm } from 'node:fs/promises'
import { ROOT } from '../context.ts'
import { registerTempPath, releaseTempPath, tempPrefix } from '../lifecycle.ts'
import { inspectImage } from '../docker-api.ts'
import type { Shell } from '../shell.ts'
import { BIN_DIR, CONTAINERD_SOCK, DOCKER_HOST, DOCKER_SOCK, KUBECONFIG, STATE_DIR } from '../../lab/paths.ts'
import { MYSQL_COMPAT_IMAGE } from '../../lab/images/build.ts'
import { directEndpoint, type Provider } from './types.ts'

export const LAB_CONTEXT = 'learn-k8s-lab'
/** The node's address: on a port-less bridge the lab creates, so it is the same on every machine. */
export const LAB_NODE_IP = '10.250.0.1'

/** The tutorial names an upstream MySQL image; nothing can be pulled here, so the lab runs its MariaDB build. */
export const LAB_IMAGE_OVERRIDES: Record<string, string> = {
  'mysql:8.0': MYSQL_COMPAT_IMAGE,
}

const ctr = (...args: string[]) => ['--address', CONTAINERD_SOCK, '-n', 'k8s.io', ...args]

/** containerd names docker's short refs in full. */
export function fullRef(image: string): string {
  let name = image
  let tag = 'latest'
  const colon = image.lastIndexOf(':')
  if (colon > image.lastIndexOf('/')) {
    name = image.slice(0, colon)
    tag = image.slice(colon + 1)
  }
  const first = name.split('/')[0]!
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  if (!hasRegistry) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`
  return `${name}:${tag}`
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
        return { running: false, detail: `lab: not running (${(e as Error).message.split(' — ')[0]})` }
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
        await sh.run('docker', ['save', '-o', tar, image], { env: { DOCKER_HOST }, log })
        await sh.run('ctr', ctr('images', 'import', tar), { log })
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
      const svc = await kube.core.readNamespacedService({ namespace, name: service })
      const port = svc.spec?.ports?.find((p) => p.nodePort)?.nodePort
      if (!port) throw new Error(`service/${service} in ${namespace} has no NodePort`)
      return directEndpoint(`http://${LAB_NODE_IP}:${port}`)
    },
    imageOverrides: () => ({ ...LAB_IMAGE_OVERRIDES }),
    ownsContext: (context) => context === LAB_CONTEXT,
  }
}

/** The lab containerd's content store: every blob is a file named by its digest (what `ctr content get` serves). */
export const CONTENT_DIR = join(STATE_DIR, 'containerd', 'io.containerd.content.v1.content', 'blobs')

/**
 * The config digest (= docker image ID) of an image in containerd's k8s.io namespace, or undefined. The manifest is
 * read from the content store's file when it is there (no process), else with `ctr content get`.
 */
export async function runtimeConfigDigest(sh: Shell, image: string, contentDir = CONTENT_DIR): Promise<string | undefined> {
  const ls = await sh.run('ctr', ctr('images', 'ls', `name==${fullRef(image)}`), { quiet: true, allowFail: true, readOnly: true })
  const row = ls.stdout.split('\n').slice(1).find((l) => l.trim())
  const manifestDigest = row?.trim().split(/\s+/)[2]
  if (ls.exitCode !== 0 || !/^sha256:[0-9a-f]{64}$/.test(manifestDigest ?? '')) return undefined
  let manifest: string
  try {
    manifest = await readFile(join(contentDir, 'sha256', manifestDigest!.slice('sha256:'.length)), 'utf8')
  } catch {
    const content = await sh.run('ctr', ctr('content', 'get', manifestDigest!), { quiet: true, allowFail: true, readOnly: true })
    if (content.exitCode !== 0) return undefined
    manifest = content.stdout
  }
  try {
    return (JSON.parse(manifest) as { config?: { digest?: string } }).config?.digest
  } catch {
    return undefined
  }
}
