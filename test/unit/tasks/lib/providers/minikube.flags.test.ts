/**
 * --profile and --driver (and $MINIKUBE_PROFILE) from the command line to the minikube provider: prepare() (the
 * shared front of every task) under --dry-run, and up, start-cluster and teardown run as a learner runs them.
 * Bad values are one line and exit 2, before anything is run.
 */
import { spawn } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../../../../../tasks/lib/cli.ts'
import { ROOT } from '../../../../../tasks/lib/tutorial.ts'
import { MINIKUBE_FLAGS } from '../../../../../tasks/lib/providers/minikube.ts'
import { spec } from '../../../../../tasks/lib/task.ts'
import { command, type Guard, type Run } from '../../../../../tasks/lib/command.ts'
import type { CommandSpec } from '../../../../../tasks/lib/cli.ts'
import type { Ctx } from '../../../../../tasks/lib/run.ts'

/** What a command gets once its flags are checked and its guard passed (undefined for --help): command() with a report that keeps it. */
async function prepare(cmd: CommandSpec, argv: string[], guard: Guard): Promise<Run<Record<string, never>, Ctx> | undefined> {
  let got: Run<Record<string, never>, Ctx> | undefined
  await command({ spec: cmd, guard, run: async (r) => void (got = r) }).run(argv)
  return got
}


const upLike = spec('tasks/up-like.ts', 'test', { ...MINIKUBE_FLAGS })
const opts = { mutates: false, noPing: true }

async function usageError(argv: string[]): Promise<string> {
  try {
    await prepare(upLike, argv, opts)
  } catch (e) {
    assert.instance(e, UsageError)
    return (e as Error).message
  }
  throw new Error(`prepare(${argv.join(' ')}) did not refuse`)
}

test('--profile and --driver reach minikube start; the context is the profile; either implies --provider minikube', async () => {
  const p = await prepare(upLike, ['--profile', 'learn', '--driver', 'docker', '--dry-run'], opts)
  assert.ok(p)
  assert.is(p.deps.provider.name, 'minikube')
  assert.equal(p.deps.provider.target(), { context: 'learn' })
  assert.equal(p.deps.provider.startCommands(), [['minikube', 'start', '-p', 'learn', '--driver', 'docker']])
})

test('MINIKUBE_PROFILE is the profile when --profile is not given; --profile wins over it', async () => {
  const saved = process.env.MINIKUBE_PROFILE
  process.env.MINIKUBE_PROFILE = 'from-env'
  try {
    const p = await prepare(upLike, ['--provider', 'minikube', '--dry-run'], opts)
    assert.equal(p!.deps.provider.target(), { context: 'from-env' })
    const q = await prepare(upLike, ['--provider', 'minikube', '--profile', 'learn', '--dry-run'], opts)
    assert.equal(q!.deps.provider.target(), { context: 'learn' })
  } finally {
    if (saved === undefined) delete process.env.MINIKUBE_PROFILE
    else process.env.MINIKUBE_PROFILE = saved
  }
})

test('bad values are usage errors: a profile minikube would refuse, an unknown driver, minikube flags on another provider', async () => {
  assert.match(await usageError(['--profile', 'x', '--dry-run']), /^--profile 'x' is not a valid minikube profile name/)
  assert.match(await usageError(['--profile', 'my_profile', '--dry-run']), /^--profile 'my_profile' is not a valid minikube profile name/)
  assert.match(await usageError(['--driver', 'docker-desktop', '--dry-run']), /^--driver must be one of docker, podman, /)
  assert.is(await usageError(['--provider', 'kind', '--profile', 'learn', '--dry-run']), '--profile is for the minikube provider, not kind')
  assert.is(await usageError(['--provider', 'lab', '--profile', 'learn', '--driver', 'kvm2', '--dry-run']), '--profile and --driver are for the minikube provider, not lab')
})

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', ...args], { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

for (const file of ['tasks/up.ts', 'tasks/start-cluster.ts', 'tasks/teardown.ts']) {
  test(`${file}: --profile is on its command line (a bad one: exit 2, one line); --help lists --profile and --driver`, async () => {
    const bad = await run([file, '--profile', 'x'])
    assert.is(bad.code, 2, bad.stderr)
    assert.equal(bad.stderr.trim().split('\n'), [`${file}: --profile 'x' is not a valid minikube profile name (letters, digits, '-' and '.', at least 2 characters) (see --help)`])
    const help = await run([file, '--help'])
    assert.match(help.stdout, /--profile <value>/)
    assert.match(help.stdout, /--driver <value>/)
  })
}

test.run()
