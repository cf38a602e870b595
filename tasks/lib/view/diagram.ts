/**
 * The picture of what runs: a box per namespace; inside it Deployment → ReplicaSet → pods, Service → the pods
 * its selector matches (with the NodePort), pod → the ConfigMap/Secret it reads env from (names only);
 * unhealthy pods in red with "unhealthy: <reason>". Pure: a ClusterView in, SVG text out.
 *
 * Layout: @dagrejs/dagre (MIT, one small dependency, typed, maintained by the dagrejs org, synchronous) places
 * the boxes and routes the edges of each namespace as a layered left-to-right graph, which is exactly the shape
 * here (Service/Deployment → ReplicaSet → Pod → ConfigMap/Secret). elkjs was the other candidate: stronger on
 * nested graphs but a ~8 MB GWT bundle, asynchronous, and EPL-licensed — nothing here needs its power, since no
 * edge crosses a namespace: each namespace is laid out alone and the boxes are stacked.
 *
 * The SVG is self-contained: no scripts, no external fonts or images, system monospace fonts only. Every
 * object's group carries id, class, data-kind, data-name and data-namespace, so tests can find it in the DOM.
 */
import dagre from '@dagrejs/dagre'
import { allPods, type ClusterView, type EnvSource, type NamespaceView, type PodView, type ServiceView } from './model.ts'

export type Kind = 'Deployment' | 'ReplicaSet' | 'Pod' | 'Service' | 'ConfigMap' | 'Secret'
export type EdgeKind = 'owns' | 'selects' | 'env'

export interface Line {
  text: string
  cls?: string
  attrs?: Record<string, string>
}

export interface Box {
  id: string
  kind: Kind
  name: string
  namespace: string
  lines: Line[]
  unhealthy?: string
  x: number
  y: number
  width: number
  height: number
}

export interface Edge {
  kind: EdgeKind
  from: string
  to: string
  label?: string
  points: Array<{ x: number; y: number }>
  labelAt?: { x: number; y: number }
}

export interface NamespaceBox {
  name: string
  x: number
  y: number
  width: number
  height: number
  boxes: Box[]
  edges: Edge[]
}

export interface Diagram {
  title: string
  subtitle?: string
  width: number
  height: number
  namespaces: NamespaceBox[]
  /** Said when nothing runs in any namespace. */
  empty?: string
}

const FONT = 12
const CHAR_W = 7.3 // DejaVu Sans Mono / Menlo advance at 12px is ~7.2
const LINE_H = 16
const PAD = 10
const HEAD_H = 18 // the kind strip at the top of a box
const MAX_CHARS = 46
const NS_TITLE_H = 30
const NS_PAD = 18
const MARGIN = 20
const TITLE_H = 52
const LEGEND_H = 56

export const KIND_STYLE: Record<Kind, { fill: string; stroke: string; strip: string }> = {
  Deployment: { fill: '#eef3fe', stroke: '#3367d6', strip: '#3367d6' },
  ReplicaSet: { fill: '#f3f6fb', stroke: '#7a9cc6', strip: '#7a9cc6' },
  Pod: { fill: '#e9f6ec', stroke: '#188038', strip: '#188038' },
  Service: { fill: '#fff7e0', stroke: '#c26401', strip: '#c26401' },
  ConfigMap: { fill: '#f5ecfd', stroke: '#8430ce', strip: '#8430ce' },
  Secret: { fill: '#fdeef6', stroke: '#b80672', strip: '#b80672' },
}
const UNHEALTHY = { fill: '#fdecea', stroke: '#d93025' }
const EDGE_STYLE: Record<EdgeKind, { stroke: string; dash?: string; label: string }> = {
  owns: { stroke: '#5f6368', label: 'owns' },
  selects: { stroke: '#c26401', dash: '7 4', label: 'selects (label selector)' },
  env: { stroke: '#8430ce', dash: '2 4', label: 'env from' },
}

export const cut = (s: string, n = MAX_CHARS) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
/** `programmingpercy/hellogopher:5.0` → `hellogopher:5.0`: the repository path adds width, not meaning. */
export const shortImage = (image: string) => image.split('/').pop() ?? image
export const domId = (kind: string, namespace: string, name: string) => `${kind.toLowerCase()}--${namespace}--${name}`.replace(/[^A-Za-z0-9_.-]/g, '-')

const textWidth = (s: string) => s.length * CHAR_W

function sized(b: Omit<Box, 'x' | 'y' | 'width' | 'height'>): Box {
  const widest = Math.max(textWidth(b.kind.toUpperCase()) * 0.85, ...b.lines.map((l) => textWidth(l.text)))
  return { ...b, x: 0, y: 0, width: Math.ceil(widest + 2 * PAD), height: HEAD_H + PAD / 2 + b.lines.length * LINE_H + PAD / 2 }
}

function podBox(p: PodView): Box {
  const lines: Line[] = [
    { text: cut(p.name), cls: 'name' },
    { text: `${p.phase} · ${p.ready}/${p.containers} ready · ${p.restarts} restart${p.restarts === 1 ? '' : 's'}` },
    { text: cut(`image ${p.images.map(shortImage).join(', ')}`) },
  ]
  if (p.containerReason) lines.push({ text: cut(p.containerReason) })
  if (p.troubleEvents.length) lines.push({ text: cut(`events: ${p.troubleEvents.map((t) => `${t.reason} ×${t.count}`).join(', ')}`), cls: 'event' })
  if (p.lastEvent && !p.troubleEvents.some((t) => t.reason === p.lastEvent!.reason)) lines.push({ text: cut(`last event: ${p.lastEvent.reason}${p.lastEvent.count > 1 ? ` ×${p.lastEvent.count}` : ''}`), cls: 'event' })
  if (p.unhealthy) lines.push({ text: cut(`unhealthy: ${p.unhealthy}`, 64), cls: 'unhealthy-label' })
  return sized({ id: domId('Pod', p.namespace, p.name), kind: 'Pod', name: p.name, namespace: p.namespace, lines, ...(p.unhealthy ? { unhealthy: p.unhealthy } : {}) })
}

function serviceBox(s: ServiceView): Box {
  const lines: Line[] = [{ text: cut(s.name), cls: 'name' }]
  for (const p of s.ports) {
    if (p.nodePort) lines.push({ text: `NodePort ${p.nodePort} → ${p.port ?? '?'}/${p.protocol}`, cls: 'nodeport', attrs: { 'data-nodeport': String(p.nodePort) } })
    else lines.push({ text: `${s.type} port ${p.port ?? '?'}/${p.protocol}` })
  }
  if (s.url) lines.push({ text: cut(s.url), cls: 'url' })
  const sel = Object.entries(s.selector).map(([k, v]) => `${k}=${v}`).join(',')
  lines.push({ text: cut(sel ? `selector ${sel}` : 'no selector') })
  return sized({ id: domId('Service', s.namespace, s.name), kind: 'Service', name: s.name, namespace: s.namespace, lines })
}

interface SourceNode {
  kind: 'ConfigMap' | 'Secret'
  name: string
  keys: Set<string>
  everyKey: boolean
  missing: boolean
}

function sourceBox(ns: string, s: SourceNode): Box {
  const lines: Line[] = [{ text: cut(s.name), cls: 'name' }]
  const keys = [...s.keys].sort()
  for (const k of keys.slice(0, 6)) lines.push({ text: cut(`• ${k}`), cls: 'key' })
  if (keys.length > 6) lines.push({ text: `… ${keys.length - 6} more keys` })
  if (s.everyKey && s.kind === 'Secret') lines.push({ text: 'every key (envFrom)' })
  if (s.missing) lines.push({ text: 'not found in the namespace', cls: 'unhealthy-label' })
  if (s.kind === 'Secret') lines.push({ text: 'key names only, never values', cls: 'note' })
  return sized({ id: domId(s.kind, ns, s.name), kind: s.kind, name: s.name, namespace: ns, lines })
}

function envLabel(e: EnvSource): string {
  return cut(e.from === 'envFrom' ? 'envFrom' : e.keys.join(', '), 30)
}

/** Lay out one namespace with dagre; coordinates relative to the namespace box's content origin. */
function layoutNamespace(ns: NamespaceView): NamespaceBox | undefined {
  const boxes = new Map<string, Box>()
  const edges: Array<Omit<Edge, 'points'>> = []
  const add = (b: Box) => boxes.set(b.id, b)
  for (const d of ns.deployments) {
    const dep = sized({
      id: domId('Deployment', ns.name, d.name),
      kind: 'Deployment',
      name: d.name,
      namespace: ns.name,
      lines: [
        { text: cut(d.name), cls: 'name' },
        { text: `${d.ready}/${d.desired} ready · ${d.rollout.done ? 'rolled out' : 'rollout in progress'}` },
        { text: cut(`image ${d.images.map(shortImage).join(', ')}`) },
        ...(d.rollout.done ? [] : [{ text: cut(d.rollout.message), cls: 'event' }]),
      ],
    })
    add(dep)
    for (const r of d.replicaSets) {
      const rs = sized({
        id: domId('ReplicaSet', ns.name, r.name),
        kind: 'ReplicaSet',
        name: r.name,
        namespace: ns.name,
        lines: [{ text: cut(r.name), cls: 'name' }, { text: cut(`${r.revision ? `rev ${r.revision} · ` : ''}${r.ready}/${r.desired} ready · ${r.images.map(shortImage).join(', ')}`) }],
      })
      add(rs)
      edges.push({ kind: 'owns', from: dep.id, to: rs.id })
      for (const p of r.pods) {
        add(podBox(p))
        edges.push({ kind: 'owns', from: rs.id, to: domId('Pod', ns.name, p.name) })
      }
    }
  }
  for (const p of ns.otherPods) add(podBox(p))
  for (const s of ns.services) {
    const b = serviceBox(s)
    add(b)
    const sel = Object.entries(s.selector).map(([k, v]) => `${k}=${v}`).join(',')
    for (const pod of s.pods) edges.push({ kind: 'selects', from: b.id, to: domId('Pod', ns.name, pod), label: cut(sel, 30) })
  }
  const sources = new Map<string, SourceNode>()
  for (const p of allPods(ns)) {
    for (const e of p.envSources) {
      const id = domId(e.kind, ns.name, e.name)
      const s = sources.get(id) ?? { kind: e.kind, name: e.name, keys: new Set<string>(), everyKey: false, missing: false }
      for (const k of e.keys) s.keys.add(k)
      if (e.from === 'envFrom') s.everyKey = true
      if (e.exists === false) s.missing = true
      sources.set(id, s)
      edges.push({ kind: 'env', from: domId('Pod', ns.name, p.name), to: id, label: envLabel(e) })
    }
  }
  for (const s of sources.values()) add(sourceBox(ns.name, s))
  if (!boxes.size) return undefined

  const g = new dagre.graphlib.Graph({ multigraph: true })
  g.setGraph({ rankdir: 'LR', nodesep: 32, ranksep: 70, edgesep: 14, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  // a pod with no edge (nobody owns or selects it, it reads no env) has no place in the layers: a row under them
  const linked = new Set(edges.flatMap((e) => [e.from, e.to]))
  const loose = allPods(ns).map((p) => boxes.get(domId('Pod', ns.name, p.name))!).filter((b) => !linked.has(b.id))
  for (const b of boxes.values()) if (!loose.includes(b)) g.setNode(b.id, { width: b.width, height: b.height })
  edges.forEach((e, i) => {
    // a Service sits in the Deployment's column: two ranks before the pods it selects
    const minlen = e.kind === 'selects' ? 2 : 1
    const label = e.label ? { width: textWidth(e.label) * 0.9 + 8, height: 14, labelpos: 'c' as const } : {}
    g.setEdge(e.from, e.to, { minlen, weight: e.kind === 'owns' ? 2 : 1, ...label }, `e${i}`)
  })
  dagre.layout(g)
  const placed = [...boxes.values()].filter((b) => !loose.includes(b))
  for (const b of placed) {
    const n = g.node(b.id)
    b.x = (n.x ?? 0) - b.width / 2
    b.y = (n.y ?? 0) - b.height / 2
  }
  const placedPods = placed.filter((b) => b.kind === 'Pod')
  let x = placedPods.length ? Math.min(...placedPods.map((b) => b.x)) : 0
  const y = placed.length ? Math.max(...placed.map((b) => b.y + b.height)) + 28 : 0
  for (const b of loose) {
    b.x = x
    b.y = y
    x += b.width + 22
  }
  const laid: Edge[] = edges.map((e, i) => {
    const le = g.edge({ v: e.from, w: e.to, name: `e${i}` })
    return { ...e, points: ((le?.points ?? []) as Array<{ x: number; y: number }>).map((p) => ({ x: p.x, y: p.y })), ...(e.label && le?.x !== undefined ? { labelAt: { x: le.x, y: le.y! } } : {}) }
  })
  const all = [...boxes.values()]
  const width = Math.max(...all.map((b) => b.x + b.width), ...laid.flatMap((e) => e.points.map((p) => p.x)))
  const height = Math.max(...all.map((b) => b.y + b.height), ...laid.flatMap((e) => e.points.map((p) => p.y)))
  return { name: ns.name, x: 0, y: 0, width, height, boxes: all, edges: laid }
}

/** Place every namespace (stacked, top to bottom) and everything in it. */
export function layoutDiagram(view: ClusterView, title: string, subtitle?: string): Diagram {
  const laid = view.namespaces.map(layoutNamespace).filter((n): n is NamespaceBox => !!n)
  let y = MARGIN + TITLE_H
  const minWidth = Math.max(textWidth(title) * 1.25, textWidth(subtitle ?? ''), 560)
  for (const ns of laid) {
    const dx = MARGIN + NS_PAD
    const dy = y + NS_TITLE_H
    for (const b of ns.boxes) {
      b.x += dx
      b.y += dy
    }
    for (const e of ns.edges) {
      e.points = e.points.map((p) => ({ x: p.x + dx, y: p.y + dy }))
      if (e.labelAt) e.labelAt = { x: e.labelAt.x + dx, y: e.labelAt.y + dy }
    }
    ns.x = MARGIN
    ns.y = y
    ns.width = ns.width + 2 * NS_PAD
    ns.height = ns.height + NS_TITLE_H + NS_PAD
    y += ns.height + MARGIN
  }
  const inner = Math.max(minWidth, ...laid.map((n) => n.width))
  for (const ns of laid) ns.width = inner
  const empty = laid.length ? undefined : `nothing runs in ${view.namespaces.map((n) => `namespace ${n.name}`).join(' or ')}`
  if (empty) y += 40
  return { title, ...(subtitle ? { subtitle } : {}), width: Math.ceil(inner + 2 * MARGIN), height: Math.ceil(y + LEGEND_H), namespaces: laid, ...(empty ? { empty } : {}) }
}

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const attrs = (a: Record<string, string | number | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('')

const r1 = (n: number) => Math.round(n * 10) / 10

/** A smooth path through dagre's points (quadratic curves through the midpoints). */
function pathD(points: Array<{ x: number; y: number }>): string {
  if (points.length < 2) return ''
  const [first, ...rest] = points
  if (points.length === 2) return `M${r1(first!.x)},${r1(first!.y)} L${r1(rest[0]!.x)},${r1(rest[0]!.y)}`
  let d = `M${r1(first!.x)},${r1(first!.y)}`
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!
    const next = points[i + 1]!
    const mid = i === points.length - 2 ? next : { x: (p.x + next.x) / 2, y: (p.y + next.y) / 2 }
    d += ` Q${r1(p.x)},${r1(p.y)} ${r1(mid.x)},${r1(mid.y)}`
  }
  return d
}

function boxSvg(b: Box): string {
  const style = KIND_STYLE[b.kind]
  const fill = b.unhealthy ? UNHEALTHY.fill : style.fill
  const stroke = b.unhealthy ? UNHEALTHY.stroke : style.stroke
  const cls = `node ${b.kind.toLowerCase()}${b.unhealthy ? ' unhealthy' : ''}`
  const out = [
    `<g${attrs({ id: b.id, class: cls, 'data-kind': b.kind, 'data-name': b.name, 'data-namespace': b.namespace, 'data-unhealthy': b.unhealthy })}>`,
    `<rect class="box" x="${r1(b.x)}" y="${r1(b.y)}" width="${r1(b.width)}" height="${r1(b.height)}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${b.unhealthy ? 3 : 1.5}"/>`,
    `<path class="strip" d="M${r1(b.x)},${r1(b.y + HEAD_H)} v${-(HEAD_H - 6)} a6,6 0 0 1 6,-6 h${r1(b.width - 12)} a6,6 0 0 1 6,6 v${HEAD_H - 6} z" fill="${b.unhealthy ? UNHEALTHY.stroke : style.strip}"/>`,
    `<text class="kind" x="${r1(b.x + PAD)}" y="${r1(b.y + 13)}">${esc(b.kind.toUpperCase())}${b.unhealthy ? ' — UNHEALTHY' : ''}</text>`,
  ]
  b.lines.forEach((l, i) => {
    out.push(`<text${attrs({ class: l.cls ? `line ${l.cls}` : 'line', x: r1(b.x + PAD), y: r1(b.y + HEAD_H + PAD / 2 + LINE_H * i + 12), ...l.attrs })}>${esc(l.text)}</text>`)
  })
  out.push('</g>')
  return out.join('')
}

function edgeSvg(e: Edge): string {
  const s = EDGE_STYLE[e.kind]
  const out = [
    `<g${attrs({ class: `edge edge-${e.kind}`, 'data-from': e.from, 'data-to': e.to, 'data-edge': e.kind })}>`,
    `<path d="${pathD(e.points)}" fill="none" stroke="${s.stroke}" stroke-width="1.6"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} marker-end="url(#arrow-${e.kind})"/>`,
  ]
  if (e.label && e.labelAt) {
    const w = textWidth(e.label) * 0.9 + 8
    out.push(
      `<rect class="edge-label-bg" x="${r1(e.labelAt.x - w / 2)}" y="${r1(e.labelAt.y - 8)}" width="${r1(w)}" height="15" rx="3" fill="#ffffff" fill-opacity="0.92"/>`,
      `<text class="edge-label" x="${r1(e.labelAt.x)}" y="${r1(e.labelAt.y + 3.5)}" text-anchor="middle" fill="${s.stroke}">${esc(e.label)}</text>`,
    )
  }
  out.push('</g>')
  return out.join('')
}

function legendSvg(d: Diagram): string {
  const y = d.height - LEGEND_H + 14
  let x = MARGIN
  const parts: string[] = ['<g class="legend">']
  for (const k of Object.keys(KIND_STYLE) as Kind[]) {
    const st = KIND_STYLE[k]
    parts.push(`<rect x="${x}" y="${y}" width="12" height="12" rx="2" fill="${st.fill}" stroke="${st.stroke}"/><text class="legend-text" x="${x + 17}" y="${y + 10}">${k}</text>`)
    x += 17 + textWidth(k) * 0.92 + 16
  }
  parts.push(`<rect x="${x}" y="${y}" width="12" height="12" rx="2" fill="${UNHEALTHY.fill}" stroke="${UNHEALTHY.stroke}" stroke-width="2"/><text class="legend-text" x="${x + 17}" y="${y + 10}">unhealthy</text>`)
  x = MARGIN
  const y2 = y + 20
  for (const k of Object.keys(EDGE_STYLE) as EdgeKind[]) {
    const st = EDGE_STYLE[k]
    parts.push(`<path d="M${x},${y2 + 6} h26" stroke="${st.stroke}" stroke-width="1.6"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} marker-end="url(#arrow-${k})"/><text class="legend-text" x="${x + 34}" y="${y2 + 10}">${esc(st.label)}</text>`)
    x += 34 + textWidth(st.label) * 0.92 + 22
  }
  parts.push('</g>')
  return parts.join('')
}

export function renderSvg(d: Diagram): string {
  const markers = (Object.keys(EDGE_STYLE) as EdgeKind[])
    .map((k) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${EDGE_STYLE[k].stroke}"/></marker>`)
    .join('')
  const style = [
    `text{font-family:"DejaVu Sans Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:${FONT}px;fill:#202124}`,
    '.title{font-size:17px;font-weight:bold}',
    '.subtitle{font-size:12px;fill:#5f6368}',
    '.kind{font-size:10px;font-weight:bold;fill:#ffffff;letter-spacing:0.5px}',
    '.name{font-weight:bold}',
    '.nodeport{font-weight:bold;fill:#a04f00}',
    '.url{fill:#1a5fb4}',
    '.event{fill:#5f6368}',
    '.key{fill:#4a2a70}',
    '.note{fill:#80868b;font-size:10px}',
    '.unhealthy-label{fill:#c5221f;font-weight:bold}',
    '.ns-title{font-size:13px;font-weight:bold;fill:#3c4043}',
    '.edge-label{font-size:10.5px}',
    '.legend-text{font-size:11px;fill:#3c4043}',
  ].join('')
  const body: string[] = [
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text class="title" x="${MARGIN}" y="${MARGIN + 16}">${esc(d.title)}</text>`,
  ]
  if (d.subtitle) body.push(`<text class="subtitle" x="${MARGIN}" y="${MARGIN + 36}">${esc(d.subtitle)}</text>`)
  for (const ns of d.namespaces) {
    body.push(
      `<g${attrs({ id: domId('Namespace', ns.name, ns.name), class: 'namespace', 'data-kind': 'Namespace', 'data-name': ns.name })}>`,
      `<rect x="${r1(ns.x)}" y="${r1(ns.y)}" width="${r1(ns.width)}" height="${r1(ns.height)}" rx="10" fill="#f8f9fa" stroke="#9aa0a6" stroke-dasharray="6 4"/>`,
      `<text class="ns-title" x="${r1(ns.x + 14)}" y="${r1(ns.y + 20)}">namespace ${esc(ns.name)}</text>`,
      ...ns.edges.map(edgeSvg),
      ...ns.boxes.map(boxSvg),
      '</g>',
    )
  }
  if (d.empty) body.push(`<text class="empty" x="${MARGIN}" y="${MARGIN + TITLE_H + 20}">${esc(d.empty)}</text>`)
  body.push(legendSvg(d))
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${d.width}" height="${d.height}" viewBox="0 0 ${d.width} ${d.height}" data-generator="learn-k8s-easy tasks/diagram.ts">`,
    `<title>${esc(d.title)}</title>`,
    `<defs><style>${style}</style>${markers}</defs>`,
    ...body,
    '</svg>',
    '',
  ].join('\n')
}
