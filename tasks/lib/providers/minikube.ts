/**
 * The tutorial's own cluster: minikube (profile `minikube`, or --profile / $MINIKUBE_PROFILE; its kubectl context
 * has the profile's name). How images get in depends on the profile's container runtime, read from
 * `minikube profile list -o json`: docker → built straight into minikube's docker (`minikube docker-env`);
 * containerd or CRI-O → built by this machine's docker, then `minikube image load`.
 * A NodePort is reached the way the tutorial does it, `minikube service <svc> --url`: on the docker driver of
 * macOS and Windows that command opens a tunnel and keeps running, so the URL lives only until it is stopped.
 * Output formats: see test/unit/fixtures/minikube/ (each fixture names the minikube source that defines it).
 */
import { setTimeout as delay } from 'node:timers/promises'
import { UsageError, type FlagSpec } from '../cli.ts'
import type { Kube } from '../kube.ts'
import { CommandError, DeadlineError, formatCommand, type Shell } from '../shell.ts'
import { fullRef } from '../image-ref.ts'
import type { Log, Provider, ProviderStatus, ServiceEndpoint } from './types.ts'
import { dockerImageInspect, ID_FORMAT } from '../docker-cli.ts'
import { minikubeArgs } from '../minikube-cli.ts'

export const MINIKUBE_DEFAULT_PROFILE = 'minikube'
/** How long `minikube service --url` may take to print the URL (it waits for the Service itself, up to 2 min by default). */
export const SERVICE_URL_TIMEOUT_MS = 60_000
/** After the URL: how long to wait for minikube to either exit (URL reachable directly) or say it keeps a tunnel. */
const TUNNEL_SETTLE_MS = 3_000

/** minikube's drivers and their aliases (pkg/minikube/driver/driver.go), for --driver. */
export const MINIKUBE_DRIVERS = [
  'docker', 'podman', 'kvm2', 'kvm', 'qemu2', 'qemu', 'virtualbox', 'hyperkit', 'vmware', 'hyperv', 'parallels', 'vfkit', 'krunkit', 'ssh', 'generic', 'none', 'native',
] as const

/** Flags of the tasks that start, use or stop the minikube cluster (up, start-cluster, teardown); either implies --provider minikube. */
export const MINIKUBE_FLAGS = {
  profile: { type: 'string', description: 'minikube profile (minikube start -p; its kubectl context has the same name) (default: $MINIKUBE_PROFILE, else minikube)' },
  driver: { type: 'string', description: 'minikube driver for minikube start (default: the one minikube picks)', choices: MINIKUBE_DRIVERS },
} as const satisfies Record<string, FlagSpec>

/** The line minikube prints (stderr) when `service` keeps a tunnel open: cmd/minikube/cmd/service.go startKicServiceTunnel. */
export const TUNNEL_MESSAGE = /Because you are using a Docker driver on (\w+), the terminal needs to be open to run it\./

export type ContainerRuntime = 'docker' | 'containerd' | 'crio'

/** A valid profile name (pkg/minikube/config/profile.go ProfileNameValid: DNS-label friendly, more than one character). */
export function checkProfile(name: string, from = '--profile'): string {
  const label = '([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])'
  if (!new RegExp(`^(${label}\\.)*${label}$`).test(name) || name.length < 2) {
    throw new UsageError(`${from} '${name}' is not a valid minikube profile name (letters, digits, '-' and '.', at least 2 characters)`)
  }
  return name
}

/** `-p <profile>` unless it is minikube's default and nothing in the environment says otherwise. */
export function profileArgs(profile: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return profile === MINIKUBE_DEFAULT_PROFILE && !env.MINIKUBE_PROFILE ? [] : ['-p', profile]
}

/** Parse `minikube docker-env` output (bash/zsh `export K="v"`, fish `set -gx K "v"`, PowerShell `$Env:K = "v"`, cmd `SET K=v`). */
export function parseDockerEnv(output: string): Record<string, string> {
  const env: Record<string, string> = {}
  const patterns = [
    /^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)="?([^"\n]*)"?\s*$/,
    /^\s*set\s+-gx\s+([A-Za-z_][A-Za-z0-9_]*)\s+"?([^"\n]*)"?;?\s*$/,
    /^\s*\$Env:([A-Z_][A-Z0-9_]*)\s*=\s*"([^"\n]*)"\s*$/i,
    /^\s*SET\s+([A-Z_][A-Z0-9_]*)=(.*?)\s*$/i,
  ]
  for (const line of output.split(/\r?\n/)) {
    for (const re of patterns) {
      const m = re.exec(line)
      if (m) {
        env[m[1]!] = m[2]!
        break
      }
    }
  }
  return env
}

interface NodeStatus {
  Name?: string
  Host?: string
  Kubelet?: string
  APIServer?: string
  Worker?: boolean
}

/** The messages of the JSON events minikube prints (one per line) when -o json meets an error, e.g. an absent profile. */
function eventMessages(output: string): string[] {
  const msgs: string[] = []
  for (const line of output.split(/\r?\n/)) {
    try {
      const e = JSON.parse(line) as { specversion?: string; data?: { message?: string } }
      if (e?.specversion && e.data?.message) msgs.push(e.data.message)
    } catch {
      // not an event line
    }
  }
  return msgs
}

/**
 * Parse `minikube status -o json`: one object for a one-node cluster, an array with one object per node for
 * more (cmd/minikube/cmd/status.go statusJSON). An absent profile prints JSON events instead (mustload.Partial).
 */
export function parseMinikubeStatus(json: string): ProviderStatus {
  let parsed: NodeStatus | NodeStatus[]
  try {
    parsed = JSON.parse(json) as NodeStatus | NodeStatus[]
  } catch {
    const said = [...eventMessages(json), ...json.split(/\r?\n/)].map((l) => l.replace(/^[*\-\s]+/, '').trim()).find((l) => /not found/i.test(l))
    const absent = said && /Profile "([^"]+)" not found/.exec(said)
    return { running: false, detail: absent ? `minikube: no cluster (profile "${absent[1]}" not found)` : 'minikube: no cluster (status did not answer)' }
  }
  const nodes = Array.isArray(parsed) ? parsed : [parsed]
  // the control plane comes first; workers have no apiserver
  const cp = nodes.find((n) => !n.Worker) ?? nodes[0]
  if (!cp || typeof cp !== 'object') return { running: false, detail: 'minikube: no cluster (status did not answer)' }
  const running = cp.Host === 'Running' && cp.APIServer === 'Running'
  const more = nodes.length > 1 ? ` (${nodes.length} nodes)` : ''
  return { running, detail: `minikube: host ${cp.Host ?? '?'}, apiserver ${cp.APIServer ?? '?'}, kubelet ${cp.Kubelet ?? '?'}${more}` }
}

interface ProfileList {
  valid?: Array<{ Name?: string; Status?: string; Config?: { Driver?: string; KubernetesConfig?: { ContainerRuntime?: string } } }> | null
}

/**
 * The container runtime of a profile, from `minikube profile list -o json` (cmd/minikube/cmd/config/profile_list.go
 * printProfilesJSON; pkg/minikube/config/types.go ClusterConfig.KubernetesConfig.ContainerRuntime). Undefined when
 * the profile is not listed (not created yet).
 */
export function containerRuntime(json: string, profile: string): ContainerRuntime | undefined {
  let parsed: ProfileList
  try {
    parsed = JSON.parse(json) as ProfileList
  } catch {
    throw new Error(`minikube profile list -o json printed something that is not JSON: ${json.trim().slice(0, 80)}`)
  }
  const rt = parsed.valid?.find((p) => p.Name === profile)?.Config?.KubernetesConfig?.ContainerRuntime?.toLowerCase()
  if (!rt) return undefined
  if (rt === 'docker' || rt === 'containerd') return rt
  if (rt === 'crio' || rt === 'cri-o') return 'crio'
  throw new Error(`minikube profile ${profile} uses the container runtime '${rt}', which this tutorial does not know how to load images into`)
}

interface ImageList {
  id?: string
  repoTags?: string[] | null
}

/** The image ID the cluster's runtime has under this reference, from `minikube image ls --format json` (pkg/minikube/cruntime/cruntime.go ListImage). */
export function minikubeImageId(json: string, image: string): string | undefined {
  let parsed: ImageList[]
  try {
    parsed = JSON.parse(json) as ImageList[]
  } catch {
    throw new Error(`minikube image ls --format json printed something that is not JSON: ${json.trim().slice(0, 80)}`)
  }
  const want = fullRef(image)
  return (parsed ?? []).find((i) => (i.repoTags ?? []).some((t) => t === image || fullRef(t) === want))?.id
}

/** containerd says `sha256:<hex>`, CRI-O may say just `<hex>`. */
const bareId = (id: string) => id.trim().replace(/^sha256:/, '')

export interface MinikubeOptions {
  /** `--driver` for `minikube start` (docker, kvm2, …); minikube picks one when unset. */
  driver?: string
  /** --profile; default $MINIKUBE_PROFILE, else minikube. */
  profile?: string
  /** Deadline for `minikube service --url` to print the URL (tests shorten it). */
  serviceUrlTimeoutMs?: number
}

export function minikubeProvider(opts: MinikubeOptions = {}): Provider {
  const profile = opts.profile ?? (process.env.MINIKUBE_PROFILE ? checkProfile(process.env.MINIKUBE_PROFILE, 'MINIKUBE_PROFILE') : MINIKUBE_DEFAULT_PROFILE)
  const p = profileArgs(profile)
  const read = { quiet: true, allowFail: true, readOnly: true } as const
  let knownRuntime: ContainerRuntime | undefined
  let cachedEnv: Record<string, string> | undefined
  let told = false

  /** The profile's runtime (cached once known); undefined before the cluster exists, or under --dry-run. */
  async function runtime(sh: Shell): Promise<ContainerRuntime | undefined> {
    if (knownRuntime || sh.dryRun) return knownRuntime
    const args = minikubeArgs.profileList()
    const r = await sh.run('minikube', args, read)
    if (r.exitCode !== 0 && !r.stdout.trim().startsWith('{')) throw new CommandError(formatCommand('minikube', args), r.exitCode, r.stderr)
    knownRuntime = containerRuntime(r.stdout, profile)
    return knownRuntime
  }

  /** One line for the learner, once: which runtime, and so how images get in. */
  function tell(rt: ContainerRuntime | undefined, log: Log | undefined, dryRun = false): void {
    if (told || !log) return
    told = true
    if (!rt && dryRun) log(`minikube profile ${profile}: its container runtime is read when the cluster runs (minikube profile list -o json); this plan shows the docker runtime's commands`)
    else if (!rt) log(`minikube profile ${profile}: container runtime not known yet (minikube profile list -o json does not list it) — assuming docker`)
    else if (rt === 'docker') log(`minikube profile ${profile}: container runtime docker (minikube profile list -o json) — images are built straight into minikube's docker (minikube docker-env)`)
    else log(`minikube profile ${profile}: container runtime ${rt} (minikube profile list -o json) — images are built by this machine's docker, then loaded with minikube image load`)
  }

  return {
    name: 'minikube',
    requiredTools: ['minikube', 'kubectl', 'docker'],
    target: () => ({ context: profile }),
    commandEnv: () => ({}),
    async status(sh: Shell) {
      const r = await sh.run('minikube', minikubeArgs.status(p), read)
      return parseMinikubeStatus(r.stdout)
    },
    startCommands: () => [['minikube', ...minikubeArgs.start(p, opts.driver)]],
    async start(sh, log) {
      for (const [bin, ...args] of this.startCommands()) await sh.run(bin!, args, { log })
    },
    async stop(sh, log) {
      await sh.run('minikube', minikubeArgs.stop(p), { log })
    },
    dockerEnvCommand: () => ['minikube', ...minikubeArgs.dockerEnv(p)],
    async dockerEnv(sh, log) {
      const rt = await runtime(sh)
      tell(rt, log)
      // docker-env refuses CRI-O, and with containerd it is experimental (nerdctld over ssh): image load instead
      if (rt && rt !== 'docker') return {}
      const [bin, ...args] = this.dockerEnvCommand()!
      // read once per run (every presence check needs it); echoed when asked with a log
      if (cachedEnv && !log) return cachedEnv
      const r = await sh.run(bin!, args, { readOnly: true, log, quiet: !log })
      cachedEnv = parseDockerEnv(r.stdout)
      return cachedEnv
    },
    async loadImage(sh, image, log) {
      const rt = await runtime(sh)
      tell(rt, log, sh.dryRun)
      if (rt && rt !== 'docker') {
        await sh.run('minikube', minikubeArgs.imageLoad(image, p), { log })
        return
      }
      if (sh.dryRun) log(`(with the containerd or CRI-O runtime: ${formatCommand('minikube', minikubeArgs.imageLoad(image, p))})`)
      else log(`${image} was built in minikube's docker (docker-env): nothing to load`)
    },
    async imageInRuntime(sh, image) {
      const rt = await runtime(sh)
      if (!rt || rt === 'docker') {
        // with docker-env the build lands in minikube's own docker: present there = present in the runtime
        const env = await this.dockerEnv(sh)
        const r = await dockerImageInspect(sh, image, ID_FORMAT, env)
        return r.exitCode === 0
      }
      const local = await dockerImageInspect(sh, image, ID_FORMAT)
      if (local.exitCode !== 0) return false
      const args = minikubeArgs.imageLs(p)
      const r = await sh.run('minikube', args, read)
      if (r.exitCode !== 0) throw new CommandError(formatCommand('minikube', args), r.exitCode, r.stderr, `is minikube profile ${profile} running? (npx tsx tasks/start-cluster.ts --provider minikube)`)
      const id = minikubeImageId(r.stdout, image)
      return !!id && bareId(id) === bareId(local.stdout)
    },
    async serviceUrl(sh: Shell, _kube: Kube, namespace: string, service: string, log?: Log): Promise<ServiceEndpoint> {
      const args = minikubeArgs.serviceUrl(service, namespace, p)
      const shown = formatCommand('minikube', args)
      const timeoutMs = opts.serviceUrlTimeoutMs ?? SERVICE_URL_TIMEOUT_MS
      const bg = sh.start('minikube', args, { log })
      let url: string
      try {
        url = await bg.waitForLine(/^https?:\/\/\S+$/, timeoutMs)
      } catch (e) {
        await bg.stop()
        if (e instanceof CommandError) throw new CommandError(shown, e.exitCode, e.stderr, 'it printed no URL — is the Service there (kubectl get service -A) and minikube running (minikube status)?')
        if (e instanceof DeadlineError) throw new Error(`\`${shown}\` printed no URL within ${Math.round(timeoutMs / 1000)}s — it was stopped; is the Service there and minikube running (minikube status)?`)
        throw e
      }
      // minikube exits once it has printed the URL when the node is reachable; on the docker driver of macOS and
      // Windows (and WSL, rootless docker) it keeps an ssh tunnel open until Ctrl-C: wait to see which
      const settle = Date.now() + TUNNEL_SETTLE_MS
      while (bg.running() && !TUNNEL_MESSAGE.test(bg.stderr()) && Date.now() < settle) await delay(100)
      if (!bg.running()) {
        await bg.stop() // nothing runs; forgets the process
        log?.(`${url} (minikube reaches the NodePort directly; nothing kept running)`)
        return { url, close: async () => {} }
      }
      const why = TUNNEL_MESSAGE.exec(bg.stderr())
      if (!why) {
        // still busy after the URL (a slow check of the Service's pods) but no tunnel announced: keep it to be safe
        log?.(`${shown} is still running after printing ${url}: it is stopped when this check is done`)
        return { url, close: () => bg.stop() }
      }
      log?.(`minikube keeps a tunnel open for ${url} ("${why[0]}"): it runs until this check is done, then it is stopped`)
      return {
        url,
        reopen: shown,
        close: async () => {
          if (!bg.running()) return bg.stop()
          await bg.stop()
          log?.(`stopped the tunnel (${shown}); to reach ${service} again, run that command and keep it open`)
        },
      }
    },
    imageOverrides: () => ({}),
    ownsContext: (context) => context === profile,
  }
}
