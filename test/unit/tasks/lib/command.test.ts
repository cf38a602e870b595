/**
 * command(): flags checked before anything is looked at, --help, an answer that needs no cluster, and the guard as the
 * list's first rendered step (refused → no later step runs, no request sent; --dry-run → no guard). The network is a
 * recorded ping, the cluster a kubeconfig file in a temp dir.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from '../../../../tasks/lib/cli.ts'
import { command, guardParts } from '../../../../tasks/lib/command.ts'
import { Kube } from '../../../../tasks/lib/kube.ts'
import { spec, type Step } from '../../../../tasks/lib/task.ts'

/** Runs fn with KUBECONFIG at a one-context file (server as given) and ping recorded, never sent; stdout captured. */
async function onCluster(context: string, server: string, fn: (seen: string[], out: () => string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'command-test-'))
  const keys = ['KUBECONFIG', 'KIND_CLUSTER_NAME', 'LEARN_K8S_ALLOW_CONTEXTS']
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]))
  const ping = Kube.prototype.ping
  const write = process.stdout.write.bind(process.stdout)
  const seen: string[] = []
  let out = ''
  Kube.prototype.ping = async function (this: Kube) {
    seen.push(`ping ${this.contextName}`)
    return 'v1.34.4'
  }
  try {
    for (const k of keys) delete process.env[k]
    const file = join(dir, 'kubeconfig')
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: c, cluster: {server: "${server}"}}]`,
        'users: [{name: u, user: {token: not-a-real-token}}]',
        `contexts: [{name: ${context}, context: {cluster: c, user: u}}]`,
        `current-context: ${context}`,
      ].join('\n'),
    )
    process.env.KUBECONFIG = file
    process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write
    await fn(seen, () => out)
  } finally {
    process.stdout.write = write
    Kube.prototype.ping = ping
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

const PROD = ['prod-eu', 'https://10.255.255.1:6443'] as const
const LOCAL = ['kind-dev', 'https://127.0.0.1:40001'] as const
const cmd = spec('tasks/x.ts', 'test', { file: { type: 'string', description: 'a file' }, yes: { type: 'boolean', description: 'confirm' } })

/** A step that records that it ran. */
const recorder = (seen: string[], name: string): Step => ({ title: name, task: async () => void seen.push(name) })

test('--help: the usage, exit 0; no options read, no steps built', () =>
  onCluster(...PROD, async (seen, out) => {
    const c = command({ spec: cmd, options: () => (seen.push('options'), {}), guard: { mutates: true }, steps: () => (seen.push('steps'), []) })
    assert.is(await c.run(['--help']), 0)
    assert.match(out(), /^Usage: npx tsx tasks\/x\.ts \[flags\]/)
    assert.equal(seen, [])
  }))

test('a bad flag, or options refusing one, is a UsageError before the provider, the guard or any step', () =>
  onCluster(...PROD, async (seen) => {
    const c = command({
      spec: cmd,
      options: ({ flags }) => {
        if (flags.file === 'bad') throw new UsageError('--file: bad')
        return {}
      },
      guard: { mutates: true },
      steps: () => [recorder(seen, 'step')],
    })
    await c.run(['--bogus']).then(() => assert.unreachable(), (e: Error) => assert.equal([e.name, e.message], ['UsageError', 'unknown flag --bogus']))
    await c.run(['--file', 'bad']).then(() => assert.unreachable(), (e: Error) => assert.equal([e.name, e.message], ['UsageError', '--file: bad']))
    assert.equal(seen, [])
  }))

test('unexpectedArgument: a stray argument gets the command\'s own line, never echoed back', async () => {
  const c = command({ spec: cmd, unexpectedArgument: 'takes no arguments', guard: false, steps: () => [] })
  await c.run(['hunter2']).then(
    () => assert.unreachable(),
    (e: Error) => {
      assert.is(e.message, 'takes no arguments')
      assert.not.match(e.message, /hunter2/)
    },
  )
})

test('answer: printed, exit 0, and nothing else happens (no provider, no guard, no step)', () =>
  onCluster(...PROD, async (seen, out) => {
    const c = command({ spec: cmd, options: () => ({ n: 6 }), answer: ({ n }) => `lesson ${n}`, guard: { mutates: true }, steps: () => [recorder(seen, 'step')] })
    assert.is(await c.run([]), 0)
    assert.is(out(), 'lesson 6\n')
    assert.equal(seen, [])
  }))

test('guard false: the steps run on this machine with the ctx given; after printed; finally runs even on failure', async () => {
  const seen: string[] = []
  const c = command<{ purge: boolean }, { dryRun: boolean; verbose: boolean; purge: boolean }>({
    spec: cmd,
    guard: false,
    options: ({ flags }) => ({ purge: flags.file === 'purge' }),
    ctx: ({ purge }) => ({ purge }),
    steps: ({ deps }) => {
      assert.throws(() => deps.kube, /acts on this machine/)
      return [{ title: 'one', task: async (c) => void seen.push(`purge=${c.purge}`) }, { title: 'two', task: async () => { throw new Error('two failed') } }]
    },
    finally: () => seen.push('finally'),
    after: () => (seen.push('after'), undefined),
  })
  await c.run(['--file', 'purge']).then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'two failed'))
  assert.equal(seen, ['purge=true', 'finally'])
})

test('a mutating command on a context that is not local: refused before the list starts (one line, no step frame), no step runs, no request sent', () =>
  onCluster(...PROD, async (seen) => {
    const c = command({ spec: cmd, guard: { mutates: true, destructive: true }, steps: () => [recorder(seen, 'step')] })
    await c.run([]).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /^refusing to change context 'prod-eu'/))
    assert.equal(seen, [])
  }))

test('the guard is the list\'s first step (context named), then the steps; the steps are built before it runs (a bad --file fails with no request)', () =>
  onCluster(...LOCAL, async (seen, out) => {
    const c = command({
      spec: cmd,
      guard: { mutates: true, destructive: true },
      steps: ({ parsed }) => {
        if (parsed.flags.file === 'missing') throw new UsageError('--file missing: no such file')
        return [recorder(seen, 'step')]
      },
      after: () => 'done\n',
    })
    await c.run(['--file', 'missing']).then(() => assert.unreachable(), (e: Error) => assert.instance(e, UsageError))
    assert.equal(seen, [])
    assert.is(await c.run([]), undefined)
    assert.equal(seen, ['ping kind-dev', 'step'])
    assert.match(out(), /Check the cluster: context kind-dev may be changed, kind-dev answers\n[\s\S]*step[\s\S]*done\n$/)
  }))

test('--dry-run: no guard step, no ping; the steps run (they only echo)', () =>
  onCluster(...PROD, async (seen, out) => {
    const c = command({ spec: cmd, guard: { mutates: true, destructive: true }, steps: ({ ctx }) => [recorder(seen, `step dry=${ctx.dryRun}`)] })
    await c.run(['--dry-run'])
    assert.equal(seen, ['step dry=true'])
    assert.not.match(out(), /Check the cluster/)
  }))

test('run (a report): the guard inline, then the report; its number is the exit code', () =>
  onCluster(...LOCAL, async (seen) => {
    const c = command({ spec: cmd, guard: { mutates: false }, run: async ({ deps }) => (seen.push(`report on ${deps.context}`), 3) })
    assert.is(await c.run([]), 3)
    assert.equal(seen, ['ping kind-dev', 'report on kind-dev'])
  }))

test('report(options) picks the report or the list', () =>
  onCluster(...LOCAL, async (seen) => {
    const c = command({ spec: cmd, options: ({ flags }) => ({ check: !!flags.yes }), report: (o) => o.check, guard: { mutates: false, noPing: true }, run: async () => (seen.push('report'), 1), steps: () => [recorder(seen, 'step')] })
    assert.is(await c.run(['--yes']), 1)
    assert.is(await c.run([]), undefined)
    assert.equal(seen, ['report', 'step'])
  }))

test('mayStart: a cluster not running yet is neither guarded nor pinged; a running one is guarded, then pinged', () =>
  onCluster(...LOCAL, async (seen, out) => {
    let running = false
    const c = command({ spec: cmd, guard: { mutates: true, mayStart: async () => (seen.push('status'), { running }) }, steps: () => [recorder(seen, 'step')] })
    await c.run([])
    assert.equal(seen, ['status', 'step'])
    assert.match(out(), /Check the tools and the cluster: tools there, the cluster is not running yet \(started below\)\n/)
    seen.length = 0
    running = true
    await c.run([])
    assert.equal(seen, ['status', 'ping kind-dev', 'step'])
    assert.match(out(), /Check the tools and the cluster: tools there, context kind-dev may be changed, it answers\n/)
  }))

test('mayStart on a remote context: the guard decides before the status request', () =>
  onCluster(...PROD, async (seen) => {
    const c = command({ spec: cmd, guard: { mutates: true, mayStart: async () => (seen.push('status'), { running: true }) }, steps: () => [recorder(seen, 'step')] })
    await c.run([]).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /^refusing to change context 'prod-eu'/))
    assert.equal(seen, [])
  }))

test('guardParts: what the guard step says it does; nothing to do → no step', () => {
  assert.equal(guardParts({ mutates: true, lock: true }), ['context guard', 'run lock', 'reachable'])
  assert.equal(guardParts({ mutates: false, noPing: true, lock: true }), ['run lock'])
  assert.equal(guardParts({ mutates: false, noPing: true }), [])
  assert.equal(guardParts({ mutates: true, mayStart: async () => ({ running: true }) }), ['tools', 'context guard', 'reachable'])
})

test('a command with nothing to guard renders no guard step', () =>
  onCluster(...PROD, async (seen, out) => {
    await command({ spec: cmd, guard: { mutates: false, noPing: true }, steps: () => [recorder(seen, 'step')] }).run([])
    assert.equal(seen, ['step'])
    assert.not.match(out(), /Check the cluster/)
  }))

test.run()
