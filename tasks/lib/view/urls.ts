/**
 * Where this machine reaches each NodePort Service: the provider's own answer where it is cheap (lab: its node
 * IP; kind: its port mapping or the node container's IP; remote: a node address), else a node's address and
 * the NodePort (minikube: `minikube service --url` can hold a tunnel open on some drivers, so it is not run
 * here). Each Service is asked once per NodePort; a failure leaves the URL out and says why once.
 */
import type { V1Service } from '@kubernetes/client-node'
import type { Deps } from '../run.ts'

export interface UrlResolver {
  /** Known URLs by `namespace/name`; starts resolving the ones not asked yet (onResolved fires when one arrives). */
  urls(services: V1Service[]): Map<string, string>
  /** Resolve every NodePort Service now (for one-shot output). */
  resolveAll(services: V1Service[]): Promise<Map<string, string>>
  problems(): string[]
}

/**
 * The provider's answer as a URL: a string, or an endpoint object `{ url, close() }` (providers whose address can
 * need a helper kept running return one). Nothing is kept open for a status line: the endpoint is closed at once.
 */
export async function urlOf(answer: unknown): Promise<string> {
  if (typeof answer === 'string') return answer
  const e = answer as { url?: string; close?: () => Promise<void> } | undefined
  await e?.close?.()
  if (!e?.url) throw new Error('the provider gave no URL')
  return e.url
}

const nodePortOf = (s: V1Service) => (s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer' ? s.spec.ports?.find((p) => p.nodePort)?.nodePort : undefined)

export function urlResolver(deps: Pick<Deps, 'provider' | 'sh' | 'kube'>, onResolved: () => void = () => {}): UrlResolver {
  const done = new Map<string, string>() // `ns/name:nodePort` → URL
  const asked = new Map<string, Promise<void>>()
  const problems = new Map<string, string>()
  let nodeAddress: Promise<string> | undefined

  const byNode = async (port: number) => {
    nodeAddress ??= deps
      .kube()
      .listNodes()
      .then((nodes) => {
        const addrs = nodes.flatMap((n) => n.status?.addresses ?? [])
        const a = addrs.find((x) => x.type === 'ExternalIP') ?? addrs.find((x) => x.type === 'InternalIP')
        if (!a) throw new Error('no node reports an address')
        return a.address.includes(':') ? `[${a.address}]` : a.address
      })
    return `http://${await nodeAddress}:${port}`
  }

  const resolve = (s: V1Service): Promise<void> | undefined => {
    const port = nodePortOf(s)
    const ns = s.metadata?.namespace ?? ''
    const name = s.metadata?.name ?? ''
    if (!port) return undefined
    const key = `${ns}/${name}:${port}`
    if (!asked.has(key)) {
      const cheap = deps.provider.name !== 'minikube'
      const p = (cheap ? deps.provider.serviceUrl(deps.sh, deps.kube(), ns, name).then(urlOf).catch(() => byNode(port)) : byNode(port))
        .then((url) => {
          done.set(key, url)
          problems.delete(`${ns}/${name}`)
        })
        .catch((e: Error) => {
          problems.set(`${ns}/${name}`, `no URL for service/${name} in ${ns}: ${e.message.split('\n')[0]}`)
        })
        .finally(onResolved)
      asked.set(key, p)
    }
    return asked.get(key)
  }

  const known = (services: V1Service[]) => {
    const out = new Map<string, string>()
    for (const s of services) {
      const url = done.get(`${s.metadata?.namespace}/${s.metadata?.name}:${nodePortOf(s)}`)
      if (url) out.set(`${s.metadata?.namespace}/${s.metadata?.name}`, url)
    }
    return out
  }

  return {
    urls(services) {
      for (const s of services) void resolve(s)
      return known(services)
    },
    async resolveAll(services) {
      await Promise.all(services.map(resolve))
      return known(services)
    },
    problems: () => [...problems.values()],
  }
}
