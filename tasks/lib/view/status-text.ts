/**
 * The status view as text: a screen (redrawn in place on a terminal) and, for a pipe, one line per object
 * that changed. Pure: a ClusterView in, lines out.
 */
import { allPods, type ClusterView, type DeploymentView, type EnvSource, type NamespaceView, type PodView, type ServiceView } from './model.ts'

export interface TextOptions {
  /** For ages (ms since the epoch). */
  now: number
  /** ANSI colour (a terminal). */
  color?: boolean
}

const paint = (on: boolean | undefined, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s)

/** Like kubectl's AGE column: 42s, 5m, 3h, 2d. */
export function age(createdMs: number | undefined, now: number): string {
  if (createdMs === undefined) return '?'
  const s = Math.max(0, Math.floor((now - createdMs) / 1000))
  if (s < 120) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 120) return `${m}m`
  const h = Math.floor(m / 60)
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`
}

export function envLine(sources: EnvSource[], literal: string[]): string | undefined {
  const parts = sources.map((s) => {
    const what = s.kind === 'Secret' && s.from === 'envFrom' ? 'every key' : s.keys.join(', ') || (s.exists === false ? 'missing' : 'no keys')
    return `${s.kind.toLowerCase()}/${s.name} (${s.from === 'envFrom' ? 'envFrom: ' : ''}${what})`
  })
  if (literal.length) parts.push(`env (${literal.join(', ')})`)
  return parts.length ? `reads ${parts.join(' · ')}` : undefined
}

/** Phase, ready, restarts (and the age when given), why a container waits or stopped, the last Event. */
export function podFacts(p: PodView, ageText?: string): string {
  const bits = [p.phase, `${p.ready}/${p.containers}`, `restarts ${p.restarts}`]
  if (ageText) bits.push(`age ${ageText}`)
  if (p.containerReason) bits.push(p.containerReason)
  if (p.troubleEvents.length) bits.push(`events ${p.troubleEvents.map((t) => `${t.reason} ×${t.count}`).join(', ')}`)
  if (p.lastEvent) bits.push(`last event ${p.lastEvent.reason}${p.lastEvent.count > 1 ? ` ×${p.lastEvent.count}` : ''}: ${p.lastEvent.message}`)
  return bits.join('  ')
}

export function deploymentFacts(d: DeploymentView): string {
  return [`${d.ready}/${d.desired} ready`, d.images.join(', '), d.rollout.done ? 'rolled out' : `rollout in progress: ${d.rollout.message}`].join('  ')
}

export function portsText(s: ServiceView): string {
  return s.ports.map((p) => `${p.port ?? '?'}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',')
}

export function serviceFacts(s: ServiceView): string {
  const sel = Object.entries(s.selector).map(([k, v]) => `${k}=${v}`).join(',')
  const bits = [s.type, portsText(s), sel ? `selects ${sel} → ${s.pods.length} pod${s.pods.length === 1 ? '' : 's'}` : 'no selector']
  if (s.url) bits.push(s.url)
  return bits.join('  ')
}

function podLines(p: PodView, indent: string, o: TextOptions): string[] {
  const head = `${indent}pod/${p.name}  ${podFacts(p, age(p.createdMs, o.now))}`
  const lines = p.unhealthy ? [paint(o.color, '31', head), `${indent}  ${paint(o.color, '1;31', `UNHEALTHY: ${p.unhealthy}`)}`] : [head]
  const env = envLine(p.envSources, p.literalEnv)
  if (env) lines.push(`${indent}  ${paint(o.color, '2', env)}`)
  return lines
}

function namespaceLines(ns: NamespaceView, o: TextOptions): string[] {
  if (ns.exists === false) return [`namespace ${ns.name}: not there`]
  if (!ns.deployments.length && !ns.otherPods.length && !ns.services.length) return [`namespace ${ns.name}: nothing of the tutorial`]
  const lines = [paint(o.color, '1', `namespace ${ns.name}`)]
  for (const d of ns.deployments) {
    lines.push(`  ${paint(o.color, '1', `deployment/${d.name}`)}  ${deploymentFacts(d)}`)
    for (const r of d.replicaSets) {
      lines.push(`    replicaset/${r.name}${r.revision ? ` (rev ${r.revision})` : ''}  ${r.ready}/${r.desired}  ${r.images.join(', ')}`)
      for (const p of r.pods) lines.push(...podLines(p, '      ', o))
    }
  }
  for (const p of ns.otherPods) lines.push(...podLines(p, '  ', o))
  for (const s of ns.services) lines.push(`  ${paint(o.color, '1', `service/${s.name}`)}  ${serviceFacts(s)}`)
  return lines
}

/** The whole screen (without a header). */
export function renderStatus(view: ClusterView, o: TextOptions): string[] {
  return view.namespaces.flatMap((ns) => namespaceLines(ns, o))
}

/**
 * One line per object, keyed by object, without anything that changes by itself (ages): two views differ in
 * a key exactly when something a person would notice changed.
 */
export function objectLines(view: ClusterView): Map<string, string> {
  const out = new Map<string, string>()
  for (const ns of view.namespaces) {
    out.set(`namespace ${ns.name}`, ns.exists === false ? 'not there' : 'there')
    for (const d of ns.deployments) {
      out.set(`deployment ${ns.name}/${d.name}`, deploymentFacts(d))
      for (const r of d.replicaSets) out.set(`replicaset ${ns.name}/${r.name}`, `${r.ready}/${r.desired}  ${r.images.join(', ')}`)
    }
    for (const p of allPods(ns)) {
      const env = envLine(p.envSources, p.literalEnv)
      out.set(`pod ${ns.name}/${p.name}`, [podFacts(p), p.unhealthy ? `UNHEALTHY: ${p.unhealthy}` : '', env ?? ''].filter(Boolean).join('  '))
    }
    for (const s of ns.services) out.set(`service ${ns.name}/${s.name}`, serviceFacts(s))
  }
  return out
}

/** The lines a pipe gets for a change: each object added or changed, then each one gone. */
export function changeLines(before: Map<string, string>, after: Map<string, string>, stamp: string): string[] {
  const lines: string[] = []
  for (const [key, line] of after) if (before.get(key) !== line) lines.push(`${stamp} ${key}  ${line}`)
  for (const key of before.keys()) if (!after.has(key)) lines.push(`${stamp} ${key}  gone`)
  return lines
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/y

/** Cut a line to `width` visible characters (colour codes kept, and reset when cut). */
export function fitLine(line: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  if (line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').length <= width) return line
  let out = ''
  let visible = 0
  let i = 0
  while (i < line.length && visible < width - 1) {
    ANSI.lastIndex = i
    const m = ANSI.exec(line)
    if (m) {
      out += m[0]
      i += m[0].length
      continue
    }
    out += line[i]
    visible++
    i++
  }
  return `${out}…${out.includes('\x1b[') ? '\x1b[0m' : ''}`
}

/** A terminal frame: cursor home, each line cut to the width and cleared to its end, the rest of the screen cleared. */
export function frame(lines: string[], cols: number, rows: number): string {
  const shown = lines.length > rows ? [...lines.slice(0, rows - 1), `… ${lines.length - rows + 1} more lines (make the window taller)`] : lines
  return `\x1b[H${shown.map((l) => `${fitLine(l, Math.max(10, cols))}\x1b[K`).join('\n')}\x1b[J`
}
