/** Is a lab component answering? Local daemons have no watch API, so these are short bounded probes. */
import * as https from 'node:https'
import * as http from 'node:http'
import { readFileSync } from 'node:fs'
import { pki } from './pki.ts'
import { logTail } from './procs.ts'
import { METRICS_SERVER_PORT } from './config.ts'

export interface ProbeOptions {
  /** present a client cert (admin) to the apiserver */
  admin?: boolean
  timeoutMs?: number
}

/** GET a local health URL; resolves with the body when HTTP 200, else undefined. Never throws. */
export function probe(url: string, opts: ProbeOptions = {}): Promise<string | undefined> {
  return new Promise((resolve) => {
    const u = new URL(url)
    const tls = u.protocol === 'https:'
    const options: https.RequestOptions = { method: 'GET', timeout: opts.timeoutMs ?? 2000 }
    if (tls) {
      // local components serve self-signed certs (controller-manager, scheduler) or our CA's
      options.rejectUnauthorized = false
      if (opts.admin) {
        options.cert = readFileSync(pki('admin.crt'))
        options.key = readFileSync(pki('admin.key'))
      }
    }
    const req = (tls ? https : http).request(u, options, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
    req.end()
  })
}

/**
 * Poll `check` until it passes or the deadline; on timeout the error carries the component's log tail.
 * (Polling is right here: these are processes on this host that are still starting, not API objects.)
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, opts: { timeoutMs: number; logName?: string }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 300))
  }
  const tail = opts.logName ? `; last log lines:\n${logTail(opts.logName)}` : ''
  throw new Error(`${what} did not come up within ${Math.round(opts.timeoutMs / 1000)}s${opts.logName ? ` (log: ${opts.logName}.log)` : ''}${tail}`)
}

/** Does the lab's dockerd answer its /_ping on the unix socket? */
export function dockerPing(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: '/_ping', method: 'GET', timeout: 2000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

export const ETCD_HEALTH = 'http://127.0.0.1:2379/health'
export const CONTROLLER_MANAGER_HEALTH = 'https://127.0.0.1:10257/healthz'
export const SCHEDULER_HEALTH = 'https://127.0.0.1:10259/healthz'
export const KUBELET_HEALTH = 'http://127.0.0.1:10248/healthz'
export const KUBE_PROXY_HEALTH = 'http://127.0.0.1:10256/healthz'
export const apiserverReadyz = (nodeIp: string) => `https://${nodeIp}:6443/readyz`
/** /livez, not /readyz: metrics-server is ready only after its first kubelet scrape. Anonymous access is allowed on it. */
export const metricsServerLivez = (nodeIp: string) => `https://${nodeIp}:${METRICS_SERVER_PORT}/livez`
