/** tasks/lib/shell.ts: how commands are shown (quoted, secrets masked), dry-run, and one-line failures. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { clearSecrets, REDACTED, registerSecret } from '../../../../tasks/lib/redact.ts'
import { CommandError, createShell, DeadlineError, findOnPath, formatCommand, ToolMissingError } from '../../../../tasks/lib/shell.ts'

test.before.each(() => clearSecrets())

const shown: Array<[string, string[], string]> = [
  ['kubectl', ['get', 'pods', '-n', 'hellogopher'], 'kubectl get pods -n hellogopher'],
  ['go', ['build', '-ldflags', '-s -w -X main.version=1.0'], "go build -ldflags '-s -w -X main.version=1.0'"],
  ['kubectl', ['label', 'po/x', 'author=percy', '--overwrite'], 'kubectl label po/x author=percy --overwrite'],
  ['kubectl', ['get', 'pods', '--selector', 'app!=hellogopher'], "kubectl get pods --selector 'app!=hellogopher'"],
  ['echo', [''], "echo ''"],
  ['echo', ["it's"], `echo 'it'\\''s'`],
  ['docker', ['image', 'inspect', '--format', '{{.Id}}', 'a:1'], "docker image inspect --format '{{.Id}}' a:1"],
  ['sh', ['-c', 'a && b; c'], "sh -c 'a && b; c'"],
]
for (const [bin, args, want] of shown) {
  test(`formatCommand: ${want}`, () => {
    assert.is(formatCommand(bin, args), want)
  })
}

test('formatCommand masks a registered secret, plain or base64, wherever it is', () => {
  registerSecret('password')
  assert.is(formatCommand('mysql', ['-ppassword']), `mysql -p${REDACTED}`)
  assert.is(
    formatCommand('kubectl', ['patch', 'secret', 'x', '-p', '[{"value":"cGFzc3dvcmQ="}]']),
    `kubectl patch secret x -p '[{"value":"${REDACTED}"}]'`,
  )
})

test('formatCommand shows stdin input as "< (stdin)", never its content', () => {
  registerSecret('s3cr3t')
  assert.is(formatCommand('kubectl', ['apply', '-f', '-'], { input: 'password: s3cr3t' }), 'kubectl apply -f - < (stdin)')
})

test('run echoes the command to log and returns stdout', async () => {
  const lines: string[] = []
  const r = await createShell().run('echo', ['hello', 'gopher'], { log: (l) => lines.push(l) })
  assert.is(r.stdout.trim(), 'hello gopher')
  assert.is(r.exitCode, 0)
  assert.equal(lines, ['$ echo hello gopher'])
})

test('quiet runs are not echoed; env and cwd reach the process', async () => {
  const lines: string[] = []
  const r = await createShell({ env: { A: 'from-shell' } }).run('sh', ['-c', 'echo $A $B $(pwd)'], { env: { B: 'from-run' }, cwd: '/tmp', quiet: true, log: (l) => lines.push(l) })
  assert.is(r.stdout.trim(), 'from-shell from-run /tmp')
  assert.equal(lines, [])
})

test('dry-run echoes and runs nothing, except read-only commands', async () => {
  const sh = createShell({ dryRun: true })
  const lines: string[] = []
  const r = await sh.run('sh', ['-c', 'exit 3'], { log: (l) => lines.push(l) })
  assert.equal(r, { stdout: '', stderr: '', exitCode: 0 })
  assert.equal(lines, ["$ sh -c 'exit 3'"])
  assert.is((await sh.run('echo', ['read'], { readOnly: true })).stdout.trim(), 'read')
  assert.is(sh.dryRun, true)
})

test('a failing command throws a one-line CommandError naming it, its exit code and its last stderr line', async () => {
  try {
    await createShell().run('sh', ['-c', 'echo first >&2; echo "the reason" >&2; exit 3'])
    assert.unreachable()
  } catch (e) {
    assert.instance(e, CommandError)
    const err = e as CommandError
    assert.is(err.exitCode, 3)
    assert.is(err.message, `\`sh -c 'echo first >&2; echo "the reason" >&2; exit 3'\` failed (exit 3): the reason`)
  }
})

test('a CommandError masks secrets in the stderr it quotes', () => {
  registerSecret('s3cr3t')
  assert.is(new CommandError('x', 1, 'bad password s3cr3t\n', 'try again').message, `\`x\` failed (exit 1): bad password ${REDACTED} — try again`)
})

test('allowFail returns the exit code instead of throwing', async () => {
  const r = await createShell().run('sh', ['-c', 'exit 4'], { allowFail: true })
  assert.is(r.exitCode, 4)
})

test('a program that is not installed → ToolMissingError with the install hint', async () => {
  try {
    await createShell().run('no-such-program-xyz', ['--version'])
    assert.unreachable()
  } catch (e) {
    assert.instance(e, ToolMissingError)
    assert.match((e as Error).message, /^no-such-program-xyz is not installed or not on PATH — install no-such-program-xyz/)
  }
  assert.match(new ToolMissingError('minikube').message, /https:\/\/minikube\.sigs\.k8s\.io/)
})

test('start: a program that is not installed → ToolMissingError, not a hang', async () => {
  const bg = createShell().start('no-such-program-xyz', ['service'])
  try {
    await bg.waitForLine(/./, 10_000)
    assert.unreachable()
  } catch (e) {
    assert.instance(e, ToolMissingError)
  }
  assert.is(bg.running(), false)
})

test('start: the line waited for; a program that exits first → CommandError; a deadline → DeadlineError and the program stopped', async () => {
  const sh = createShell()
  const lines: string[] = []
  const ok = sh.start('sh', ['-c', 'echo starting; echo http://127.0.0.1:1/x; exit 0'], { log: (l) => lines.push(l) })
  assert.is(await ok.waitForLine(/^http:/, 10_000), 'http://127.0.0.1:1/x')
  assert.equal(lines, ["$ sh -c 'echo starting; echo http://127.0.0.1:1/x; exit 0'"])
  await ok.stop()
  const failing = sh.start('sh', ['-c', 'echo no >&2; exit 3'], { quiet: true })
  try {
    await failing.waitForLine(/^http:/, 10_000)
    assert.unreachable()
  } catch (e) {
    assert.instance(e, CommandError)
    assert.match((e as Error).message, /^`sh -c 'echo no >&2; exit 3'` failed \(exit 3\): no/)
  }
  const silent = sh.start('sleep', ['30'], { quiet: true })
  try {
    await silent.waitForLine(/^http:/, 300)
    assert.unreachable()
  } catch (e) {
    assert.instance(e, DeadlineError)
  }
  assert.is(silent.running(), false)
})

test('which finds programs on PATH and not others', async () => {
  const sh = createShell()
  assert.match((await sh.which('sh')) ?? '', /\/sh$/)
  assert.is(await sh.which('no-such-program-xyz'), undefined)
})

test('--verbose streams whole lines: a secret split across two output chunks is still masked', async () => {
  registerSecret('hunter22')
  const lines: string[] = []
  await createShell({ verbose: true }).run('sh', ['-c', "printf 'pw=hun'; sleep 0.3; printf 'ter22\\nnext'"], { log: (l) => lines.push(l), quiet: true })
  assert.equal(lines, [`pw=${REDACTED}`, 'next'])
})

/** A `kubectl` on PATH that fails with kubectl's kubeconfig-lock message `failures` times, then succeeds. */
function lockedKubectl(failures: number): { env: Record<string, string>; calls: () => number; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-lock-'))
  const counter = join(dir, 'calls')
  writeFileSync(counter, '')
  writeFileSync(
    join(dir, 'kubectl'),
    `#!/bin/sh\necho x >> ${counter}\nn=$(wc -l < ${counter})\nif [ "$n" -le ${failures} ]; then echo "error: open /root/.kube/config.lock: file exists" >&2; exit 1; fi\necho done\n`,
    { mode: 0o755 },
  )
  return {
    env: { PATH: `${dir}:${process.env.PATH}` },
    calls: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

test("kubectl's kubeconfig lock contention is retried briefly: the run goes on", async () => {
  const k = lockedKubectl(2)
  try {
    const r = await createShell({ env: k.env }).run('kubectl', ['config', 'set-context', '--current', '--namespace=x'])
    assert.is(r.stdout.trim(), 'done')
    assert.is(k.calls(), 3)
  } finally {
    k.cleanup()
  }
})

test('kubeconfig lock that stays: one line saying which lock and what to do', async () => {
  const k = lockedKubectl(99)
  try {
    await createShell({ env: k.env }).run('kubectl', ['config', 'set-context', '--current', '--namespace=x'])
    assert.unreachable('should throw')
  } catch (e) {
    assert.instance(e, CommandError)
    assert.match((e as Error).message, /\/root\/\.kube\/config\.lock stayed locked for \d+ tries: another kubectl \(or another run\) is editing the kubeconfig — if none is, delete \/root\/\.kube\/config\.lock$/)
    assert.not.match((e as Error).message, /\n/)
  } finally {
    k.cleanup()
  }
})

test('run: the program itself is spawned, not through bash -c (bash would set SHLVL), argv exactly as given', async () => {
  const r = await createShell().run('sh', ['-c', 'printf "%s|" "${SHLVL-unset}" "$@"', 'sh', 'a b', '$HOME', '*', ';'], { env: { SHLVL: undefined } })
  assert.is(r.stdout, 'unset|a b|$HOME|*|;|')
})

test('run: input to a program that never reads stdin does not crash the run (no EPIPE)', async () => {
  const r = await createShell().run('true', [], { input: 'x'.repeat(1 << 20) })
  assert.is(r.exitCode, 0)
})

test('run: a working directory that does not exist is a CommandError saying so, not "not installed"', async () => {
  try {
    await createShell().run('sh', ['-c', 'true'], { cwd: '/no/such/dir-xyz' })
    assert.unreachable()
  } catch (e) {
    assert.instance(e, CommandError)
    assert.match((e as Error).message, /working directory \/no\/such\/dir-xyz does not exist/)
  }
})

test('findOnPath: an executable file in PATH order; not a plain file, not a directory, not elsewhere', () => {
  const dir = mkdtempSync(join(tmpdir(), 'which-'))
  try {
    const [a, b] = [join(dir, 'a'), join(dir, 'b')]
    mkdirSync(a)
    mkdirSync(b)
    writeFileSync(join(a, 'tool'), 'plain file\n')
    writeFileSync(join(b, 'tool'), '#!/bin/sh\n')
    chmodSync(join(b, 'tool'), 0o755)
    mkdirSync(join(a, 'dirtool'))
    assert.is(findOnPath('tool', `${a}:${b}`), join(b, 'tool'))
    assert.is(findOnPath('dirtool', `${a}:${b}`), undefined)
    assert.is(findOnPath('tool', a), undefined)
    assert.is(findOnPath(join(b, 'tool'), ''), join(b, 'tool'))
    chmodSync(join(a, 'tool'), 0o755)
    assert.is(findOnPath('tool', `${a}:${b}`), join(a, 'tool'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('run: onLine gets every whole line of stdout and stderr (redacted, the last partial one too); log only the echo', async () => {
  registerSecret('s3cr3t')
  const lines: string[] = []
  const logged: string[] = []
  await createShell().run('sh', ['-c', 'echo one; echo two >&2; echo; printf "three s3cr3t"'], { onLine: (l) => lines.push(l), log: (l) => logged.push(l) })
  assert.equal(lines.sort(), ['one', `three ${REDACTED}`, 'two'])
  assert.equal(logged, [`$ sh -c 'echo one; echo two >&2; echo; printf "three ${REDACTED}"'`])
})

test('run: PWD is the working directory the program runs in (as bash set it)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pwd-'))
  try {
    // env(1) prints what it was given (a shell would fix a wrong PWD itself)
    const r = await createShell().run('env', [], { cwd: dir, env: { PWD: '/somewhere/else' } })
    assert.ok(r.stdout.split('\n').includes(`PWD=${dir}`), r.stdout)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
