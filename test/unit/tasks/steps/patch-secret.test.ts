/** tasks/steps/patch-secret.ts: the value never reaches argv or the echo, strict base64, the 0600 patch file, skip, restart. */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError, type ParsedFlags } from '../../../../tasks/lib/cli.ts'
import { KubeError, TimeoutError, type V1Pod } from '../../../../tasks/lib/kube.ts'
import { clearSecrets, redact } from '../../../../tasks/lib/redact.ts'
import { isStrictBase64, parsePatchFlags, patchSecret, readSecretValue, restartApp, secretPatch, type ValueIO } from '../../../../tasks/steps/patch-secret.ts'
import { evalSkip, fakeDeps, fakeKube, fakeShell, runStep, testCtx, type Call } from '../../fakes.ts'

const VALUE = 's3cret-pw'
const B64 = Buffer.from(VALUE).toString('base64') // czNjcmV0LXB3

const io = (o: Partial<ValueIO> = {}): ValueIO => ({ stdin: async () => '', env: {}, readFile: async () => '', ...o })
const secret = (data: Record<string, string> | undefined) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'database-secrets', namespace: 'hellogopher' }, data })

async function rejects(p: Promise<unknown>, check: (e: Error) => void): Promise<void> {
  try {
    await p
  } catch (e) {
    check(e as Error)
    return
  }
  assert.unreachable('expected a rejection')
}

// ── base64 ───────────────────────────────────────────────────────────────────
const b64Cases: Array<[string, boolean]> = [
  ['cGFzc3dvcmQ=', true],
  ['cGFzc3dvcmQx', true],
  ['cGFzcw==', true],
  ['YQ==', true],
  ['+/+/', true],
  ['', false],
  ['cGFzc3dvcmQ', false], // missing padding
  ['cGFzc3dvcmQ==', false], // too much padding
  ['cGFz c3dvcmQ=', false], // inner space
  ['cGFzc3dvcmQ=\n', false], // trailing newline is not base64 (the reader drops it before)
  ['cGFzc3dvcmQ-', false], // url-safe alphabet
  ['YR==', false], // non-canonical padding bits
  ['=YQ=', false],
  ['password', true], // 8 letters of the alphabet is valid base64 — decoding it is the user's business
  ['pass-word', false],
]
for (const [s, ok] of b64Cases) {
  test(`isStrictBase64(${JSON.stringify(s)}) → ${ok}`, () => {
    assert.is(isStrictBase64(s), ok)
  })
}

// ── flags ────────────────────────────────────────────────────────────────────
const flagCases: Array<[string, ParsedFlags, RegExp | Record<string, unknown>]> = [
  ['stdin, defaults', { 'from-stdin': true }, { key: 'DATABASE_PASSWORD', source: { stdin: true }, base64: false, restart: false, wait: true, timeoutMs: 120_000 }],
  ['env + base64 + restart', { 'from-env': 'DB_PW', base64: true, restart: true }, { key: 'DATABASE_PASSWORD', source: { env: 'DB_PW' }, base64: true, restart: true, wait: true, timeoutMs: 120_000 }],
  ['file + key + no-wait', { 'from-file': '/run/pw', key: 'OTHER.key', restart: true, 'no-wait': true, timeout: '10' }, { key: 'OTHER.key', source: { file: '/run/pw' }, base64: false, restart: true, wait: false, timeoutMs: 10_000 }],
  ['no source', {}, /--from-stdin, --from-env VAR or --from-file PATH \(never on the command line\)/],
  ['two sources', { 'from-stdin': true, 'from-env': 'X' }, /exactly one of/],
  ['bad env name (a value typed by mistake is not echoed)', { 'from-env': 'my pa$$' }, /^--from-env takes the NAME of an environment variable \(letters, digits, _\), not the value$/],
  ['bad key', { 'from-stdin': true, key: 'a/b' }, /--key 'a\/b' is not a valid Secret key/],
  ['--no-wait without --restart', { 'from-stdin': true, 'no-wait': true }, /--no-wait only applies with --restart/],
]
for (const [name, f, want] of flagCases) {
  test(`parsePatchFlags: ${name}`, () => {
    if (want instanceof RegExp) assert.throws(() => parsePatchFlags(f), (e: Error) => e instanceof UsageError && want.test(e.message))
    else assert.equal(parsePatchFlags(f), want)
  })
}

// ── reading the value ────────────────────────────────────────────────────────
test('stdin: one trailing newline dropped, value registered as a secret at once', async () => {
  clearSecrets()
  assert.is(await readSecretValue({ source: { stdin: true }, base64: false }, io({ stdin: async () => `${VALUE}\n` })), B64)
  assert.is(redact(`x ${VALUE} y ${B64}`), 'x •••••• y ••••••')
  // only one newline: the second is part of the value
  assert.is(await readSecretValue({ source: { stdin: true }, base64: false }, io({ stdin: async () => 'ab c\n\n' })), Buffer.from('ab c\n').toString('base64'))
  assert.is(await readSecretValue({ source: { stdin: true }, base64: false }, io({ stdin: async () => 'pw\r\n' })), Buffer.from('pw').toString('base64'))
})

test('env and file sources', async () => {
  assert.is(await readSecretValue({ source: { env: 'PW' }, base64: false }, io({ env: { PW: VALUE } })), B64)
  const dir = mkdtempSync(join(tmpdir(), 'pw-'))
  writeFileSync(join(dir, 'pw'), `${VALUE}\n`)
  try {
    assert.is(await readSecretValue({ source: { file: join(dir, 'pw') }, base64: false }), B64)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('--base64: a valid value passes through unchanged, and its decoded form is masked too', async () => {
  clearSecrets()
  assert.is(await readSecretValue({ source: { stdin: true }, base64: true }, io({ stdin: async () => 'cGFzc3dvcmQ=\n' })), 'cGFzc3dvcmQ=')
  assert.is(redact('password cGFzc3dvcmQ='), '•••••• ••••••')
})

test('--base64: bad base64 is a one-line UsageError that does not quote the value', async () => {
  await rejects(readSecretValue({ source: { stdin: true }, base64: true }, io({ stdin: async () => 'not base64!\n' })), (e) => {
    assert.instance(e, UsageError)
    assert.match(e.message, /^--base64: the value is not valid base64 .* nothing was sent$/)
    assert.not.match(e.message, 'not base64!')
    assert.not.match(e.message, '\n')
  })
})

const badSources: Array<[string, Parameters<typeof readSecretValue>[0], ValueIO, RegExp]> = [
  ['unset env', { source: { env: 'NOPE' }, base64: false }, io(), /^the variable named by --from-env is not set/],
  ['unreadable file', { source: { file: '/nonexistent/pw' }, base64: false }, io({ readFile: async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOENT' })) }), /cannot read --from-file \/nonexistent\/pw: ENOENT/],
  ['empty stdin', { source: { stdin: true }, base64: false }, io({ stdin: async () => '\n' }), /the new value is empty/],
  ['empty env', { source: { env: 'E' }, base64: false }, io({ env: { E: '' } }), /the new value is empty/],
]
for (const [name, flags, i, want] of badSources) {
  test(`readSecretValue: ${name} → UsageError`, async () => {
    await rejects(readSecretValue(flags, i), (e) => {
      assert.instance(e, UsageError)
      assert.match(e.message, want)
    })
  })
}

test('--from-env hunter2 (the value typed where the name goes): the error never says hunter2', async () => {
  const f = parsePatchFlags({ 'from-env': 'hunter2' })
  await rejects(readSecretValue(f, io({ env: {} })), (e) => {
    assert.instance(e, UsageError)
    assert.not.match(e.message, 'hunter2')
  })
  assert.throws(() => parsePatchFlags({ 'from-env': 'hunter 2' }), (e: Error) => !e.message.includes('hunter'))
})

test('secretPatch: the JSON patch the tutorial types', () => {
  assert.is(secretPatch('DATABASE_PASSWORD', 'cGFzc3dvcmQ='), '[{"op":"replace","path":"/data/DATABASE_PASSWORD","value":"cGFzc3dvcmQ="}]')
  assert.is(secretPatch('K', 'YQ==', 'add'), '[{"op":"add","path":"/data/K","value":"YQ=="}]')
})

// ── skip ─────────────────────────────────────────────────────────────────────
const skipCases: Array<[string, ReturnType<typeof secret> | undefined, string | false]> = [
  ['already has that value', secret({ DATABASE_PASSWORD: B64 }), 'secret/database-secrets already has that value for DATABASE_PASSWORD'],
  ['another value', secret({ DATABASE_PASSWORD: 'cGFzc3dvcmQ=' }), false],
  ['key missing', secret({ OTHER: B64 }), false],
  ['no data', secret(undefined), false],
  ['no Secret (the task says so)', undefined, false],
]
for (const [name, s, want] of skipCases) {
  test(`skip: ${name}`, async () => {
    const kube = fakeKube({ read: async () => s })
    assert.is(await evalSkip(patchSecret(fakeDeps({ kube }), { key: 'DATABASE_PASSWORD', b64: B64 }), testCtx()), want)
    assert.equal(kube.calls[0]!.args[0], { apiVersion: 'v1', kind: 'Secret', name: 'database-secrets', namespace: 'hellogopher' })
  })
}

// ── task ─────────────────────────────────────────────────────────────────────
interface Seen {
  path: string
  mode: number
  dirMode: number
  content: string
}
function recordingShell(dryRun = false) {
  const seen: Seen[] = []
  const sh = fakeShell({
    dryRun,
    reply: (c: Call) => {
      const i = c.args.indexOf('--patch-file')
      if (i >= 0) {
        const path = c.args[i + 1]!
        seen.push({ path, mode: statSync(path).mode & 0o777, dirMode: statSync(dirname(path)).mode & 0o777, content: readFileSync(path, 'utf8') })
      }
      return { stdout: 'secret/database-secrets patched\n' }
    },
  })
  return { sh, seen }
}

function assertNoValueAnywhere(calls: Call[], lines: string[]): void {
  for (const c of calls) {
    for (const a of c.args) {
      assert.not.ok(a.includes(VALUE) || a.includes(B64), `argv carries the value: ${a}`)
    }
    assert.is(c.opts.input, undefined)
  }
  for (const l of lines) assert.not.ok(l.includes(VALUE) || l.includes(B64), `echoed: ${l}`)
}

test('task: kubectl patch --type=json --patch-file <0600 file>; value only in the file; file gone afterwards', async () => {
  clearSecrets()
  const { sh, seen } = recordingShell()
  const kube = fakeKube({ read: async () => secret({ DATABASE_PASSWORD: 'cGFzc3dvcmQ=' }) })
  const deps = fakeDeps({ sh, kube })
  const t = await runStep(patchSecret(deps, { key: 'DATABASE_PASSWORD', b64: B64 }), testCtx())
  assert.is(seen.length, 1)
  const { path, mode, dirMode, content } = seen[0]!
  assert.equal(sh.commands(), [`kubectl patch secret database-secrets -n hellogopher --type=json --patch-file ${path}`])
  assert.is(mode, 0o600)
  assert.is(dirMode, 0o700)
  assert.equal(JSON.parse(content), [{ op: 'replace', path: '/data/DATABASE_PASSWORD', value: B64 }])
  assert.not.ok(existsSync(path), 'patch file removed')
  assert.not.ok(existsSync(dirname(path)), 'its folder removed')
  assertNoValueAnywhere(sh.calls, [...sh.echoed, ...t.outputs])
})

test('task: the file is removed when kubectl fails too', async () => {
  const paths: string[] = []
  const sh = fakeShell({
    reply: (c) => {
      paths.push(c.args[c.args.indexOf('--patch-file') + 1]!)
      return { exitCode: 1, stderr: 'Error from server (Forbidden): secrets "database-secrets" is forbidden' }
    },
  })
  const deps = fakeDeps({ sh, kube: fakeKube({ read: async () => secret({ DATABASE_PASSWORD: 'x' }) }) })
  await rejects(runStep(patchSecret(deps, { key: 'DATABASE_PASSWORD', b64: B64 }), testCtx()), (e) => {
    assert.match(e.message, /^`kubectl patch secret database-secrets -n hellogopher --type=json --patch-file \S+` failed \(exit 1\): Error from server \(Forbidden\)/)
    assert.not.match(e.message, B64)
  })
  assert.not.ok(existsSync(paths[0]!))
})

test('task: a key that is not in the Secret yet is added (JSON-patch replace needs it to exist)', async () => {
  const { sh, seen } = recordingShell()
  const deps = fakeDeps({ sh, kube: fakeKube({ read: async () => secret({ OTHER: 'eA==' }) }) })
  await runStep(patchSecret(deps, { key: 'DATABASE_PASSWORD', b64: B64 }), testCtx())
  assert.equal(JSON.parse(seen[0]!.content), [{ op: 'add', path: '/data/DATABASE_PASSWORD', value: B64 }])
})

test('task: no Secret → says to apply the manifests; nothing sent', async () => {
  const deps = fakeDeps({ kube: fakeKube({ read: async () => undefined }) })
  await rejects(runStep(patchSecret(deps, { key: 'DATABASE_PASSWORD', b64: B64 }), testCtx()), (e) => {
    assert.is(e.message, 'secret/database-secrets does not exist in namespace hellogopher — apply the manifests first: npx tsx tasks/apply.ts')
  })
  assert.equal(deps.sh.calls, [])
})

test('task: --dry-run echoes the command (file path, never the value), reads nothing, leaves no file', async () => {
  clearSecrets()
  const { sh } = recordingShell(true)
  const deps = fakeDeps({ sh })
  const t = await runStep(patchSecret(deps, { key: 'DATABASE_PASSWORD', b64: B64 }), testCtx({ dryRun: true }))
  const line = sh.commands()[0]!
  assert.match(line, /^kubectl patch secret database-secrets -n hellogopher --type=json --patch-file \S+\/patch\.json$/)
  assert.not.ok(existsSync(line.split(' ').pop()!))
  assertNoValueAnywhere(sh.calls, [...sh.echoed, ...t.outputs])
})

test('task: --dry-run never writes the patch file, not even for a moment', async () => {
  const { sh } = recordingShell(true)
  const existed: boolean[] = []
  const run = sh.run.bind(sh)
  sh.run = async (bin, args, opts) => {
    existed.push(existsSync(args[args.length - 1]!))
    return run(bin, args, opts)
  }
  await runStep(patchSecret(fakeDeps({ sh }), { key: 'DATABASE_PASSWORD', b64: B64 }), testCtx({ dryRun: true }))
  assert.equal(existed, [false])
})

// ── restart ──────────────────────────────────────────────────────────────────
test('restart: kubectl rollout restart, then waits for the rollout', async () => {
  const waits: unknown[] = []
  const kube = fakeKube({ waitForRollout: async (ns: string, name: string, o: { timeoutMs: number }) => (waits.push([ns, name, o.timeoutMs]), {}) })
  const deps = fakeDeps({ kube })
  const t = await runStep(restartApp(deps, { wait: true, timeoutMs: 90_000 }), testCtx())
  assert.equal(deps.sh.commands(), ['kubectl rollout restart deployment/hellogopher -n hellogopher'])
  assert.equal(waits, [['hellogopher', 'hellogopher', 90_000]])
  assert.is(t.title, 'deployment/hellogopher restarted and rolled out with the new Secret')
})

test('restart --no-wait: returns right after the restart command, reads nothing', async () => {
  const deps = fakeDeps()
  const t = await runStep(restartApp(deps, { wait: false }), testCtx())
  assert.equal(deps.sh.commands(), ['kubectl rollout restart deployment/hellogopher -n hellogopher'])
  assert.ok(t.outputs.some((l) => l.includes('not waiting (--no-wait)')))
})

test('restart with a wrong password: the wait fails naming the crash-looping pod, its last event and log line', async () => {
  const crashing: V1Pod = {
    metadata: { name: 'hellogopher-new', creationTimestamp: new Date('2025-01-01T00:05:00Z') },
    spec: { containers: [{ name: 'hellogopher' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'hellogopher', image: '', imageID: '', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
    },
  }
  const kube = fakeKube({
    waitForRollout: async () => {
      throw new TimeoutError(120, 'deployment/hellogopher to roll out', '0 of 1 updated replicas available')
    },
    getDeployment: async () => ({ spec: { selector: { matchLabels: { app: 'hellogopher' } }, template: {} } }),
    listPods: async () => [crashing],
    eventsFor: async () => [{ metadata: {}, involvedObject: {}, reason: 'BackOff', message: 'Back-off restarting failed container hellogopher in pod hellogopher-new_hellogopher(1234)' }],
    podLog: async () =>
      'starting hellogopher 5.0\ncannot connect to database at 10.96.0.12:3306: Error 1045 (28000): Access denied for user \'root\'@\'10.244.0.7\' (using password: YES)\n',
  })
  await rejects(runStep(restartApp(fakeDeps({ kube }), { wait: true }), testCtx()), (e) => {
    assert.is(
      e.message,
      "deployment/hellogopher did not finish rolling out within 120s (0 of 1 updated replicas available); newest pod/hellogopher-new Running 0/1 ready, 4 restarts, CrashLoopBackOff; last event: BackOff Back-off restarting failed container hellogopher in pod hellogopher-new_hellogopher(1234); last log: cannot connect to database at 10.96.0.12:3306: Error 1045 (28000): Access denied for user 'root'@'10.244.0.7' (using password: YES) — the new pod does not start; with a wrong DATABASE_PASSWORD the app cannot connect to MySQL (lesson 13) — patch the right value back with --restart",
    )
  })
  // the crashed instance's log is the one before the restart
  assert.equal(kube.calls.filter((c) => c.method === 'podLog').map((c) => c.args), [['hellogopher', 'hellogopher-new', { container: 'hellogopher', previous: true, tailLines: 20, what: 'read logs of pod/hellogopher-new' }]])
})

test('restart: an unreadable log does not hide the rollout failure', async () => {
  const kube = fakeKube({
    waitForRollout: async () => {
      throw new TimeoutError(5, 'deployment/hellogopher to roll out', '0 of 1 updated replicas available')
    },
    getDeployment: async () => undefined,
    listPods: async () => [{ metadata: { name: 'p' }, status: { phase: 'Pending' } }],
    eventsFor: async () => [],
    podLog: async () => {
      throw new KubeError('read logs of pod/p: HTTP 400 container "hellogopher" in pod "p" is waiting to start: ContainerCreating')
    },
  })
  await rejects(runStep(restartApp(fakeDeps({ kube }), { wait: true, timeoutMs: 5000 }), testCtx()), (e) => {
    assert.match(e.message, /^deployment\/hellogopher did not finish rolling out within 5s \(0 of 1 updated replicas available\); newest pod\/p Pending 0\/0 ready, 0 restarts; log unavailable \(read logs of pod\/p: HTTP 400/)
  })
})

test.run()
