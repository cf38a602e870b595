/**
 * Shared test doubles for task factories: a Shell that records every command and returns scripted
 * results, a kube stand-in built from the methods a test scripts (or a real Kube over scripted API calls), a Provider,
 * and a listr task wrapper that keeps every output line. Only ADD exports here (several test files share it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { Kube, loadClientNode, type KubeApis } from '../../tasks/lib/kube.ts'
import type { RestCall } from '../../tasks/lib/kube-rest.ts'
import { directEndpoint, type Provider } from '../../tasks/lib/providers/types.ts'
import { CommandError, formatCommand, type Background, type RunOpts, type RunResult, type Shell, type StartOpts } from '../../tasks/lib/shell.ts'
import type { Step, TaskApi } from '../../tasks/lib/task.ts'
import { defaultCtx, type Ctx, type Deps } from '../../tasks/lib/run.ts'

// the generated APIs (kube.core, .apps, .kc) are read synchronously below: client-node loaded once, up front
await loadClientNode()

export interface Call {
  bin: string
  args: string[]
  opts: RunOpts
  /** `bin args…` joined by single spaces (for exact-command asserts). */
  line: string
}

/** What a scripted command returns; an Error is thrown as is. */
export type Reply = Partial<RunResult> | Error | undefined

export interface FakeShell extends Shell {
  calls: Call[]
  /** Every echoed line (`$ kubectl …`), as the real shell would write it to opts.log. */
  echoed: string[]
  /** Just the command lines of calls that were not quiet reads. */
  commands(): string[]
}

export interface FakeShellOptions {
  dryRun?: boolean
  /** Programs `which` finds. */
  installed?: string[]
  /** Scripted replies: first matching rule wins; default `{ exitCode: 0, stdout: '' }`. */
  reply?: (call: Call) => Reply | Promise<Reply>
  /** Background programs (Shell.start); without it a start fails the test. Recorded in calls too. */
  start?: (call: Call) => Background
}

/** A Shell that records calls, echoes like the real one (redacted), and honours dry-run the same way. */
export function fakeShell(o: FakeShellOptions = {}): FakeShell {
  const calls: Call[] = []
  const echoed: string[] = []
  return {
    dryRun: !!o.dryRun,
    calls,
    echoed,
    commands: () => calls.filter((c) => !c.opts.quiet).map((c) => c.line),
    async which(bin) {
      return o.installed?.includes(bin) ? `/usr/bin/${bin}` : undefined
    },
    start(bin: string, args: string[], opts: StartOpts = {}) {
      const call: Call = { bin, args: [...args], opts, line: [bin, ...args].join(' ') }
      calls.push(call)
      if (!opts.quiet) {
        echoed.push(`$ ${formatCommand(bin, args)}`)
        opts.log?.(`$ ${formatCommand(bin, args)}`)
      }
      if (!o.start) throw new Error(`unexpected background start of ${call.line} in this test`)
      return o.start(call)
    },
    async run(bin, args, opts = {}) {
      const call: Call = { bin, args: [...args], opts, line: [bin, ...args].join(' ') }
      calls.push(call)
      const shown = formatCommand(bin, args, opts)
      if (!opts.quiet) {
        echoed.push(`$ ${shown}`)
        opts.log?.(`$ ${shown}`)
      }
      if (o.dryRun && !opts.readOnly) return { stdout: '', stderr: '', exitCode: 0 }
      const r = await o.reply?.(call)
      if (r instanceof Error) throw r
      const result: RunResult = { stdout: r?.stdout ?? '', stderr: r?.stderr ?? '', exitCode: r?.exitCode ?? 0 }
      // like the real shell: whole lines of both streams to onLine (stdout first here; the real order interleaves)
      if (opts.onLine) for (const l of `${result.stdout}\n${result.stderr}`.split('\n')) if (l.trim()) opts.onLine(l)
      if (result.exitCode !== 0 && !opts.allowFail) throw new CommandError(shown, result.exitCode, result.stderr)
      return result
    },
  }
}

/**
 * A Kube stand-in: only the scripted members exist; any other member access throws, so a test sees
 * an unexpected cluster read at once. `calls` records method calls by name.
 */
export function fakeKube(impl: Record<string, unknown>): Kube & { calls: Array<{ method: string; args: unknown[] }> } {
  const calls: Array<{ method: string; args: unknown[] }> = []
  const target: Record<string, unknown> = { calls }
  for (const [k, v] of Object.entries(impl)) {
    target[k] =
      typeof v === 'function'
        ? (...args: unknown[]) => {
            calls.push({ method: k, args })
            return (v as (...a: unknown[]) => unknown)(...args)
          }
        : v
  }
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'symbol' || prop === 'then') return undefined
      if (!(prop in t)) throw new Error(`unexpected kube.${prop} in this test`)
      return t[prop]
    },
  }) as unknown as Kube & { calls: Array<{ method: string; args: unknown[] }> }
}

/**
 * A real Kube whose generated APIs (core, apps) and REST calls (its own reads) answer with the calls a test scripts — its own logic (404 → undefined,
 * errors that name the call) runs as in a run. Any call not scripted throws; its kubeconfig points at a closed
 * loopback port, so nothing reaches a cluster.
 */
export function kubeOver(apis: { core?: Record<string, unknown>; apps?: Record<string, unknown>; rest?: RestCall }, context = 'test'): Kube {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: context, cluster: 'c', user: 'u' }],
    currentContext: context,
  })
  const scripted = (api: string, calls: Record<string, unknown> = {}) =>
    new Proxy(calls, {
      get(t, prop) {
        if (typeof prop === 'symbol' || prop === 'then') return undefined
        if (!(prop in t)) throw new Error(`unexpected kube.${api}.${prop} in this test`)
        return t[prop]
      },
    })
  const rest: RestCall = apis.rest ?? (async (req) => Promise.reject(new Error(`unexpected kube.rest ${req.method ?? 'GET'} ${req.path} in this test`)))
  return new Kube(kc, { core: scripted('core', apis.core), apps: scripted('apps', apis.apps), rest } as unknown as KubeApis)
}

/** A Provider whose commands are plain `kubectl …` (no --context) unless a test overrides target(). */
export function fakeProvider(over: Partial<Provider> = {}): Provider & { stopped: number } {
  const p = {
    name: 'lab',
    requiredTools: [],
    stopped: 0,
    target: () => ({}),
    commandEnv: () => ({}),
    status: async () => ({ running: true, detail: 'fake: running' }),
    startCommands: () => [['fake', 'start']],
    start: async () => {},
    async stop(sh: Shell, log: (l: string) => void) {
      p.stopped++
      await sh.run('fake-cluster', ['stop'], { log })
    },
    dockerEnv: async () => ({}),
    dockerEnvCommand: () => undefined,
    imageInRuntime: async () => true,
    serviceUrl: async () => directEndpoint('http://127.0.0.1:30080'),
    imageOverrides: () => ({}),
    ownsContext: () => true,
    ...over,
  } as Provider & { stopped: number }
  return p
}

export function fakeDeps(o: { sh?: FakeShell; kube?: Kube; provider?: Provider } = {}): Deps & { sh: FakeShell } {
  const sh = o.sh ?? fakeShell()
  return {
    sh,
    provider: o.provider ?? fakeProvider(),
    kube: () => {
      if (!o.kube) throw new Error('this test gave no kube: the task must not read the cluster here')
      return o.kube
    },
  }
}

export interface FakeTask {
  title: string
  /** Every value ever assigned to task.output. */
  outputs: string[]
  output: string | undefined
  skipped?: string
  skip(reason?: string): void
}

/** The listr task wrapper a step's `task` receives, keeping every output line. */
export function fakeTask(title = ''): FakeTask {
  const outputs: string[] = []
  const t: FakeTask = {
    title,
    outputs,
    get output() {
      return outputs[outputs.length - 1]
    },
    set output(v: string | undefined) {
      if (v !== undefined) outputs.push(v)
    },
    skip(reason?: string) {
      t.skipped = reason ?? ''
    },
  }
  return t
}

/** Evaluate a step's skip like listr does (without the dry-run short-circuit). */
export async function evalSkip<C = Ctx>(step: Step<C>, ctx: C): Promise<string | boolean> {
  const s = step.skip
  return typeof s === 'function' ? await s(ctx) : (s ?? false)
}

/** Run a step's task with a fake wrapper; returns the wrapper for its title and outputs. */
export async function runStep<C = Ctx>(step: Step<C>, ctx: C, task: FakeTask = fakeTask(String(step.title ?? ''))): Promise<FakeTask> {
  await step.task(ctx, task as unknown as TaskApi<C>)
  return task
}

export function testCtx(over: Partial<Ctx> = {}): Ctx {
  return defaultCtx({ tags: ['1.0', '2.0', '3.0', '4.0', '5.0'], ...over })
}

/**
 * A kubeconfig file with two contexts on one server, learn-k8s-lab and prod (namespace shop), `current` its
 * current-context: for the set-context --current-or-by-name decisions. Its server is never contacted.
 */
export function twoContextKubeconfig(current: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'kubeconfig-')), 'config')
  writeFileSync(
    f,
    [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${current}`,
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
      'users: [{name: u, user: {token: abc}}]',
      'contexts: [{name: learn-k8s-lab, context: {cluster: c, user: u}}, {name: prod, context: {cluster: c, user: u, namespace: shop}}]',
      '',
    ].join('\n'),
  )
  return f
}

export interface LabTempDirs {
  root: string
  state: string
  run: string
  cache: string
  /** Remove the temp root. */
  cleanup(): void
}

/**
 * Point the lab's state, run and cache dirs (tasks/lab/engine/paths.ts reads LAB_STATE_DIR, LAB_RUN_DIR and
 * LAB_CACHE_DIR once, when first imported) at a fresh temp dir. Call it before the first import of a lab module (import
 * those with `await import(…)` after it), then check with `assertLabDirs` that paths.ts took them.
 */
export function labTempDirs(prefix: string): LabTempDirs {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`))
  const dirs = { root, state: join(root, 'state'), run: join(root, 'run'), cache: join(root, 'cache') }
  process.env.LAB_STATE_DIR = dirs.state
  process.env.LAB_RUN_DIR = dirs.run
  process.env.LAB_CACHE_DIR = dirs.cache
  return { ...dirs, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

/** Throw (before any test runs) unless the lab's paths are the temp ones: a suite must never touch the real lab's dirs. */
export function assertLabDirs(paths: { STATE_DIR: string; RUN_DIR: string; CACHE_DIR: string }, dirs: LabTempDirs): void {
  if (paths.STATE_DIR !== dirs.state || paths.RUN_DIR !== dirs.run || paths.CACHE_DIR !== dirs.cache) {
    throw new Error(`the lab's paths were loaded before labTempDirs (${paths.STATE_DIR}, ${paths.RUN_DIR}): import lab modules with await import() after it`)
  }
}

/** The tutorial's Secret value (manifests/01_database.yml), base64 as in the manifest. */
export const SECRET_B64 = 'cGFzc3dvcmQ='
/** The tutorial's secret value is the word itself: it must not show anywhere as a word. */
export const SECRET_WORD = /\bpassword\b/
