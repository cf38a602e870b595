/** Lesson 4's observable: GET through the NodePort answers `Hello gopher`, within a deadline. A check: never skipped. */
import * as http from 'node:http'
import * as https from 'node:https'
import { setTimeout as delay } from 'node:timers/promises'
import { APP } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import { logTo, type Step } from '../lib/task.ts'

export const VERIFY_TIMEOUT_MS = 60_000
export const EXPECTED_BODY = 'Hello gopher'

export interface HttpCheck {
  status: number
  body: string
}

export type Fetcher = (url: string, timeoutMs: number) => Promise<HttpCheck>

/** One GET over node:http(s): fetch would load undici (≈ 20 ms) for this one request. No keep-alive: nothing left open. */
const realFetch: Fetcher = (url, timeoutMs) =>
  new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })))
    req.on('error', reject)
  })

/**
 * GET url until it answers 200 with `expected`, within the deadline. There is nothing to watch for a NodePort
 * becoming reachable (kube-proxy programs it a moment after the Service exists), so this polls once a second.
 */
export async function httpUntil(url: string, expected: string, timeoutMs: number, fetcher: Fetcher = realFetch, log: (l: string) => void = () => {}): Promise<HttpCheck> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer yet'
  for (;;) {
    try {
      const r = await fetcher(url, 3000)
      if (r.status === 200 && r.body.includes(expected)) return r
      last = `HTTP ${r.status} ${r.body.trim().slice(0, 80)}`
    } catch (e) {
      const err = e as Error & { code?: string; cause?: { code?: string } }
      last = err.cause?.code ?? err.code ?? err.message
    }
    if (Date.now() + 1000 > deadline) throw new Error(`GET ${url} did not answer "${expected}" within ${Math.round(timeoutMs / 1000)}s; last: ${last}`)
    log(`GET ${url}: ${last}; retrying`)
    await delay(1000)
  }
}

/** What the check found: the URL, and (when it was a tunnel, now closed) the command that opens it again. */
export interface VerifyResult {
  url?: string
  reopen?: string
}

/** Lesson 4's observable: an HTTP GET through the NodePort returns `Hello gopher`. A check: never skipped. */
export const verifyHello = (deps: Deps, result: VerifyResult = {}, opts: { timeoutMs?: number; fetcher?: Fetcher } = {}): Step => ({
  title: `Check that ${APP} answers "${EXPECTED_BODY}" through its NodePort (lesson 4)`,
  task: async (ctx, task) => {
    const log = logTo(task)
    if (ctx.dryRun) {
      log(`GET <service URL>/ — expect 200 "${EXPECTED_BODY}"`)
      return
    }
    const endpoint = await deps.provider.serviceUrl(deps.sh, deps.kube(), ctx.namespace, APP, log)
    // the URL may be a tunnel (minikube's docker driver on macOS/Windows): open for the check, closed after it
    try {
      result.url = endpoint.url
      result.reopen = endpoint.reopen
      const r = await httpUntil(endpoint.url, EXPECTED_BODY, opts.timeoutMs ?? VERIFY_TIMEOUT_MS, opts.fetcher, log)
      log(`GET ${endpoint.url} → ${r.status} ${r.body.trim()}`)
    } finally {
      await endpoint.close()
    }
  },
})
