/**
 * How a list of task factories runs: renderer choice (default on a TTY, simple in CI or piped),
 * --dry-run (no skip reads, commands echoed instead of run), and what runs before a command's steps: the provider
 * picked, the context guarded, the run lock, the reachability check (command.ts puts these together).
 */
import { Listr, type ListrTask, type ListrTaskWrapper, type ListrDefaultRenderer, type ListrSimpleRenderer } from 'listr2'
import { COMMON_FLAGS, UsageError, type CommandSpec, type Parsed } from './cli.ts'
import { tagNames } from './tutorial.ts'
import { defaultCtx, type Ctx, type Deps } from './run.ts'
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
  /** The shell that asks the provider's own tools (no provider env): what the guard runs. */
  probe: Shell
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

/** Pick the provider and build the run's shells and (lazy) cluster client from parsed flags; nothing is guarded or contacted yet. */
export async function resolveRun(parsed: Parsed, opts: Pick<MainOptions, 'needsRegistry'> = {}, ctxOver: Partial<Ctx> = {}): Promise<Prepared> {
  const f = parsed.flags
  const dryRun = !!f['dry-run']
  const verbose = !!f.verbose
  const ctx = defaultCtx({ dryRun, verbose, ...ctxOver })
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
  // the ONE kubeconfig resolution (kubectl's rules): the guard judges this context's name and server before the client library is loaded
  const context = resolveKubeconfig(target).context ?? target.context
  const { Kube: KubeClient } = await import('./kube.ts')
  let kube: Kube | undefined
  const deps: Deps = { sh, provider, context, kube: () => (kube ??= new KubeClient({ ...target, context })) }
  return { parsed, ctx, deps, probe }
}

export interface GuardOptions extends MainOptions {
  /** up and lessons: the cluster may not run yet — assertCanRun says in one line whether it can; the guard and ping only when it runs. */
  mayStart?: (deps: Deps) => Promise<{ running: boolean }>
  /** The run lock's command line (default: the command's name). */
  lockAs?: string
  /** Where the guard echoes what it asked (minikube ip …); default stderr. */
  log?: Log
}

/**
 * Before anything changes: the context guard (name and server), the run lock, the reachability check (GET /version).
 * Nothing under --dry-run. command.ts runs it just before a command's list (and shows it as the list's first step) or
 * report. Returns what it did, in words, for that step's title.
 */
export async function guardCluster({ parsed, ctx, deps, probe }: Prepared, cmd: CommandSpec, opts: GuardOptions): Promise<string[]> {
  if (ctx.dryRun) return []
  const f = parsed.flags
  const did: string[] = []
  const guard = async (sh: Shell) => {
    await guardRun({ provider: deps.provider, sh, explicitContext: f.context as string | undefined, destructive: !!opts.destructive, yes: !!f.yes, log: opts.log })
    did.push(`context ${deps.context ?? '(none)'} may be changed`)
  }
  if (opts.mayStart) {
    let guarded = false
    if (deps.provider.name === 'remote') {
      // a remote cluster's status() is already a request to it: the guard decides first, then one quick ping
      await guard(deps.sh)
      guarded = true
      await deps.kube().ping(3000)
    }
    const status = await opts.mayStart(deps)
    did.push('tools there')
    if (status.running) {
      if (!guarded) await guard(deps.sh)
      // the context this run acts on (maybe --context) must answer now, not after minutes of image builds
      await deps.kube().ping()
      did.push('it answers')
    } else did.push('the cluster is not running yet (started below)')
  } else if (opts.mutates) await guard(probe)
  if (opts.lock) {
    acquireRunLock({ context: deps.context ?? (opts.mayStart ? '(no context)' : '(none)'), command: opts.lockAs ?? cmd.name })
    did.push('run lock held')
  }
  if (!opts.mayStart && !opts.noPing) {
    await deps.kube().ping()
    did.push(`${deps.context ?? 'the cluster'} answers`)
  }
  return [...new Set(did)]
}

/** A progress sink that drops repeats (a watch reports every status update, most of them alike). */
export function changesOnly(log: (line: string) => void): (line: string) => void {
  let last: string | undefined
  return (line) => {
    if (line !== last) log((last = line))
  }
}
