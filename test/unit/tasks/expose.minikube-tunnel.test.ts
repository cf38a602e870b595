/**
 * `npx tsx tasks/expose.ts --provider minikube` run as a learner runs it, where `minikube service --url` behaves as on
 * the docker driver of macOS and Windows: it prints the URL, then keeps a tunnel open until Ctrl-C. The task must
 * finish (deadline), say that a tunnel was used, and leave no process behind. The cluster is a local stand-in
 * API server (just /version, discovery and the Service read); kubectl and minikube are scripts on PATH.
 */
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../../tasks/lib/tutorial.ts'
import { alive } from '../../support/testkit.ts'

const dir = mkdtempSync(join(tmpdir(), 'expose-minikube-'))
const PIDS = join(dir, 'pids')
const TUNNEL = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'minikube', 'service-url-tunnel.json'), 'utf8')) as { stderr: string }

// minikube's `service --url` on the docker driver of macOS: the tunnel (a child, like its ssh), the URL, the warning, then waiting
writeFileSync(
  join(dir, 'minikube'),
  `#!/bin/sh
[ "$1" = service ] || { echo "fake minikube: only service" >&2; exit 64; }
sleep 1000 &
echo "$$ $!" > "$FAKE_PIDS"
printf '%s\\n' "$FAKE_URL"
printf '%s' "$FAKE_STDERR" >&2
wait
`,
)
writeFileSync(join(dir, 'kubectl'), '#!/bin/sh\necho "service/hellogopher exposed"\n')
for (const f of ['minikube', 'kubectl']) chmodSync(join(dir, f), 0o755)

const json = (res: import('node:http').ServerResponse, code: number, body: unknown) => {
  res.writeHead(code, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** Just enough of an API server for expose.ts: ping, discovery of v1, and "no service/hellogopher yet". */
const api = createServer((req, res) => {
  if (req.url === '/version') return json(res, 200, { major: '1', minor: '35', gitVersion: 'v1.35.1' })
  if (req.url?.split('?')[0] === '/api/v1') {
    return json(res, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get', 'list', 'create'] }] })
  }
  json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `${req.url} not found`, reason: 'NotFound', code: 404 })
})



test('expose.ts on minikube with a tunnel that never exits: done within the deadline, tunnel named, nothing left running', async () => {
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r))
  const port = (api.address() as AddressInfo).port
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: minikube, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: minikube, user: {} }]
contexts: [{ name: minikube, context: { cluster: minikube, user: minikube, namespace: default } }]
current-context: minikube
`,
  )
  const url = 'http://127.0.0.1:52345'
  // a private run lock: this run must never contend with a real run on this machine (it would be refused)
  const env = { ...process.env, CI: '1', KUBECONFIG: kubeconfig, PATH: `${dir}:${process.env.PATH}`, FAKE_PIDS: PIDS, FAKE_URL: url, FAKE_STDERR: TUNNEL.stderr, LEARN_K8S_LOCK_FILE: join(dir, 'run.lock') }
  // a process group of its own: on the deadline the whole tree (npx, tsx, node, the fake minikube) is killed
  const child = spawn('npx', ['tsx', 'tasks/expose.ts', '--provider', 'minikube'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }, 60_000)
  // 'exit', not 'close': a process left behind would keep the pipes open
  const code = await new Promise<number | null>((r) => child.on('exit', r))
  clearTimeout(timer)
  const pids = existsSync(PIDS) ? readFileSync(PIDS, 'utf8').trim().split(/\s+/).map(Number).filter(Boolean) : []
  // the fake's tunnel child may have been orphaned (old code): kill it before judging, so nothing outlives the test
  const leftBehind = pids.filter(alive)
  try {
    assert.not.ok(timedOut, `expose.ts did not finish within 60 s (minikube service kept it waiting)\n${stdout.slice(-1500)}`)
    assert.is(code, 0, `exit ${code}\n${stdout.slice(-1500)}\n${stderr}`)
    assert.match(stdout, /\$ minikube service hellogopher -n hellogopher --url/)
    assert.match(stdout, /minikube keeps a tunnel open for http:\/\/127\.0\.0\.1:52345/)
    assert.match(stdout, /hellogopher is reached through a tunnel: minikube service hellogopher -n hellogopher --url opens it/)
    assert.is(pids.length, 2, `the fake minikube did not run\n${stdout.slice(-1500)}`)
    assert.equal(leftBehind, [], 'processes of minikube service left running')
  } finally {
    child.stdout.destroy()
    child.stderr.destroy()
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
  }
})

test.after(() => {
  api.close()
  rmSync(dir, { recursive: true, force: true })
})

test.run()
