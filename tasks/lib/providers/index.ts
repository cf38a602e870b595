/**
 * Picking the provider (explicit --provider wins; --registry means remote; else the kubeconfig context; else
 * installed tools) and the context guard that keeps mutating tasks off clusters that are not recognisably local.
 * Both decide from names only: nothing here talks to a cluster, so the guard refuses before any request is sent.
 */
import { targetContext } from '../kubeconfig.ts'
import type { Shell } from '../shell.ts'
import { UsageError } from '../cli.ts'
import { kindNameOf, kindProvider } from './kind.ts'
import { labProvider, LAB_CONTEXT } from './lab.ts'
import { checkProfile, minikubeProvider, type MinikubeOptions } from './minikube.ts'
import { remoteProvider } from './remote.ts'
import type { Provider, ProviderName } from './types.ts'
import { PROVIDER_NAMES } from './types.ts'

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

export interface GuardInput {
  provider: Provider
  /** The context the run acts on. */
  context: string
  /** --context, when given. */
  explicitContext?: string
  destructive: boolean
  yes: boolean
}

/** Refuse to change a cluster that is not recognisably local unless the user named its context (and said --yes to destroy). */
export function guardDecision(g: GuardInput): { ok: true } | { ok: false; reason: string } {
  if (g.provider.ownsContext(g.context) || isLocalContext(g.context)) return { ok: true }
  const flags = `--context ${g.context}${g.destructive && !g.yes ? ' --yes' : ''}`
  if (g.explicitContext !== g.context) {
    return { ok: false, reason: `refusing to change context '${g.context}': it is not a local minikube/kind/lab cluster — pass ${flags} if you mean it` }
  }
  if (g.destructive && !g.yes) {
    return { ok: false, reason: `refusing to delete on context '${g.context}' without --yes (it is not a local cluster) — pass ${flags} if you mean it` }
  }
  return { ok: true }
}

export function guardContext(g: GuardInput): void {
  const d = guardDecision(g)
  if (!d.ok) throw new Error(d.reason)
}
