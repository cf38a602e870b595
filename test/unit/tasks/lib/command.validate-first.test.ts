/**
 * Validate before acting, tried as a person would (real task processes): a bad input is one line and a non-zero
 * exit before anything slow or mutating, and before the cluster is contacted. The kubeconfigs here are fake;
 * their servers are 127.0.0.1:1 (nothing listens there) or a documentation address nothing may be sent to, and
 * no test below gets as far as a request. Each run has a private run lock file.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../../../tasks/lib/tutorial.ts'
import { fakeKubeconfig } from '../../../support/testkit.ts'

const dir = mkdtempSync(join(tmpdir(), 'validate-first-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))
const LOCK = join(dir, 'run.lock')
const kubeconfig = (name: string, context: string, server: string) => fakeKubeconfig(dir, name, context, server)



const KIND_LOCAL = kubeconfig('kind-local', 'kind-dev', 'https://127.0.0.1:1')

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', ...args], {
      cwd: ROOT,
      env: { ...process.env, LEARN_K8S_LOCK_FILE: LOCK, KIND_CLUSTER_NAME: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

function oneLine(r: { stderr: string }, want: RegExp): void {
  const lines = r.stderr.trim().split('\n')
  assert.is(lines.length, 1, `expected one line, got:\n${r.stderr}`)
  assert.match(lines[0]!, want)
  assert.not.match(r.stderr, /\n\s+at /, 'stack trace printed')
}

test('up --provider remote without --registry: a usage error before any build', async () => {
  const r = await run(['tasks/up.ts', '--provider', 'remote', '--context', 'kind-dev'], { KUBECONFIG: KIND_LOCAL })
  assert.is(r.code, 2, r.stderr)
  oneLine(r, /a remote cluster pulls its images from a registry — pass --registry/)
  assert.not.match(r.stdout, /docker build/)
})

test('apply --file that does not exist: named, before the cluster is contacted', async () => {
  const r = await run(['tasks/apply.ts', '--file', join(dir, 'nope.yml')], { KUBECONFIG: KIND_LOCAL })
  assert.is(r.code, 1, r.stderr)
  oneLine(r, /cannot read manifests at .*nope\.yml: ENOENT/)
  assert.not.match(r.stderr, /cannot reach/)
})

test('apply --file of an empty manifest: an error, not a silent success', async () => {
  const empty = join(dir, 'empty.yml')
  writeFileSync(empty, '# nothing here\n---\n')
  const r = await run(['tasks/apply.ts', '--file', empty], { KUBECONFIG: KIND_LOCAL })
  assert.is(r.code, 1, r.stderr)
  oneLine(r, /empty\.yml is empty: it holds no Kubernetes object to apply/)
})

test('KUBECONFIG naming a missing file: one line naming it, no fallback to the lab', async () => {
  const missing = join(dir, 'missing-kubeconfig')
  const r = await run(['tasks/expose.ts'], { KUBECONFIG: missing })
  assert.is(r.code, 1, r.stderr)
  oneLine(r, new RegExp(`KUBECONFIG names ${missing}, which does not exist`))
})

test('another run holds the lock: "another run (pid N) is acting on context X", exit 1, nothing done', async () => {
  const holder = spawn('sleep', ['60'])
  try {
    writeFileSync(LOCK, JSON.stringify({ pid: holder.pid, context: 'kind-dev', command: 'tasks/up.ts' }))
    const r = await run(['tasks/expose.ts'], { KUBECONFIG: KIND_LOCAL })
    assert.is(r.code, 1, r.stderr)
    oneLine(r, new RegExp(`^error: another run \\(pid ${holder.pid}, tasks/up\\.ts\\) is acting on context kind-dev`))
  } finally {
    holder.kill('SIGKILL')
    rmSync(LOCK, { force: true })
  }
})

test('relabel --delete on kind-prod whose server is remote: refused naming name and server, no request', async () => {
  const kc = kubeconfig('kind-prod', 'kind-prod', 'https://192.0.2.10:6443')
  const r = await run(['tasks/relabel.ts', '--delete', '-l', 'app=hellogopher'], { KUBECONFIG: kc })
  assert.is(r.code, 1, r.stderr)
  oneLine(r, /refusing to act on context 'kind-prod': its name says local but its server https:\/\/192\.0\.2\.10:6443 is not a local address/)
})

test('up on an unreachable remote: "cannot reach <server>" at once, not "not started by this tool"', async () => {
  const kc = kubeconfig('staging', 'staging', 'https://127.0.0.1:1')
  const r = await run(['tasks/up.ts', '--provider', 'remote', '--registry', '127.0.0.1:5000/learn', '--context', 'staging'], { KUBECONFIG: kc })
  assert.is(r.code, 1, r.stderr)
  oneLine(r, /cannot reach https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/)
  assert.not.match(r.stdout, /docker build/)
})

test.run()
