/** tasks/lib/cli.ts: flags parse or fail in one line (exit 2), --help, choices, and main() turning failures into one line. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { COMMON_FLAGS, formatFailure, isMain, parseCli, runMain, UnexpectedArgumentError, usage, UsageError, type CommandSpec } from '../../../../tasks/lib/cli.ts'
import { clearSecrets, registerSecret, REDACTED } from '../../../../tasks/lib/redact.ts'
import { spec } from '../../../../tasks/lib/task.ts'

const cmd: CommandSpec = spec('tasks/example.ts', 'Do the example thing.', {
  tag: { type: 'string', description: 'image tag', default: '5.0' },
  label: { type: 'string', multiple: true, description: 'a label (repeatable)' },
  yes: { type: 'boolean', description: 'really' },
}, { examples: ['npx tsx tasks/example.ts --tag 2.0'] })

function usageErrorOf(argv: string[]): string {
  try {
    parseCli(cmd, argv)
  } catch (e) {
    assert.instance(e, UsageError)
    assert.not.match((e as Error).message, /\n/)
    return (e as Error).message
  }
  throw new Error(`no UsageError for ${argv.join(' ')}`)
}

const errors: Array<[string[], string]> = [
  [['--bogus'], 'unknown flag --bogus'],
  [['-z'], 'unknown flag -z'],
  [['--provider', 'docker-desktop'], "--provider must be one of minikube, kind, lab, remote (got 'docker-desktop')"],
  [['--tag'], '--tag needs a value'],
  [['--tag', ''], '--tag needs a value'],
  [['stray'], "unexpected argument 'stray'"],
]
for (const [argv, message] of errors) {
  test(`${argv.join(' ')} → UsageError "${message}"`, () => {
    assert.is(usageErrorOf(argv), message)
  })
}

test('a stray argument is its own UsageError, carrying the argument (patch-secret does not echo it back)', () => {
  try {
    parseCli(cmd, ['s3cret', '--yes'])
    assert.unreachable('no error')
  } catch (e) {
    assert.instance(e, UnexpectedArgumentError)
    assert.instance(e, UsageError)
    assert.is((e as UnexpectedArgumentError).argument, 's3cret')
  }
  assert.throws(() => parseCli(cmd, ['--bogus']), (e: unknown) => e instanceof UsageError && !(e instanceof UnexpectedArgumentError))
})

test('defaults fill in, common flags are there, repeatable flags collect', () => {
  const p = parseCli(cmd, ['--label', 'a=b', '--label', 'c=d', '--dry-run', '-v', '--provider', 'lab'])
  assert.is(p.help, false)
  assert.is(p.flags.tag, '5.0')
  assert.equal(p.flags.label, ['a=b', 'c=d'])
  assert.is(p.flags['dry-run'], true)
  assert.is(p.flags.verbose, true)
  assert.is(p.flags.provider, 'lab')
})

test('--help and -h win over everything else', () => {
  assert.is(parseCli(cmd, ['--help']).help, true)
  assert.is(parseCli(cmd, ['-h', '--provider', 'nonsense']).help, true)
})

test('usage lists every flag with its description, choices, default, and the examples', () => {
  const u = usage(cmd)
  assert.match(u, /^Usage: npx tsx tasks\/example\.ts \[flags\]/)
  assert.match(u, /Do the example thing\./)
  assert.match(u, /--tag <value>\s+image tag \(default: 5\.0\)/)
  assert.match(u, /--provider <value>.*one of: minikube, kind, lab, remote/)
  for (const name of Object.keys(COMMON_FLAGS)) assert.match(u, new RegExp(`--${name}`))
  assert.match(u, /Examples:\n {2}npx tsx tasks\/example\.ts --tag 2\.0/)
})

test('formatFailure strips "Error: " and masks secrets', () => {
  clearSecrets()
  registerSecret('hunter22')
  assert.is(formatFailure(new Error('Error: login with hunter22 failed')), `login with ${REDACTED} failed`)
  assert.is(formatFailure('plain string'), 'plain string')
  clearSecrets()
})

async function capture(fn: () => Promise<void>): Promise<{ stderr: string; code: number | string | undefined }> {
  const write = process.stderr.write.bind(process.stderr)
  let stderr = ''
  process.stderr.write = ((chunk: string) => {
    stderr += chunk
    return true
  }) as typeof process.stderr.write
  const before = process.exitCode
  try {
    await fn()
    return { stderr, code: process.exitCode }
  } finally {
    process.stderr.write = write
    process.exitCode = before
  }
}

test('runMain: a UsageError is one stderr line and exit 2', async () => {
  const r = await capture(() => runMain(cmd, async () => { throw new UsageError('unknown flag --bogus') }))
  assert.is(r.stderr, 'tasks/example.ts: unknown flag --bogus (see --help)\n')
  assert.is(r.code, 2)
})

test('runMain: any other failure is one line (no stack) and exit 1', async () => {
  const r = await capture(() => runMain(cmd, async () => { throw new Error('minikube is not installed — install it\n  at some detail') }))
  assert.is(r.stderr, 'error: minikube is not installed — install it\n')
  assert.is(r.code, 1)
})

test('runMain: a returned number is the exit code', async () => {
  const r = await capture(() => runMain(cmd, async () => 3))
  assert.is(r.code, 3)
  assert.is(r.stderr, '')
})

test('isMain matches the entry file with or without .ts', () => {
  const argv1 = process.argv[1]!
  try {
    process.argv[1] = '/repo/tasks/up.ts'
    assert.ok(isMain('file:///repo/tasks/up.ts'))
    process.argv[1] = '/repo/tasks/up'
    assert.ok(isMain('file:///repo/tasks/up.ts'))
    assert.not.ok(isMain('file:///repo/tasks/apply.ts'))
  } finally {
    process.argv[1] = argv1
  }
})

test.run()
