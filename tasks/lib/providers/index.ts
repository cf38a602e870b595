/**
 * Picking the provider (explicit --provider wins; --registry means remote; else the kubeconfig context; else
 * installed tools) and the context guard that keeps mutating tasks off clusters that are not recognisably local.
 * The guard judges the context's name AND its server (from the one kubeconfig resolution); nothing here talks to the
 * cluster itself, so it refuses before any request is sent.
 */
import { resolveKubeconfig, targetContext, type ResolvedKubeconfig } from '../kubeconfig.ts'
import type { Shell } from '../shell.ts'
import { dockerArgs, NETWORK_IPS_FORMAT } from '../docker-cli.ts'
import { UsageError } from '../cli.ts'
import { kindNameOf, kindProvider } from './kind.ts'
import { LAB_CONTEXT, LAB_NODE_IP } from '../../lab/engine/paths.ts'
import { labProvider } from './lab.ts'
import { checkProfile, minikubeProvider, type MinikubeOptions } from './minikube.ts'
import { remoteProvider } from './remote.ts'
import type { Provider, ProviderName } from './types.ts'
import { PROVIDER_NAMES } from './types.ts'
import { minikubeArgs } from '../minikube-cli.ts'

export interface ProviderChoice {
  flag?: string
  /** --context */
  context?: string
  sh: Shell
  registry?: string
  /** --profile / --driver (only the minikube provider takes them). */
  minikube?: MinikubeOptions
}

export interface MakeOptions {
  registry?: string
  /** --context: the context the run must act on. */
  context?: string
  /** The kubeconfig's current context (kind: which cluster a `kind-<name>` current context means). */
  currentContext?: string
  /** --profile / --driver */
  minikube?: MinikubeOptions
}

export function makeProvider(name: ProviderName, opts: MakeOptions = {}): Provider {
  if (opts.registry !== undefined && name !== 'remote') {
    throw new UsageError(`--registry is for the remote provider; the ${name} provider gets its images without one`)
  }
  const given = Object.entries(opts.minikube ?? {}).filter(([, v]) => v !== undefined).map(([k]) => `--${k}`)
  if (given.length && name !== 'minikube') throw new UsageError(`${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} for the minikube provider, not ${name}`)
  switch (name) {
    case 'minikube':
      return minikubeProvider({ ...opts.minikube, ...(opts.minikube?.profile !== undefined ? { profile: checkProfile(opts.minikube.profile) } : {}) })
    case 'lab':
      return labProvider()
    case 'kind':
      return kindProvider({ name: kindNameOf(opts.context ?? opts.currentContext) })
    case 'remote':
      return remoteProvider({ registry: opts.registry, context: opts.context })
  }
}

/** Which local provider a context name belongs to, if any. */
export function providerForContext(context: string | undefined): ProviderName | undefined {
  if (!context) return undefined
  if (context === 'minikube') return 'minikube'
  if (context.startsWith('kind-')) return 'kind'
  if (context === LAB_CONTEXT) return 'lab'
  return undefined
}

/** A local, throwaway cluster: one of the names minikube, kind and the lab give their contexts. */
export function isLocalContext(context: string | undefined): boolean {
  return providerForContext(context) !== undefined
}

/**
 * Decide the provider: --provider; else --registry → remote; else the context (--context, or the kubeconfig's
 * current one): minikube, kind-<name> or the lab's → that provider, any other → remote (so the guard sees it);
 * no context at all → minikube when installed (the tutorial's default), else kind, else the lab.
 */
export async function detectProviderName(choice: ProviderChoice, currentContext: () => string | undefined): Promise<ProviderName> {
  if (choice.flag) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(choice.flag)) throw new UsageError(`unknown provider '${choice.flag}'`)
    return choice.flag as ProviderName
  }
  if (choice.registry) return 'remote'
  const context = choice.context ?? currentContext()
  if (context) return providerForContext(context) ?? 'remote'
  if (await choice.sh.which('minikube')) return 'minikube'
  if (await choice.sh.which('kind')) return 'kind'
  return 'lab'
}

/**
 * --context must name a context of the chosen provider (or any context, for remote): otherwise the provider's
 * commands (minikube service, kind load) would act on one cluster and kubectl on another.
 */
export function checkContextFits(provider: Provider, context: string | undefined): void {
  if (!context || provider.name === 'remote' || provider.ownsContext(context)) return
  const own = provider.target().context
  throw new UsageError(`--context ${context} is not the ${provider.name} cluster's context${own ? ` (${own})` : ''} — for another cluster use --provider remote --context ${context}`)
}

/** The current context of the kubeconfig kubectl would use, or undefined when there is none (a read of a file, no network). */
export function kubeconfigCurrentContext(): string | undefined {
  return targetContext({})
}

export async function resolveProvider(choice: ProviderChoice, currentContext: () => string | undefined = kubeconfigCurrentContext): Promise<Provider> {
  let current: string | undefined
  let read = false
  const once = () => (read ? current : ((read = true), (current = currentContext())))
  const name = await detectProviderName(choice, once)
  const provider = makeProvider(name, { registry: choice.registry, context: choice.context, currentContext: name === 'kind' ? once() : undefined, minikube: choice.minikube })
  checkContextFits(provider, choice.context)
  return provider
}

/** Contexts a team allows without --context (comma-separated), like Tilt's allow_k8s_contexts. */
export const ALLOW_ENV = 'LEARN_K8S_ALLOW_CONTEXTS'

export function allowedContexts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[ALLOW_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean)
}

/** The host of a kubeconfig server URL (brackets of an IPv6 literal removed), or undefined when it is not a URL. */
export function serverHost(server: string): string | undefined {
  try {
    return new URL(server).hostname.replace(/^\[|\]$/g, '').toLowerCase()
  } catch {
    return undefined
  }
}

/** Loopback (127.0.0.0/8, ::1, localhost), the lab's node address, or one of the provider's own addresses. */
export function isLocalServer(server: string, extra: readonly string[] = []): boolean {
  const host = serverHost(server)
  if (!host) return false
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0:0:0:0:0:0:0:1') return true
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || /^::ffff:127\./.test(host)) return true
  return host === LAB_NODE_IP || extra.includes(host)
}

export interface GuardInput {
  provider: Provider
  /** The context the run acts on. */
  context: string
  /** --context, when given. */
  explicitContext?: string
  destructive: boolean
  yes: boolean
  /** The context's server in the kubeconfig (undefined: the context is not there yet, e.g. before `minikube start`). */
  server?: string
  /** Addresses that are this local cluster's own (what `minikube ip -p P` reports, the kind node's IP). */
  localAddresses?: readonly string[]
  /** Contexts allowed by LEARN_K8S_ALLOW_CONTEXTS. */
  allowed?: readonly string[]
}

/**
 * Refuse to change a cluster that is not recognisably local unless the user named its context (and said --yes to
 * destroy). Local means a local-looking NAME (minikube, kind-*, the lab's, or the provider's own) whose SERVER is
 * local too. A local name on a non-local server is refused naming both; only --context NAME together with NAME in
 * LEARN_K8S_ALLOW_CONTEXTS gets past that (and --yes for deleting). Any other context needs --context NAME or NAME
 * in LEARN_K8S_ALLOW_CONTEXTS, plus --yes for deleting.
 */
export function guardDecision(g: GuardInput): { ok: true } | { ok: false; reason: string } {
  const allowed = (g.allowed ?? []).includes(g.context)
  const named = g.explicitContext === g.context
  const localName = g.provider.ownsContext(g.context) || isLocalContext(g.context)
  if (localName) {
    if (g.server === undefined || isLocalServer(g.server, g.localAddresses)) return { ok: true }
    if (!named || !allowed) {
      return {
        ok: false,
        reason: `refusing to act on context '${g.context}': its name says local but its server ${g.server} is not a local address — if you mean it, pass --context ${g.context}${g.destructive && !g.yes ? ' --yes' : ''} with ${ALLOW_ENV}=${g.context}`,
      }
    }
  } else if (!named && !allowed) {
    const flags = `--context ${g.context}${g.destructive && !g.yes ? ' --yes' : ''}`
    return { ok: false, reason: `refusing to change context '${g.context}': it is not a local minikube/kind/lab cluster — pass ${flags} if you mean it` }
  }
  if (g.destructive && !g.yes) {
    return { ok: false, reason: `refusing to delete on context '${g.context}' without --yes (it is not a local cluster) — pass --context ${g.context} --yes if you mean it` }
  }
  return { ok: true }
}

export function guardContext(g: GuardInput): void {
  const d = guardDecision(g)
  if (!d.ok) throw new Error(d.reason)
}

/**
 * The addresses a local cluster of this name really has, asked only when its server is not loopback/the lab's:
 * `minikube ip -p <profile>` (the docker driver's 192.168.49.x), or the kind node container's IP on docker's
 * network. The command is echoed (log); a failure means no address, so the guard refuses.
 */
export async function localAddressesFor(context: string, sh: Shell, log: (line: string) => void): Promise<string[]> {
  const read = { allowFail: true, readOnly: true, log } as const
  if (providerForContext(context) === 'minikube') {
    const r = await sh.run('minikube', minikubeArgs.ip(context), read).catch(() => undefined)
    return r?.exitCode === 0 ? r.stdout.split(/\s+/).filter(Boolean) : []
  }
  const kind = kindNameOf(context)
  if (kind) {
    const r = await sh.run('docker', dockerArgs.inspect(NETWORK_IPS_FORMAT, `${kind}-control-plane`), read).catch(() => undefined)
    return r?.exitCode === 0 ? r.stdout.split(/\s+/).filter(Boolean) : []
  }
  return []
}

export interface GuardRun {
  provider: Provider
  sh: Shell
  explicitContext?: string
  destructive: boolean
  yes: boolean
  log?: (line: string) => void
}

/**
 * The guard as a run uses it: resolve the kubeconfig (one resolution), judge name and server, ask the provider
 * for its own address only when needed. Returns the resolution (the context every command is then pinned to).
 */
export async function guardRun(o: GuardRun): Promise<ResolvedKubeconfig> {
  const target = { ...o.provider.target(), ...(o.explicitContext ? { context: o.explicitContext } : {}) }
  const r = resolveKubeconfig(target)
  const context = r.context ?? '(no current context)'
  const localName = o.provider.ownsContext(context) || isLocalContext(context)
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  // what was asked is echoed when the run goes on, and named in the refusal (one line) when it does not
  const asked: string[] = []
  const localAddresses = localName && r.server && !isLocalServer(r.server) ? await localAddressesFor(context, o.sh, (l) => asked.push(l)) : []
  const d = guardDecision({ provider: o.provider, context, explicitContext: o.explicitContext, destructive: o.destructive, yes: o.yes, server: r.server, localAddresses, allowed: allowedContexts() })
  if (!d.ok) {
    const seen = asked.length ? ` (checked: ${asked.map((a) => a.replace(/^\$ /, '')).join('; ')} → ${localAddresses.join(' ') || 'no address'})` : ''
    throw new Error(`${d.reason}${seen}`)
  }
  for (const line of asked) log(line)
  return r
}
