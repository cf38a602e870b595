/** tasks/lab/engine/health.ts: the bounded probes (HTTP, HTTPS with the lab's admin cert, dockerd's /_ping on a unix socket) against local test servers, waitUntil's pass and its timeout error with the log tail, and the health URLs. */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assertLabDirs, labTempDirs } from '../../../fakes.ts'

const dirs = labTempDirs('health-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const H = await import('../../../../../tasks/lab/engine/health.ts')
const { pki } = await import('../../../../../tasks/lab/engine/pki.ts')
const { METRICS_SERVER_PORT } = await import('../../../../../tasks/lab/engine/config.ts')

const servers: Array<http.Server> = []
test.after(async () => {
  for (const s of servers) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
  dirs.cleanup()
})

/** Listen on 127.0.0.1 (a free port) or on a unix socket; resolves with the base URL or the socket path. */
async function serve(server: http.Server, where: { socket?: string; scheme?: string } = {}): Promise<string> {
  servers.push(server)
  await new Promise<void>((r) => (where.socket ? server.listen(where.socket, r) : server.listen(0, '127.0.0.1', r)))
  return where.socket ?? `${where.scheme ?? 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const answering = (status: number, body: string) => http.createServer((_req, res) => res.writeHead(status).end(body))

test('probe: HTTP 200 → the body', async () => {
  const base = await serve(answering(200, 'ok'))
  assert.is(await H.probe(`${base}/healthz`), 'ok')
})

test('probe: any other status, a refused connection, or no answer within the timeout → undefined (never throws)', async () => {
  assert.is(await H.probe(`${await serve(answering(503, '[-]etcd failed'))}/readyz`), undefined)
  const closed = http.createServer()
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
  const port = (closed.address() as AddressInfo).port
  await new Promise((r) => closed.close(r))
  assert.is(await H.probe(`http://127.0.0.1:${port}/health`), undefined)
  const silent = await serve(http.createServer(() => {}))
  assert.is(await H.probe(`${silent}/health`, { timeoutMs: 200 }), undefined)
})

/** A self-signed cert and key (openssl), written where `pki(name)` reads them. */
function selfSigned(name: string, cn: string): { cert: string; key: string } {
  mkdirSync(join(dirs.state, 'pki'), { recursive: true })
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${cn}`, '-keyout', pki(`${name}.key`), '-out', pki(`${name}.crt`)], { stdio: 'ignore' })
  return { cert: readFileSync(pki(`${name}.crt`), 'utf8'), key: readFileSync(pki(`${name}.key`), 'utf8') }
}

test('probe: HTTPS to a self-signed server; with admin: true it presents the lab\'s admin client cert from the pki dir', async () => {
  const server = selfSigned('test-server', 'localhost')
  selfSigned('admin', 'learn-k8s-admin')
  const tls = https.createServer({ ...server, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate()
    res.writeHead(200).end(peer?.subject?.CN ?? 'anonymous')
  })
  const base = await serve(tls, { scheme: 'https' })
  assert.is(await H.probe(`${base}/readyz`, { admin: true }), 'learn-k8s-admin')
  assert.is(await H.probe(`${base}/readyz`), 'anonymous')
})

test('dockerPing: true when /_ping on the unix socket answers 200; false on another status or no socket', async () => {
  const paths: string[] = []
  const ok = await serve(
    http.createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`)
      res.writeHead(200).end('OK')
    }),
    { socket: join(dirs.root, 'ok.sock') },
  )
  assert.is(await H.dockerPing(ok), true)
  assert.equal(paths, ['GET /_ping'])
  const failing = await serve(answering(500, 'no'), { socket: join(dirs.root, 'fail.sock') })
  assert.is(await H.dockerPing(failing), false)
  assert.is(await H.dockerPing(join(dirs.root, 'none.sock')), false)
})

test('waitUntil: resolves once the check passes, without calling it again', async () => {
  let calls = 0
  await H.waitUntil('etcd', async () => ++calls === 3, { timeoutMs: 60_000 })
  assert.is(calls, 3)
})

test('waitUntil: a check that never passes → an error naming what, the timeout in seconds, the log file and its last lines', async () => {
  mkdirSync(join(dirs.state, 'logs'), { recursive: true })
  writeFileSync(join(dirs.state, 'logs', 'kubelet.log'), 'starting\nE1201 failed to run Kubelet: no cgroup\n')
  try {
    await H.waitUntil('kubelet', async () => false, { timeoutMs: 400, logName: 'kubelet' })
    assert.unreachable('waitUntil returned')
  } catch (e) {
    assert.is((e as Error).message, 'kubelet did not come up within 0s (log: kubelet.log); last log lines:\nstarting\nE1201 failed to run Kubelet: no cgroup')
  }
  await H.waitUntil('x', async () => false, { timeoutMs: 1 }).then(
    () => assert.unreachable('resolved'),
    (e: Error) => assert.is(e.message, 'x did not come up within 0s'),
  )
})

test('health URLs: the apiserver\'s /readyz and metrics-server\'s /livez on the node IP; the rest on loopback', () => {
  assert.is(H.apiserverReadyz('10.9.9.9'), 'https://10.9.9.9:6443/readyz')
  assert.is(H.metricsServerLivez('10.9.9.9'), `https://10.9.9.9:${METRICS_SERVER_PORT}/livez`)
  for (const u of [H.ETCD_HEALTH, H.CONTROLLER_MANAGER_HEALTH, H.SCHEDULER_HEALTH, H.KUBELET_HEALTH, H.KUBE_PROXY_HEALTH]) assert.match(u, /^https?:\/\/127\.0\.0\.1:\d+\/(health|healthz)$/)
})

test.run()
