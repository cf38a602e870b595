/**
 * The API server over node:https with the resolved kubeconfig's CA, client certificate/key or bearer token: the reads
 * (and server-side dry-run applies) a no-op run makes, without loading @kubernetes/client-node (≈ 0.9 s and ≈ 115 MB:
 * it loads every generated model). A user that authenticates another way (exec plugin, auth-provider, basic auth,
 * impersonation) or a proxied cluster gets its options from client-node instead (kube.ts decides).
 */
import * as http from 'node:http'
import * as https from 'node:https'
import { readFileSync } from 'node:fs'
import type { ResolvedKubeconfig } from './kubeconfig.ts'

/** How to reach and authenticate to the context's API server. */
export interface RestTarget {
  server: string
  /** TLS material and headers for node:https (a client-node KubeConfig's applyToHTTPSOptions gives the same shape). */
  options: https.RequestOptions
}

export interface RestRequest {
  method?: 'GET' | 'PATCH'
  path: string
  query?: Record<string, string | number | boolean | undefined>
  /** A JSON body (sent as `contentType`). */
  body?: unknown
  contentType?: string
  /** The answer as text (a log), not JSON. */
  text?: boolean
  timeoutMs?: number
}

/** One call: its parsed JSON (or text). Tests pass a fake. */
export type RestCall = (req: RestRequest) => Promise<unknown>

/**
 * A non-2xx answer. Same shape as client-node's ApiException (`code`, `body`), so kube-errors.ts reads both alike:
 * 404 is "absent", others say what failed.
 */
export class RestError extends Error {
  override name = 'RestError'
  constructor(
    readonly code: number,
    readonly body: string,
    what: string,
  ) {
    super(`HTTP ${code} from ${what}`)
  }
}

// user and cluster fields this client understands; anything else set means "let client-node do it"
const PLAIN_USER = new Set(['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile'])
const PLAIN_CLUSTER = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions'])

/**
 * The https options of the resolved context when its user and cluster need nothing but files, base64 data and a
 * token; undefined when they need more (client-node handles those). A file named in the kubeconfig that cannot be
 * read throws, naming it.
 */
export function plainTarget(r: ResolvedKubeconfig, read: (file: string) => Buffer = readFileSync): RestTarget | undefined {
  const ctx = r.merged.contexts.find((c) => c.name === r.context)?.context as { cluster?: string; user?: string } | undefined
  const cluster = r.merged.clusters.find((c) => c.name === ctx?.cluster)?.cluster as Record<string, unknown> | undefined
  const user = (r.merged.users.find((u) => u.name === ctx?.user)?.user ?? {}) as Record<string, unknown>
  if (!ctx || !cluster || typeof cluster.server !== 'string' || !cluster.server) return undefined
  if (Object.keys(user).some((k) => !PLAIN_USER.has(k)) || Object.keys(cluster).some((k) => !PLAIN_CLUSTER.has(k))) return undefined
  const data = (key: string, fileKey: string, from: Record<string, unknown>): Buffer | undefined => {
    if (typeof from[key] === 'string') return Buffer.from(from[key] as string, 'base64')
    if (typeof from[fileKey] !== 'string') return undefined
    try {
      return read(from[fileKey] as string)
    } catch (e) {
      throw new Error(`cannot read ${fileKey} ${from[fileKey] as string} named in the kubeconfig: ${(e as Error).message}`)
    }
  }
  const token = typeof user.token === 'string' ? user.token : data('', 'tokenFile', user)?.toString('utf8').trim()
  const options: https.RequestOptions = {
    ca: data('certificate-authority-data', 'certificate-authority', cluster),
    cert: data('client-certificate-data', 'client-certificate', user),
    key: data('client-key-data', 'client-key', user),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    servername: typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  }
  return { server: cluster.server, options }
}

/** `path?query` with empty values left out. */
export function requestPath(path: string, query: RestRequest['query'] = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v))
  const s = q.toString()
  return s ? `${path}?${s}` : path
}

/**
 * One kept-alive pool per process, shared by every client: node's agent keys its sockets by server and TLS material
 * (CA, cert, key, servername), so two clients of one context (the provider's status, then the run's) share a
 * connection and clients of different credentials never do.
 */
let agents: { http: http.Agent; https: https.Agent } | undefined
const pool = (secure: boolean): http.Agent => {
  agents ??= { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) }
  return secure ? agents.https : agents.http
}

/** A RestCall to `target` over the process's kept-alive pool. */
export function restClient(target: () => Promise<RestTarget>): RestCall {
  return async ({ method = 'GET', path, query, body, contentType = 'application/json', text, timeoutMs = 30_000 }) => {
    const { server, options } = await target()
    const url = new URL(requestPath(path, query), server)
    const secure = url.protocol !== 'http:'
    const agent = pool(secure)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const headers: http.OutgoingHttpHeaders = { ...(options.headers as http.OutgoingHttpHeaders), Accept: text ? '*/*' : 'application/json' }
    if (payload !== undefined) Object.assign(headers, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) })
    const what = `${method} ${url.pathname}`
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, { ...options, method, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('error', reject)
        res.on('end', () => {
          const s = Buffer.concat(chunks).toString('utf8')
          const code = res.statusCode ?? 0
          if (code < 200 || code > 299) return reject(new RestError(code, s, what))
          if (text) return resolve(s)
          try {
            resolve(JSON.parse(s))
          } catch {
            reject(new Error(`${what}: the server answered something that is not JSON`))
          }
        })
      })
      req.on('timeout', () => req.destroy(Object.assign(new Error(`ETIMEDOUT after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })))
      req.on('error', reject)
      req.end(payload)
    })
  }
}

/** Resource paths of the kinds the tutorial reads (no discovery round trip); undefined for any other kind. */
const PLURALS: Record<string, [group: string, plural: string, namespaced: boolean]> = {
  Namespace: ['v1', 'namespaces', false],
  Node: ['v1', 'nodes', false],
  Pod: ['v1', 'pods', true],
  Service: ['v1', 'services', true],
  ConfigMap: ['v1', 'configmaps', true],
  Secret: ['v1', 'secrets', true],
  PersistentVolumeClaim: ['v1', 'persistentvolumeclaims', true],
  ServiceAccount: ['v1', 'serviceaccounts', true],
  Event: ['v1', 'events', true],
  Deployment: ['apps/v1', 'deployments', true],
  ReplicaSet: ['apps/v1', 'replicasets', true],
  StatefulSet: ['apps/v1', 'statefulsets', true],
  DaemonSet: ['apps/v1', 'daemonsets', true],
}

/**
 * `/api/v1/namespaces/NS/services/NAME` for a known apiVersion + kind; undefined for others (client-node discovers
 * them). A namespaced kind without a namespace gets `defaultNamespace()` (asked only then), as kubectl does.
 */
export function objectPath(apiVersion: string, kind: string, name: string, namespace: string | undefined, defaultNamespace: () => string): string | undefined {
  const known = PLURALS[kind]
  if (!known || known[0] !== apiVersion) return undefined
  const [, plural, namespaced] = known
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`
  const ns = namespaced ? `/namespaces/${encodeURIComponent(namespace ?? defaultNamespace())}` : ''
  return `${base}${ns}/${plural}/${encodeURIComponent(name)}`
}

/** `/apis/apps/v1/namespaces/NS/replicasets` (every namespace's when `namespace` is undefined) for a known kind; else undefined. */
export function collectionPath(apiVersion: string, kind: string, namespace?: string): string | undefined {
  const known = PLURALS[kind]
  if (!known || known[0] !== apiVersion) return undefined
  const [, plural, namespaced] = known
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`
  return `${base}${namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${plural}`
}
