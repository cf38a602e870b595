/**
 * Lesson 0: which programs are installed (path, version, how to get the missing ones) and which cluster
 * providers can run on this machine; the preflight step of up and lessons. tasks/doctor.ts prints the report.
 * Read-only; needs no cluster and no kubeconfig.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../lib/tutorial.ts'
import { type Deps } from '../lib/run.ts'
import { makeProvider } from '../lib/providers/index.ts'
import { PROVIDER_NAMES, type Provider, type ProviderName, type ProviderStatus } from '../lib/providers/types.ts'
import type { Shell } from '../lib/shell.ts'
import { type Step } from '../lib/task.ts'
import { parseToolVersion, toolHint, TOOLS } from '../lib/tools.ts'

export interface ToolReport {
  name: string
  path?: string
  version?: string
  hint: string
}

/** Where a program is, and (when `version`) what its own version command says — run read-only. */
async function checkTool(sh: Shell, name: string, path: string | undefined, version: boolean): Promise<ToolReport> {
  const hint = toolHint(name)
  if (!path) return { name, hint }
  const spec = TOOLS.find((t) => t.name === name)
  if (!spec || !version) return { name, path, hint }
  // `docker version` exits 1 when no daemon answers but still prints the client version
  const r = await sh.run(name, spec.versionArgs, { quiet: true, allowFail: true, readOnly: true })
  return { name, path, version: parseToolVersion(spec, `${r.stdout}\n${r.stderr}`), hint }
}

/** Paths and versions already asked for, per shell (one shell = one run): `up` checks before its list and again in its first step. */
const asked = new WeakMap<Shell, Map<string, Promise<unknown>>>()

function once<T>(sh: Shell, key: string, make: () => Promise<T>): Promise<T> {
  let mine = asked.get(sh)
  if (!mine) asked.set(sh, (mine = new Map()))
  const cache = mine
  let p = cache.get(key) as Promise<T> | undefined
  if (!p) {
    cache.set(key, (p = make()))
    p.catch(() => cache.delete(key)) // a failure is not remembered: the next ask tries again
  }
  return p
}

export interface CheckToolsOptions {
  /**
   * Also run each program's version command (a process each). Default true; a run that only needs to know the
   * programs are there (up's preflight, assertCanRun) passes false, and a step that needs a version asks for it then.
   */
  versions?: boolean
}

/** Where each program is and (unless `versions: false`) which version it says it is; each asked once per run. */
export async function checkTools(sh: Shell, names: readonly string[] = TOOLS.map((t) => t.name), { versions = true }: CheckToolsOptions = {}): Promise<ToolReport[]> {
  return Promise.all(
    names.map(async (name) => {
      const path = await once(sh, `path ${name}`, () => sh.which(name))
      return versions ? once(sh, `version ${name}`, () => checkTool(sh, name, path, true)) : checkTool(sh, name, path, false)
    }),
  )
}

/** Facts about this machine that decide whether the lab cluster can be started here. */
export interface HostFacts {
  platform: string
  uid?: number
  labUpScript: boolean
}

export function hostFacts(): HostFacts {
  return { platform: process.platform, uid: process.getuid?.(), labUpScript: existsSync(join(ROOT, 'tasks', 'lab', 'up.ts')) }
}

export interface Need {
  what: string
  ok: boolean
  /** How to get it, when missing. */
  hint?: string
}

export interface ProviderReport {
  name: ProviderName
  implemented: boolean
  usable: boolean
  needs: Need[]
}

/** Programs a provider's run uses: its own, plus the ones every run needs (docker and go build hellogopher). */
export function toolsFor(name: ProviderName, provider?: Pick<Provider, 'requiredTools'>): string[] {
  const fromTools = TOOLS.filter((t) => t.neededBy.includes('all') || t.neededBy.includes(name)).map((t) => t.name)
  const own = provider ? [...provider.requiredTools] : fromTools
  return [...new Set([...own, ...TOOLS.filter((t) => t.neededBy.includes('all')).map((t) => t.name)])]
}

/** What starting a provider's cluster needs beyond programs (the lab: Linux, root, its up script). */
export function hostNeeds(name: ProviderName, host: HostFacts): Need[] {
  if (name !== 'lab') return []
  return [
    { what: 'Linux', ok: host.platform === 'linux', hint: 'the lab cluster runs on Linux only — use --provider minikube here' },
    { what: 'root', ok: host.uid === 0, hint: 'run as root: the lab starts kubelet, containerd and iptables rules, and installs Debian packages itself' },
    { what: 'tasks/lab/up.ts', ok: host.labUpScript, hint: 'tasks/lab/up.ts is missing from this checkout' },
  ]
}

function tryProvider(name: ProviderName): Provider | undefined {
  try {
    return makeProvider(name)
  } catch {
    return undefined // makeProvider refuses providers this version does not implement
  }
}

/** Which providers could run here, from the tool reports and host facts (pure). */
export function assessProviders(tools: ToolReport[], host: HostFacts, providers: (n: ProviderName) => Provider | undefined = tryProvider): ProviderReport[] {
  return PROVIDER_NAMES.map((name) => {
    const p = providers(name)
    const needs: Need[] = [
      ...hostNeeds(name, host),
      ...toolsFor(name, p).map((t) => {
        const r = tools.find((x) => x.name === t)
        return { what: t, ok: !!r?.path, hint: r?.hint ?? toolHint(t) }
      }),
    ]
    return { name, implemented: !!p, usable: !!p && needs.every((n) => n.ok), needs }
  })
}

/** One line saying what to install, for when no provider can run: the closest provider first, with its hint. */
export function whatToInstall(reports: ProviderReport[]): string {
  const missing = (r: ProviderReport) => r.needs.filter((n) => !n.ok)
  const ranked = reports.filter((r) => r.implemented).sort((a, b) => missing(a).length - missing(b).length)
  const [closest, ...others] = ranked
  if (!closest) return 'no cluster provider is implemented in this version'
  const first = missing(closest)[0]
  const rest = others.map((r) => `${r.name} needs ${missing(r).map((n) => n.what).join(', ')}`)
  return `no cluster provider can run here — closest: ${closest.name} needs ${missing(closest).map((n) => n.what).join(', ')}${first?.hint ? ` (${first.hint})` : ''}${rest.length ? `; ${rest.join('; ')}` : ''}`
}

const pad = (s: string, n: number) => s.padEnd(n)

/** The report a person reads: tools, then providers. */
export function formatReport(tools: ToolReport[], providers: ProviderReport[], selected?: { name: ProviderName; status?: ProviderStatus }): string {
  const lines = ['Tools the tutorial uses:']
  const w = Math.max(...tools.map((t) => t.name.length)) + 2
  for (const t of tools) {
    lines.push(
      t.path
        ? `  ✔ ${pad(t.name, w)}${pad(t.version ?? '(version unknown)', 22)}${t.path}`
        : `  ✖ ${pad(t.name, w)}${pad('missing', 22)}${t.hint}`,
    )
  }
  lines.push('', 'Cluster providers:')
  for (const p of providers) {
    const missing = p.needs.filter((n) => !n.ok)
    const state = !p.implemented
      ? '– not implemented in this version'
      : p.usable
        ? `✔ usable (${p.needs.map((n) => n.what).join(', ')})`
        : `✖ needs ${missing.map((n) => n.what).join(', ')}`
    const mark = selected?.name === p.name ? '  ← selected' : ''
    lines.push(`  ${pad(p.name, 10)}${state}${mark}`)
    if (p.implemented && !p.usable) for (const n of missing) lines.push(`  ${pad('', 10)}  ${n.what}: ${n.hint}`)
  }
  if (selected?.status) lines.push('', `Cluster: ${selected.status.detail}`)
  return lines.join('\n')
}

/**
 * Fail fast, in one line, when this run's cluster is not running and cannot be started here
 * (minikube not installed, the lab without root, …). Starting a startable cluster may take minutes; that is fine.
 */
export async function assertCanRun(deps: Pick<Deps, 'sh' | 'provider'>, host: HostFacts = hostFacts()): Promise<ProviderStatus> {
  const { provider, sh } = deps
  const tools = await checkTools(sh, toolsFor(provider.name, provider), { versions: false })
  const missing = tools.filter((t) => !t.path)
  if (missing.length) {
    throw new Error(`${missing.map((t) => t.name).join(' and ')} not installed (needed by the ${provider.name} provider) — ${missing[0]!.hint}`)
  }
  const status = await provider.status(sh)
  if (status.running) return status
  const blocked = hostNeeds(provider.name, host).filter((n) => !n.ok)
  if (blocked.length) throw new Error(`${status.detail}, and it cannot be started here: ${blocked[0]!.hint}`)
  return status
}

/**
 * The first step of a run: the provider's programs are installed. With `versions` (lesson 0) it also shows what
 * each one's version command says; up leaves that to the steps that run the programs (build-images shows go's and
 * docker's when it builds), so a run with nothing to build starts no process here. Under --dry-run it only reports.
 */
export const preflight = (deps: Deps, { versions = false }: CheckToolsOptions = {}): Step => ({
  title: `Check the tools the ${deps.provider.name} provider needs (lesson 0)`,
  task: async (ctx, task) => {
    const tools = await checkTools(deps.sh, toolsFor(deps.provider.name, deps.provider), { versions })
    for (const t of tools) task.output = t.path ? `${t.name}${versions ? ` ${t.version ?? '(version unknown)'}` : ''} (${t.path})` : `${t.name}: missing — ${t.hint}`
    const missing = tools.filter((t) => !t.path)
    if (missing.length && !ctx.dryRun) throw new Error(`${missing.map((t) => t.name).join(' and ')} not installed — ${missing[0]!.hint}`)
  },
})
