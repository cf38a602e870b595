/**
 * The ONE kubeconfig resolution (a YAML read, no client library, no network): which files, merged the way
 * kubectl merges them, which context a run acts on and that context's server. The guard, every
 * @kubernetes/client-node client (built from `mergedKubeconfigYaml`, never from client-node's own merge) and
 * every kubectl command (pinned with `--context <resolved>`) use what this returns, so reads, writes and the
 * guard's judgement all concern the same cluster.
 *
 * kubectl's rules (client-go clientcmd): files in $KUBECONFIG order; for clusters, contexts and users the first
 * file that defines a name wins; current-context comes from the first file that sets one. A missing file in a
 * list is skipped, as kubectl does — but a $KUBECONFIG (or an explicit file) of which nothing exists, and an
 * empty or malformed file, are errors naming the file: never a silent switch to another cluster.
 */
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse, stringify } from 'yaml'
import type { KubeTarget } from './kube-state.ts'

export class KubeconfigError extends Error {
  override name = 'KubeconfigError'
}

/** The kubeconfig files kubectl would read, in order. */
export function kubeconfigFiles(target: KubeTarget = {}): string[] {
  if (target.kubeconfig) return [target.kubeconfig]
  const env = process.env.KUBECONFIG?.split(':').filter(Boolean)
  return env?.length ? env : [`${process.env.HOME ?? homedir()}/.kube/config`]
}

type Named = { name: string; [k: string]: unknown }

export interface KubeconfigDoc {
  apiVersion?: string
  kind?: string
  'current-context'?: string
  clusters: Named[]
  contexts: Named[]
  users: Named[]
}

export interface ResolvedKubeconfig {
  /** The files that exist and were merged, in order. */
  files: string[]
  merged: KubeconfigDoc
  /** The context a run acts on: the explicit one, else the merged current-context. */
  context?: string
  /** That context's cluster server, when the context and its cluster are in the kubeconfig. */
  server?: string
  /** That context's namespace (`default` when it sets none). */
  namespace: string
  /** Is the context defined in the kubeconfig? */
  known: boolean
}

// paths kubectl resolves relative to the file that names them
const CLUSTER_PATHS = ['certificate-authority']
const USER_PATHS = ['client-certificate', 'client-key', 'tokenFile']

function absolutize(entry: Named, section: 'cluster' | 'user', keys: string[], dir: string): Named {
  const body = entry[section]
  if (!body || typeof body !== 'object') return entry
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) }
  for (const k of keys) {
    const v = copy[k]
    if (typeof v === 'string' && v && !isAbsolute(v)) copy[k] = resolve(dir, v)
  }
  return { ...entry, [section]: copy }
}

/** An exec plugin's command given as a relative path (`./bin/auth`, not a bare name on PATH) is relative to the file too. */
function execCommandAbsolute(entry: Named, dir: string): Named {
  const user = entry.user as { exec?: { command?: unknown } } | undefined
  const cmd = user?.exec?.command
  if (typeof cmd !== 'string' || isAbsolute(cmd) || !cmd.includes('/')) return entry
  return { ...entry, user: { ...user, exec: { ...user!.exec, command: resolve(dir, cmd) } } }
}

/** One file, read and checked: empty, unreadable or not a kubeconfig → a one-line error naming it. */
export function readKubeconfigFile(file: string): KubeconfigDoc {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new KubeconfigError(`cannot read kubeconfig ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  if (!text.trim()) throw new KubeconfigError(`kubeconfig ${file} is empty`)
  let doc: unknown
  try {
    doc = parse(text)
  } catch (e) {
    throw new KubeconfigError(`kubeconfig ${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`)
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(`kubeconfig ${file} is not a kubeconfig (expected a mapping with clusters, contexts, users)`)
  const d = doc as Record<string, unknown>
  const list = (key: 'clusters' | 'contexts' | 'users'): Named[] => {
    const v = d[key]
    if (v === undefined || v === null) return []
    if (!Array.isArray(v) || v.some((e) => !e || typeof e !== 'object' || typeof (e as Named).name !== 'string' || !(e as Named).name)) {
      throw new KubeconfigError(`kubeconfig ${file} is not a kubeconfig: ${key} must be a list of entries with a name`)
    }
    return v as Named[]
  }
  const cc = d['current-context']
  if (cc !== undefined && cc !== null && typeof cc !== 'string') throw new KubeconfigError(`kubeconfig ${file} is not a kubeconfig: current-context must be a string`)
  const dir = dirname(resolve(file))
  return {
    apiVersion: typeof d.apiVersion === 'string' ? d.apiVersion : undefined,
    kind: typeof d.kind === 'string' ? d.kind : undefined,
    'current-context': cc || undefined,
    clusters: list('clusters').map((c) => absolutize(c, 'cluster', CLUSTER_PATHS, dir)),
    contexts: list('contexts'),
    users: list('users').map((u) => execCommandAbsolute(absolutize(u, 'user', USER_PATHS, dir), dir)),
  }
}

/** kubectl's merge: first file defining a name wins; current-context from the first file that sets one. */
export function mergeKubeconfigs(docs: KubeconfigDoc[]): KubeconfigDoc {
  const merged: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], users: [] }
  for (const doc of docs) {
    if (!merged['current-context'] && doc['current-context']) merged['current-context'] = doc['current-context']
    for (const key of ['clusters', 'contexts', 'users'] as const) {
      for (const e of doc[key]) if (!merged[key].some((m) => m.name === e.name)) merged[key].push(e)
    }
  }
  return merged
}

/**
 * Resolve what a run acts on. Missing files: skipped when another one of the list exists (kubectl does the
 * same); an error when none does — unless it is the default ~/.kube/config or a provider's own file (the lab's
 * before `lab up`), which simply means "no kubeconfig yet".
 */
export function resolveKubeconfig(target: KubeTarget = {}): ResolvedKubeconfig {
  const files = kubeconfigFiles(target)
  const existing = files.filter((f) => existsSync(f))
  const userNamed = !target.kubeconfig && !!process.env.KUBECONFIG?.split(':').some(Boolean)
  if (!existing.length && userNamed) {
    throw new KubeconfigError(
      files.length === 1 ? `KUBECONFIG names ${files[0]}, which does not exist` : `KUBECONFIG names no file that exists (${files.join(', ')})`,
    )
  }
  const merged = mergeKubeconfigs(existing.map(readKubeconfigFile))
  const context = target.context ?? merged['current-context']
  const ctxEntry = context ? merged.contexts.find((c) => c.name === context) : undefined
  const ctxBody = (ctxEntry?.context ?? {}) as { cluster?: string; namespace?: string }
  const cluster = ctxBody.cluster ? merged.clusters.find((c) => c.name === ctxBody.cluster) : undefined
  const server = (cluster?.cluster as { server?: string } | undefined)?.server
  return { files: existing, merged, context, server: server || undefined, namespace: ctxBody.namespace || 'default', known: !!ctxEntry }
}

/** The merged kubeconfig as YAML, for client-node's `loadFromString` (so it never merges files itself). */
export function mergedKubeconfigYaml(r: ResolvedKubeconfig): string {
  const { merged } = r
  return stringify({ ...merged, 'current-context': r.context ?? merged['current-context'] ?? '' })
}

/** The context a run acts on: the explicit one, else the merged current-context. */
export function targetContext(target: KubeTarget = {}): string | undefined {
  return resolveKubeconfig(target).context
}

/** The kubeconfig's own current-context (ignoring any explicit context), for `set-context --current` decisions. */
export function fileCurrentContext(target: KubeTarget = {}): string | undefined {
  return targetContext({ kubeconfig: target.kubeconfig })
}
