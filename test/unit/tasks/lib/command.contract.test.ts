/**
 * The command-line contract of every task file, checked by running each one as a person would:
 * `--help` exits 0 with usage on stdout; an unknown flag exits 2 with exactly one line on stderr;
 * `up` with a provider that is not installed fails fast with one line and no stack trace.
 * (No cluster is contacted: --help and flag errors come before any read.)
 */
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../../../tasks/lib/tutorial.ts'

const files = [
  ...readdirSync(join(ROOT, 'tasks')).filter((f) => f.endsWith('.ts')).map((f) => `tasks/${f}`),
  ...readdirSync(join(ROOT, 'tasks', 'lab')).filter((f) => ['up.ts', 'down.ts', 'status.ts'].includes(f)).map((f) => `tasks/lab/${f}`),
].sort()

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // a private run lock: these runs must never contend with a real run on this machine
    const child = spawn('npx', ['tsx', ...args], { cwd: ROOT, env: { ...process.env, LEARN_K8S_LOCK_FILE: join(tmpdir(), `cli-contract-${process.pid}.lock`), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

test('there are task files to check', () => {
  assert.ok(files.length >= 14, files.join(', '))
})

// two at a time: each is a whole node process
const results = new Map<string, Promise<[Awaited<ReturnType<typeof run>>, Awaited<ReturnType<typeof run>>]>>()
let chain: Promise<unknown> = Promise.resolve()
for (const f of files) {
  const p = chain.then(() => Promise.all([run([f, '--help']), run([f, '--bogus-flag'])]))
  chain = p
  results.set(f, p)
}

for (const f of files) {
  test(`${f} --help exits 0 with a usage line; --bogus-flag exits 2 with one stderr line`, async () => {
    const [help, bogus] = await results.get(f)!
    assert.is(help.code, 0, `${f} --help: exit ${help.code}\n${help.stderr}`)
    assert.match(help.stdout, /^Usage: npx tsx /m)
    assert.is(bogus.code, 2, `${f} --bogus-flag: exit ${bogus.code}\n${bogus.stderr}`)
    const lines = bogus.stderr.trim().split('\n')
    assert.is(lines.length, 1, `expected one line, got:\n${bogus.stderr}`)
    assert.match(lines[0]!, /--bogus-flag/)
  })
}

test('every task with --namespace also takes -n (the kubectl habit)', async () => {
  const withNamespace: string[] = []
  for (const f of files) {
    const [help] = await results.get(f)!
    if (!/--namespace\b/.test(help.stdout)) continue
    withNamespace.push(f)
    assert.match(help.stdout, /-n, --namespace /, `${f} --help lists --namespace without -n`)
  }
  assert.ok(withNamespace.length >= 5, withNamespace.join(', '))
})

test('up with a provider whose tool is missing fails fast: exit 1, one line, no stack trace', async () => {
  const t0 = Date.now()
  // a PATH without minikube (it is not installed here; this keeps the test true where it is)
  const r = await run(['tasks/up.ts', '--provider', 'minikube'], { PATH: `${process.env.PATH}`.split(':').filter((d) => !d.includes('minikube')).join(':'), MINIKUBE_HOME: '/nonexistent' })
  const ms = Date.now() - t0
  assert.is(r.code, 1, r.stderr)
  const lines = r.stderr.trim().split('\n')
  assert.is(lines.length, 1, r.stderr)
  assert.match(lines[0]!, /minikube/)
  assert.not.match(r.stderr, /\n\s+at /, 'stack trace printed')
  process.stdout.write(`    (up --provider minikube failed in ${ms} ms, process start included)\n`)
})

test.run()
