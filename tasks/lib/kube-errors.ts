/** How a failed API call becomes a KubeError saying what to do, and which failures a wait rides out (client-node's and kube-rest's errors). */
import { KubeError } from './kube-state.ts'

/**
 * An HTTP answer the API gave: client-node's ApiException or kube-rest's RestError, both with a numeric `code` and the
 * server's `body` (told apart by shape, so this module needs not load client-node to recognise its errors).
 */
interface HttpFailure {
  code: number
  body: unknown
}
const isHttpFailure = (e: unknown): e is HttpFailure =>
  e instanceof Error && typeof (e as Partial<HttpFailure>).code === 'number' && 'body' in e

/** A failed call as a KubeError naming `what` failed: the HTTP status and the server's reason, or that `server` is unreachable. */
export function describeError(e: unknown, what: string, server: string): KubeError {
  if (isHttpFailure(e)) {
    let reason = ''
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body
      reason = body?.message ?? ''
    } catch {
      reason = String(e.body).slice(0, 200)
    }
    const hint =
      e.code === 401 ? 'check the credentials in your kubeconfig'
      : e.code === 403 ? 'your user lacks permission for this; use a context with more rights'
      : ''
    return new KubeError(`${what}: HTTP ${e.code}${reason ? ` ${reason}` : ''}`, e.code, hint)
  }
  const err = e as Error & { code?: string; cause?: { code?: string } }
  const code = err.code ?? err.cause?.code ?? ''
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN/.test(code + err.message)) {
    return new KubeError(`${what}: cannot reach ${server} (${code || err.message})`, undefined, 'is the cluster running? start it (npx tsx tasks/start-cluster.ts) or pick another context')
  }
  return new KubeError(`${what}: ${err.message}`)
}

/** Did the API answer 404 (the object is not there)? */
export const isNotFound = (e: unknown): boolean => isHttpFailure(e) && e.code === 404

/**
 * A failure a wait rides out, as kubectl's watches do: the API server not answering for a while (restarted,
 * overloaded) — a refused or reset connection, a timeout, a 429 or a 5xx. Anything else (401, 403, 404, a bad
 * query) ends the wait at once.
 */
export function isTransient(e: unknown): boolean {
  if (isHttpFailure(e)) return e.code === 429 || e.code >= 500
  const err = e as Error & { code?: string; cause?: { code?: string } }
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EPIPE|socket hang up|other side closed/.test(`${err?.code ?? ''} ${err?.cause?.code ?? ''} ${err?.message ?? ''}`)
}
