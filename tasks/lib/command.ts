/**
 * The one command(): what every entry point declares instead of writing a main. Flags parsed and checked first
 * (a bad one is one line, exit 2, before anything slow or cluster-changing), --help, then either a flat list of
 * steps whose first rendered step is the guard (context, run lock, reachability; run just before the list, so a
 * refusal stays one line), or a report (`run`) after the same guard. Failures are one line, exit 1 (cli.ts runMain).
 */
import { isMain, parseCli, runMain, usage, UnexpectedArgumentError, UsageError, type CommandSpec, type Parsed } from './cli.ts'
import type { Ctx, Deps } from './run.ts'
import { createShell, type Shell } from './shell.ts'
import { guardCluster, resolveRun, runList, type GuardOptions, type Prepared, type Step } from './task.ts'

/** What a run knows once its flags are checked: the options, the context, the shell, and (on a cluster) its deps. */
export interface Run<O, C> {
  parsed: Parsed
  options: O
  ctx: C
  sh: Shell
  /** The provider, kubectl pinned to the guarded context, the lazy client; a command with `guard: false` has none. */
  deps: Deps
}

/** Whether and how the run is checked before it starts. `false`: it acts on this machine, no provider, no cluster. */
export type Guard = false | (Omit<GuardOptions, 'log'> & { title?: string })

export interface CommandDef<O, C> {
  spec: CommandSpec
  /** Every check of the flags, before anything is looked at: throw UsageError for a one-line exit 2. */
  options?: (parsed: Parsed) => O | Promise<O>
  /** A stray positional argument: the one-line message instead of echoing it back (a secret, maybe). */
  unexpectedArgument?: string
  /** An answer that needs no cluster (--list, --explain): printed, and the run ends. */
  answer?: (options: O) => string | undefined
  /** The run's context: on a cluster, overrides of the tutorial's defaults (tag, namespace); on this machine, all of it. */
  ctx?: (options: O, base: { dryRun: boolean; verbose: boolean }) => Partial<NoInfer<C>>
  guard: Guard | ((options: O) => Guard)
  /** Refused elsewhere than Linux, with this reason (not under --dry-run, which only prints the plan). */
  linuxOnly?: string
  /** The flat list; the guard is put first. */
  steps?: (run: Run<O, C>) => Step<C>[]
  /** Printed before the list, after the flags are checked. */
  before?: (run: Run<O, C>) => string | undefined
  /** Printed after the list succeeded. */
  after?: (run: Run<O, C>) => string | undefined
  /** After the list, whether it succeeded or not. */
  finally?: () => void
  /** A report instead of a list: runs after the guard (inline, not rendered); its number is the exit code. */
  run?: (run: Run<O, C>) => Promise<number | void>
  /** With both `steps` and `run`: whether this run is the report (default: `run` when there are no steps). */
  report?: (options: O) => boolean
}

export interface Command {
  spec: CommandSpec
  /** Parse argv and run; errors are thrown (tests call this). */
  run(argv: string[]): Promise<number | void>
  /** The process's main: process.argv, one-line failures, exit codes. */
  main(argv?: string[]): Promise<void>
  /** main() when the calling module is the entry point. */
  mainIf(metaUrl: string): Promise<void>
}

const noDeps = new Proxy({} as Deps, {
  get(_t, prop) {
    throw new Error(`this command acts on this machine, not on a cluster (deps.${String(prop)})`)
  },
})

/** What the guard does, for its title; empty when it does nothing (a command that only reads and needs no answer). */
export function guardParts(guard: Exclude<Guard, false>): string[] {
  if (guard.mayStart) return ['tools', 'context guard', ...(guard.lock ? ['run lock'] : []), 'reachable']
  return [...(guard.mutates ? ['context guard'] : []), ...(guard.lock ? ['run lock'] : []), ...(guard.noPing ? [] : ['reachable'])]
}

/**
 * The guard as the list's first rendered step. It has already run when the list starts (command() runs it just
 * before): a refusal or an unreachable cluster stays ONE line and exit 1 — no step frame around it — while a run
 * that goes on shows first what was checked (`did`). Left out under --dry-run (nothing is checked, nothing is locked).
 */
export function guardStep<C extends { dryRun: boolean }>(guard: Exclude<Guard, false>, did: string[]): Step<C> {
  // up and lessons ask the provider's tools first (assertCanRun): the title says so
  const head = guard.title ?? (guard.mayStart ? 'Check the tools and the cluster' : 'Check the cluster')
  return {
    title: `${head}: ${guardParts(guard).join(', ')}`,
    enabled: (ctx) => !ctx.dryRun,
    task: async (_ctx, task) => {
      if (did.length) task.title = `${head}: ${did.join(', ')}`
    },
  }
}

export function command<O = Record<string, never>, C extends { dryRun: boolean; verbose: boolean } = Ctx>(def: CommandDef<O, C>): Command {
  const { spec } = def
  async function run(argv: string[]): Promise<number | void> {
    let parsed: Parsed
    try {
      parsed = parseCli(spec, argv)
    } catch (e) {
      if (def.unexpectedArgument && e instanceof UnexpectedArgumentError) throw new UsageError(def.unexpectedArgument)
      throw e
    }
    if (parsed.help) {
      process.stdout.write(`${usage(spec)}\n`)
      return 0
    }
    const options = (def.options ? await def.options(parsed) : {}) as O
    const answer = def.answer?.(options)
    if (answer !== undefined) {
      process.stdout.write(`${answer}\n`)
      return 0
    }
    const base = { dryRun: !!parsed.flags['dry-run'], verbose: !!parsed.flags.verbose }
    if (def.linuxOnly && !base.dryRun && process.platform !== 'linux') throw new Error(def.linuxOnly)
    const guard = typeof def.guard === 'function' ? def.guard(options) : def.guard
    const over = def.ctx?.(options, base) ?? {}
    let r: Run<O, C>
    let prepared: Prepared | undefined
    if (guard === false) {
      r = { parsed, options, ctx: { ...base, ...over } as C, sh: createShell(base), deps: noDeps }
    } else {
      prepared = await resolveRun(parsed, guard, over as Partial<Ctx>)
      r = { parsed, options, ctx: prepared.ctx as unknown as C, sh: prepared.deps.sh, deps: prepared.deps }
    }
    if (def.run && (def.report?.(options) ?? !def.steps)) {
      if (prepared && guard) await guardCluster(prepared, spec, guard)
      return def.run(r)
    }
    // the steps are built before the guard runs: a bad --file (read when its step is made) fails before the cluster is contacted
    const steps = def.steps?.(r) ?? []
    // the guard is the list's first rendered step; with nothing to render after it, it runs inline
    // the guard before anything else runs; shown as the list's first step when there is a list and it did something
    const did = prepared && guard ? await guardCluster(prepared, spec, guard) : []
    const list = prepared && guard && steps.length && guardParts(guard).length ? [guardStep<C>(guard, did), ...steps] : steps
    const before = def.before?.(r)
    if (before) process.stdout.write(before)
    try {
      if (list.length) await runList(list, r.ctx)
    } finally {
      def.finally?.()
    }
    const after = def.after?.(r)
    if (after) process.stdout.write(after)
  }
  const main = (argv = process.argv.slice(2)) => runMain(spec, () => run(argv))
  return { spec, run, main, mainIf: async (metaUrl) => (isMain(metaUrl) ? main() : undefined) }
}
