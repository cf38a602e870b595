/**
 * How a list of task factories runs: renderer choice (default on a TTY, simple in CI or piped),
 * --dry-run (no skip reads, commands echoed instead of run), and the shared main() for task files.
 */
import { Listr, type ListrTask, type ListrTaskWrapper, type ListrDefaultRenderer, type ListrSimpleRenderer } from 'listr2'
import { COMMON_FLAGS, parseCli, runMain, usage, UsageError, type CommandSpec, type Parsed } from './cli.ts'
import { defaultCtx, tagNames, type Ctx, type Deps } from './context.ts'
import type { Kube } from './kube.ts'
import { resolveKubeconfig } from './kubeconfig.ts'
import { acquireRunLock } from './lifecycle.ts'
import { guardRun, resolveProvider } from './providers/index.ts'
import { NEEDS_REGISTRY } from './providers/remote.ts'
import { createShell, type Shell } from './shell.ts'
import { redact } from './redact.ts'
import type { Log, Provider } from './providers/types.ts'

export type Step<C = Ctx> = ListrTask<C, ListrDefaultRenderer, ListrSimpleRenderer>
export type TaskApi<C = Ctx> = ListrTaskWrapper<C, ListrDefaultRenderer, ListrSimpleRenderer>
export type StepFactory<C = Ctx> = (deps: Deps) => Step<C>

/** A log function that writes through the renderer (never console.log inside a task). */
export function logTo(task: { output: string | undefined }): Log {
  return (line) => {
    task.output = redact(line)
  }
}

/** An error with its message (and its cause's) redacted in place, so listr2's own `✖ … [FAILED: …]` line shows no secret. */
export function redactError<E>(e: E): E {
  if (e instanceof Error) {
    try {
      e.message = redact(e.message)
      if (e.stack) e.stack = redact(e.stack)
    } catch {
      // a read-only message: leave it
    }
  }
  return e
}

/** The task wrapper with every title and output a step sets redacted (listr2 prints them as they are). */
function redactingWrapper<C>(task: TaskApi<C>): TaskApi<C> {
  return new Proxy(task, {
    set(t, prop, value) {
      ;(t as unknown as Record<string | symbol, unknown>)[prop] = (prop === 'title' || prop === 'output') && typeof value === 'string' ? redact(value) : value
      return true
    },
    get(t, prop) {
      const v = (t as unknown as Record<string | symbol, unknown>)[prop]
      if (prop === 'skip' && typeof v === 'function') return (reason?: string) => (v as (r?: string) => void).call(t, reason === undefined ? reason : redact(reason))
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v
    },
  })
}

/**
 * Under --dry-run nothing is read: `skip` is not evaluated, so the plan shows every step. Every title, skip reason,
 * output line and error message passes through redact() before listr2 sees it.
 */
function prepareSteps<C extends { dryRun: boolean }>(steps: Step<C>[]): Step<C>[] {
  return steps.map((s) => ({
    ...s,
    title: typeof s.title === 'string' ? redact(s.title) : s.title,
    skip: async (ctx: C) => {
      if (ctx.dryRun) return false
      try {
        const r = typeof s.skip === 'function' ? await s.skip(ctx) : (s.skip ?? false)
        return typeof r === 'string' ? redact(r) : r
      } catch (e) {
        throw redactError(e)
      }
    },
    task: async (ctx: C, task: TaskApi<C>) => {
      try {
        return await s.task(ctx, redactingWrapper(task))
      } catch (e) {
        throw redactError(e)
      }
    },
    // keep every echoed command visible after the step finishes
    rendererOptions: { persistentOutput: true, outputBar: Infinity, ...s.rendererOptions },
  }))
}

export interface RunListOptions {
  concurrent?: boolean
}

export async function runList<C extends { dryRun: boolean; verbose: boolean }>(steps: Step<C>[], ctx: C, opts: RunListOptions = {}): Promise<C> {
  const tty = !!process.stdout.isTTY && !process.env.CI
  const list = new Listr<C>(prepareSteps(steps), {
    ctx,
    concurrent: opts.concurrent ?? false,
    exitOnError: true,
    fallbackRendererCondition: () => !tty,
    rendererOptions: { collapseSubtasks: false, collapseSkips: false, showSkipMessage: true, formatOutput: 'wrap' },
    collectErrors: false,
    // lifecycle.ts handles SIGINT: children killed, temp files removed, lock released, exit 130
    registerSignalListeners: false,
  })
  return list.run()
}

/** Flags every task file takes plus its own. */
export function spec(name: string, summary: string, flags: CommandSpec['flags'] = {}, extra: Partial<CommandSpec> = {}): CommandSpec {
  return { name, summary, flags: { ...flags, ...COMMON_FLAGS }, ...extra }
}

export interface MainOptions {
  /** Does this task change the cluster? (context guard) */
  mutates: boolean
  /** Destructive (teardown, delete-by-label): a non-local context also needs --yes. */
  destructive?: boolean
  /** Skip the reachability check (doctor, start-cluster, lab tasks). */
  noPing?: boolean
  /** Take the run lock (one run at a time acting on the cluster). */
  lock?: boolean
  /** It builds or loads images: the remote provider then needs --registry (checked before anything runs). */
  needsRegistry?: boolean
}

export interface Prepared {
  parsed: Parsed
  ctx: Ctx
  deps: Deps
}

/** `--image FROM=TO` pairs, checked (one line on a bad one). */
export function parseImageFlags(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values ?? []) {
    const m = /^([^=\s]+)=([^=\s]+)$/.exec(v)
    if (!m) throw new UsageError(`--image takes FROM=TO, e.g. mysql:8.0=registry.local/mysql:8.0 (got '${v}')`)
    out[m[1]!] = m[2]!
  }
  return out
}

/** The provider with the user's image swaps added to its own (the user's win). */
export function withImageFlags(provider: Provider, values: string[] | undefined): Provider {
  const extra = parseImageFlags(values)
  if (!Object.keys(extra).length) return provider
  return { ...provider, imageOverrides: () => ({ ...provider.imageOverrides(), ...extra }) }
}

/** Parse flags, pick the provider, guard the context (name and server), take the run lock, and fail fast on an unreachable cluster. */
export async function prepare(cmd: CommandSpec, argv: string[], opts: MainOptions, ctxOver: (p: Parsed) => Partial<Ctx> = () => ({})): Promise<Prepared | undefined> {
  const parsed = parseCli(cmd, argv)
  if (parsed.help) {
    process.stdout.write(`${usage(cmd)}\n`)
    return undefined
  }
  const f = parsed.flags
  const dryRun = !!f['dry-run']
  const verbose = !!f.verbose
  const ctx = defaultCtx({ dryRun, verbose, ...ctxOver(parsed) })
  if (!tagNames().includes(ctx.tag)) throw new UsageError(`unknown tag '${ctx.tag}' (known: ${tagNames().join(', ')})`)
  const probe = createShell({ dryRun, verbose })
  // --profile / --driver (up, start-cluster, teardown) mean minikube, as --registry means remote
  const minikube = { profile: f.profile as string | undefined, driver: f.driver as string | undefined }
  const flag = (f.provider as string | undefined) ?? (minikube.profile !== undefined || minikube.driver !== undefined ? 'minikube' : undefined)
  const resolved = await resolveProvider({ flag, context: f.context as string | undefined, sh: probe, registry: f.registry as string | undefined, minikube })
  if (opts.needsRegistry && resolved.name === 'remote' && !f.registry) throw new UsageError(NEEDS_REGISTRY)
  const provider = withImageFlags(resolved, f.image as string[] | undefined)
  const sh = createShell({ dryRun, verbose, env: provider.commandEnv() })
  const explicit = f.context as string | undefined
  const target = { ...provider.target(), ...(explicit ? { context: explicit } : {}) }
  // the ONE kubeconfig resolution; the guard judges its context's name and server before the client library is loaded
  const kubeconfig =
    !dryRun && opts.mutates
      ? await guardRun({ provider, sh: probe, explicitContext: explicit, destructive: !!opts.destructive, yes: !!f.yes })
      : resolveKubeconfig(target)
  const context = kubeconfig.context ?? target.context
  if (!dryRun && opts.lock) acquireRunLock({ context: context ?? '(none)', command: cmd.name })
  const { Kube: KubeClient } = await import('./kube.ts')
  let kube: Kube | undefined
  const deps: Deps = { sh, provider, context, kube: () => (kube ??= new KubeClient({ ...target, context })) }
  if (!dryRun && !opts.noPing) await deps.kube().ping()
  return { parsed, ctx, deps }
}

export interface HostTaskOptions<C> {
  /** Why it needs Linux, said when run elsewhere (not under --dry-run, which only prints the plan). */
  linuxOnly?: string
  /** The run's context from the parsed flags. */
  ctx: (base: { dryRun: boolean; verbose: boolean }, parsed: Parsed) => C
  steps: (sh: Shell) => Step<C>[]
  /** Printed after a real run that succeeded. */
  done?: string
}

/**
 * main() of a task that acts on this machine rather than on a cluster (lab up/down, the kind node image):
 * flags and --help, the platform check, one step list; no provider, guard or ping.
 */
export async function hostTask<C extends { dryRun: boolean; verbose: boolean }>(cmd: CommandSpec, argv: string[], opts: HostTaskOptions<C>): Promise<void> {
  const parsed = parseCli(cmd, argv)
  if (parsed.help) {
    process.stdout.write(`${usage(cmd)}\n`)
    return
  }
  const base = { dryRun: !!parsed.flags['dry-run'], verbose: !!parsed.flags.verbose }
  if (opts.linuxOnly && !base.dryRun && process.platform !== 'linux') throw new Error(opts.linuxOnly)
  await runList(opts.steps(createShell(base)), opts.ctx(base, parsed))
  if (opts.done && !base.dryRun) process.stdout.write(`\n${opts.done}\n`)
}

/** main() of a task file that runs one factory. */
export function taskMain(cmd: CommandSpec, factories: StepFactory[] | ((p: Prepared) => Step[]), opts: MainOptions, ctxOver?: (p: Parsed) => Partial<Ctx>): Promise<void> {
  return runMain(cmd, async () => {
    // the lock for every task that changes the cluster; the ping after the steps are built, so a bad --file
    // (read and checked when its step is made) fails before the cluster is contacted
    const prepared = await prepare(cmd, process.argv.slice(2), { lock: opts.mutates, ...opts, noPing: true }, ctxOver)
    if (!prepared) return
    const steps = typeof factories === 'function' ? factories(prepared) : factories.map((f) => f(prepared.deps))
    if (!prepared.ctx.dryRun && !opts.noPing) await prepared.deps.kube().ping()
    await runList(steps, prepared.ctx)
  })
}

/** A progress sink that drops repeats (a watch reports every status update, most of them alike). */
export function changesOnly(log: (line: string) => void): (line: string) => void {
  let last: string | undefined
  return (line) => {
    if (line !== last) log((last = line))
  }
}
