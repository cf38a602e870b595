/**
 * Any cluster in the kubeconfig that this tool did not make (a cloud cluster, a shared one, one on another
 * machine). Nothing can be built into its runtime, so images go through a registry: `--registry <host[:port]/repo>`;
 * each hellogopher image is `docker tag`ged `<registry>/hellogopher:<tag>` and `docker push`ed, and the
 * tutorial's manifests are applied with those references and `imagePullPolicy: Always`, visibly.
 * This tool neither starts nor stops such a cluster, and the context guard keeps it from changing one by accident.
 */
import { UsageError } from '../cli.ts'
import { DEFAULT_IMAGE_REPO, tagNames } from '../tutorial.ts'
import { CommandError, formatCommand, type Shell } from '../shell.ts'
import type { Kube } from '../kube.ts'
import { KubeError } from '../kube-state.ts'
import { directEndpoint, type Provider, type ProviderStatus } from './types.ts'
import { dockerArgs, dockerImageInspect, ID_FORMAT } from '../docker-cli.ts'

export interface RemoteOptions {
  /** `host[:port]/repo` the cluster can pull from (e.g. `127.0.0.1:5000/learn`, `ghcr.io/me`). */
  registry?: string
  /** kubeconfig context (`--context`); default: the kubeconfig's current one. */
  context?: string
}

// docker's reference grammar: a host may have capitals and a port; repository parts may not have capitals
const HOST = /^(localhost|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:\d{1,5})?$/
const PATH_PART = /^[a-z0-9]+([._-][a-z0-9]+)*$/

/** Check --registry: `host[:port]` with an optional repository path, no scheme, no tag. Returns it without a trailing slash. */
export function checkRegistry(registry: string): string {
  const r = registry.trim().replace(/\/+$/, '')
  const bad = (why: string) => new UsageError(`--registry '${registry}' ${why} (expected host[:port]/repo, e.g. 127.0.0.1:5000/learn)`)
  if (/^[a-z]+:\/\//i.test(r)) throw bad('must not have a scheme')
  const [host, ...path] = r.split('/')
  if (!host || !HOST.test(host)) throw bad(`has no valid registry host '${host ?? ''}'`)
  for (const p of path) if (!PATH_PART.test(p)) throw bad(`has an invalid repository part '${p}' (lowercase letters, digits, . _ -)`)
  return r
}

/** `programmingpercy/hellogopher:5.0` → `<registry>/hellogopher:5.0` (the image's last path part, same tag). */
export function registryRef(registry: string, image: string): string {
  const slash = image.lastIndexOf('/')
  return `${registry}/${image.slice(slash + 1)}`
}

/** Registries on this machine are reached over plain HTTP (docker allows that for 127.0.0.0/8 without configuration). */
export function isLoopbackRegistry(registry: string): boolean {
  return /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/.test(registry.split('/')[0]!)
}

/** The image ID (config digest) of a single-platform manifest printed by `docker manifest inspect`; undefined for an index. */
export function manifestConfigDigest(json: string): string | undefined {
  try {
    return (JSON.parse(json) as { config?: { digest?: string } }).config?.digest
  } catch {
    return undefined
  }
}

/** `docker manifest inspect` saying the tag is not in the registry (as opposed to the registry failing). */
const NOT_THERE = /no such manifest|manifest unknown|not found/i

export const REMOTE_NOT_STARTED = 'a remote cluster is not started by this tool'
export const REMOTE_NOT_STOPPED = 'a remote cluster is not stopped by this tool'
export const NEEDS_REGISTRY = 'a remote cluster pulls its images from a registry — pass --registry <host[:port]/repo> (e.g. 127.0.0.1:5000/learn)'

export function remoteProvider(opts: RemoteOptions = {}): Provider {
  const registry = opts.registry === undefined ? undefined : checkRegistry(opts.registry)
  const target = () => (opts.context ? { context: opts.context } : {})
  const needRegistry = (): string => {
    if (!registry) throw new UsageError(NEEDS_REGISTRY)
    return registry
  }
  const read = { quiet: true, allowFail: true, readOnly: true } as const
  return {
    name: 'remote',
    requiredTools: ['kubectl', 'docker'],
    target,
    commandEnv: () => ({}),
    async status(): Promise<ProviderStatus> {
      const { Kube } = await import('../kube.ts') // loaded on use: --help and the guard stay fast
      const kube = new Kube(target())
      try {
        const v = await kube.ping(4000)
        return { running: true, detail: `remote: context ${kube.contextName}, apiserver ${v} at ${kube.server}` }
      } catch (e) {
        return { running: false, detail: `remote: context ${kube.contextName} does not answer (${e instanceof KubeError ? e.problem : (e as Error).message})` }
      }
    },
    startCommands: () => [],
    async start(sh, log) {
      // --dry-run shows the plan; a real run cannot go on without the cluster
      if (sh.dryRun) return log(`${REMOTE_NOT_STARTED}: it must already be running`)
      throw new Error(`${REMOTE_NOT_STARTED} — start it the way it is managed, or pick a running context with --context`)
    },
    async stop() {
      throw new Error(REMOTE_NOT_STOPPED)
    },
    dockerEnvCommand: () => undefined,
    async dockerEnv() {
      return {}
    },
    async loadImage(sh, image, log) {
      const ref = registryRef(needRegistry(), image)
      await sh.run('docker', dockerArgs.tag(image, ref), { log })
      await sh.run('docker', dockerArgs.push(ref), { log })
    },
    async imageInRuntime(sh, image) {
      const ref = registryRef(needRegistry(), image)
      const local = await dockerImageInspect(sh, image, ID_FORMAT)
      if (local.exitCode !== 0) return false
      const args = dockerArgs.manifestInspect(ref, isLoopbackRegistry(ref))
      const r = await sh.run('docker', args, read)
      if (r.exitCode !== 0) {
        if (NOT_THERE.test(r.stderr + r.stdout)) return false
        throw new CommandError(formatCommand('docker', args), r.exitCode, r.stderr, `can this machine reach the registry ${registry}? (docker login for a private one)`)
      }
      return manifestConfigDigest(r.stdout) === local.stdout.trim()
    },
    async serviceUrl(_sh: Shell, kube: Kube, namespace: string, service: string) {
      const port = await kube.nodePort(namespace, service)
      const nodes = await kube.listNodes()
      const addrs = nodes.flatMap((n) => n.status?.addresses ?? [])
      const addr = addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'InternalIP')
      if (!addr) throw new Error(`no node of context ${kube.contextName} reports an address to reach NodePort ${port} on`)
      return directEndpoint(`http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${port}`)
    },
    imageOverrides: () => (registry ? Object.fromEntries(tagNames().map((t) => [`${DEFAULT_IMAGE_REPO}:${t}`, registryRef(registry, `${DEFAULT_IMAGE_REPO}:${t}`)])) : {}),
    // nothing is built into the cluster: it must pull what was pushed (the manifests say Never)
    pullPolicyOverride: () => (registry ? 'Always' : undefined),
    ownsContext: () => false,
  }
}
