/**
 * Picking the provider (explicit --provider wins; else the current context; else installed tools) and the
 * context guard that keeps mutating tasks off clusters that are not recognisably local.
 */
import { existsSync } from 'node:fs'
import { loadKubeConfig } from '../kube.ts'
import type { Shell } from '../shell.ts'
import { UsageError } from '../cli.ts'
import { labProvider, LAB_CONTEXT } from './lab.ts'
import { minikubeProvider } from './minikube.ts'
import type { Provider, ProviderName } from './types.ts'
import { PROVIDER_NAMES } from './types.ts'

export interface ProviderChoice {
  flag?: string
  context?: string
  sh: Shell
  registry?: string
}

export function makeProvider(name: ProviderName, _opts: { registry?: string } = {}): Provider {
  switch (name) {
    case 'minikube':
      return minikubeProvider()
    case 'lab':
      return labProvider()
    case 'kind':
    case 'remote':
      throw new UsageError(`provider '${name}' is not implemented yet — use --provider minikube or lab`)
  }
}

/** Which provider a context name belongs to, if any. */
export function providerForContext(context: string | undefined): ProviderName | undefined {
  if (!context) return undefined
  if (context === 'minikube') return 'minikube'
  if (context.startsWith('kind-')) return 'kind'
  if (context === LAB_CONTEXT) return 'lab'
  return undefined
}

/**
 * Decide the provider: --provider; else the current kubeconfig context when it is a known local one;
 * else minikube when installed (the tutorial's default); else kind; else the lab on Linux.
 */
export async function detectProviderName(choice: ProviderChoice, currentContext: () => string | undefined): Promise<ProviderName> {
  if (choice.flag) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(choice.flag)) throw new UsageError(`unknown provider '${choice.flag}'`)
    return choice.flag as ProviderName
  }
  if (choice.registry) return 'remote'
  const fromCtx = providerForContext(choice.context ?? currentContext())
  if (fromCtx) return fromCtx
  if (await choice.sh.which('minikube')) return 'minikube'
  if (await choice.sh.which('kind')) return 'kind'
  return 'lab'
}

export async function resolveProvider(choice: ProviderChoice): Promise<Provider> {
  const name = await detectProviderName(choice, () => {
    const file = process.env.KUBECONFIG?.split(':')[0] ?? `${process.env.HOME}/.kube/config`
    if (!existsSync(file)) return undefined
    try {
      return loadKubeConfig({}).getCurrentContext() || undefined
    } catch {
      return undefined // an unreadable default kubeconfig only means "no hint from it"
    }
  })
  return makeProvider(name, { registry: choice.registry })
}

export interface GuardInput {
  provider: Provider
  context: string
  explicitContext?: string
  destructive: boolean
  yes: boolean
}

/** Refuse to change a cluster that is not recognisably local unless the user named its context (and said --yes to destroy). */
export function guardDecision(g: GuardInput): { ok: true } | { ok: false; reason: string } {
  const local = g.provider.ownsContext(g.context) || providerForContext(g.context) !== undefined
  if (local) return { ok: true }
  if (g.explicitContext !== g.context) {
    return { ok: false, reason: `refusing to change context '${g.context}': it is not a local minikube/kind/lab cluster — pass --context ${g.context} if you mean it` }
  }
  if (g.destructive && !g.yes) {
    return { ok: false, reason: `refusing to delete on context '${g.context}' without --yes (it is not a local cluster)` }
  }
  return { ok: true }
}

export function guardContext(g: GuardInput): void {
  const d = guardDecision(g)
  if (!d.ok) throw new Error(d.reason)
}
