/**
 * The diagram's layout and SVG from fixture objects: every object of the final state has its element (found by
 * data-kind/data-name as a test in a browser would), edges say who owns, selects and reads what, unhealthy
 * pods are marked, boxes never overlap, the file is self-contained, and no env or Secret value is in it.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildView, type ClusterObjects } from '../../../../../tasks/lib/view/model.ts'
import { domId, esc, layoutDiagram, renderSvg, type Diagram } from '../../../../../tasks/lib/view/diagram.ts'
import { outPath } from '../../../../../tasks/diagram.ts'
import { UsageError } from '../../../../../tasks/lib/cli.ts'
import { finalState, LITERAL_VALUE, SECRET_VALUE, troubledDefault } from '../../../fixtures/cluster-objects.ts'

const urls = new Map([['hellogopher/hellogopher', 'http://10.250.0.1:31234']])

function both(): ClusterObjects {
  const f = finalState()
  const t = troubledDefault()
  return {
    ...f,
    deployments: [...f.deployments, ...t.deployments],
    replicaSets: [...f.replicaSets, ...t.replicaSets],
    pods: [...f.pods, ...t.pods],
    services: [...f.services, ...t.services],
    events: [...f.events, ...t.events],
  }
}

const draw = (o: ClusterObjects): { d: Diagram; svg: string } => {
  const d = layoutDiagram(buildView(o, { urls }), 'What runs now', 'context test')
  return { d, svg: renderSvg(d) }
}

/** The opening tag of the element with this data-kind and data-name. */
function element(svg: string, kind: string, name: string): string | undefined {
  return [...svg.matchAll(/<g [^>]*>/g)].map((m) => m[0]).find((t) => t.includes(`data-kind="${kind}"`) && t.includes(`data-name="${name}"`))
}

/** The markup of one object's group (from its opening tag to its closing one; groups of objects do not nest). */
function group(svg: string, id: string): string {
  const start = svg.indexOf(`<g id="${id}"`)
  assert.ok(start >= 0, `no element #${id}`)
  return svg.slice(start, svg.indexOf('</g>', start))
}

test('final state: elements for hellogopher and mysql (Deployment, ReplicaSet, Pod), both Services, the NodePort, the namespace', () => {
  const { svg } = draw(finalState())
  for (const [kind, name] of [
    ['Namespace', 'hellogopher'],
    ['Deployment', 'hellogopher'],
    ['Deployment', 'mysql'],
    ['ReplicaSet', 'hellogopher-7d4b9c'],
    ['ReplicaSet', 'mysql-66c8f4'],
    ['Pod', 'hellogopher-7d4b9c-x2x7q'],
    ['Pod', 'mysql-66c8f4-9kq2l'],
    ['Service', 'hellogopher'],
    ['Service', 'mysql'],
    ['ConfigMap', 'database-configs'],
    ['Secret', 'database-secrets'],
  ]) {
    assert.ok(element(svg, kind!, name!), `no ${kind} ${name}`)
  }
  const svc = group(svg, domId('Service', 'hellogopher', 'hellogopher'))
  assert.match(svc, /<text class="line nodeport"[^>]*data-nodeport="31234"[^>]*>NodePort 31234 → 8080\/TCP<\/text>/)
  assert.match(svc, />http:\/\/10\.250\.0\.1:31234</)
  assert.not.match(group(svg, domId('Service', 'hellogopher', 'mysql')), /nodeport/)
  // the old ReplicaSet (scaled to 0) and the API server's Service are not drawn; an empty namespace has no box
  assert.not.ok(element(svg, 'ReplicaSet', 'hellogopher-5f6a1b'))
  assert.not.ok(element(svg, 'Service', 'kubernetes'))
  assert.not.ok(element(svg, 'Namespace', 'default'))
})

test('edges: Deployment → ReplicaSet → Pod, Service → its pods by selector, Pod → ConfigMap/Secret (labelled with the keys)', () => {
  const { d } = draw(finalState())
  const edges = d.namespaces.flatMap((n) => n.edges).map((e) => `${e.kind} ${e.from} → ${e.to}${e.label ? ` [${e.label}]` : ''}`)
  assert.equal(edges.sort(), [
    'env pod--hellogopher--hellogopher-7d4b9c-x2x7q → configmap--hellogopher--database-configs [envFrom]',
    'env pod--hellogopher--hellogopher-7d4b9c-x2x7q → secret--hellogopher--database-secrets [DATABASE_PASSWORD]',
    'env pod--hellogopher--mysql-66c8f4-9kq2l → secret--hellogopher--database-secrets [DATABASE_PASSWORD]',
    'owns deployment--hellogopher--hellogopher → replicaset--hellogopher--hellogopher-7d4b9c',
    'owns deployment--hellogopher--mysql → replicaset--hellogopher--mysql-66c8f4',
    'owns replicaset--hellogopher--hellogopher-7d4b9c → pod--hellogopher--hellogopher-7d4b9c-x2x7q',
    'owns replicaset--hellogopher--mysql-66c8f4 → pod--hellogopher--mysql-66c8f4-9kq2l',
    'selects service--hellogopher--hellogopher → pod--hellogopher--hellogopher-7d4b9c-x2x7q [app=hellogopher]',
    'selects service--hellogopher--mysql → pod--hellogopher--mysql-66c8f4-9kq2l [app=mysql]',
  ])
  // every edge was routed, from its source box's side to its target's
  for (const e of d.namespaces.flatMap((n) => n.edges)) assert.ok(e.points.length >= 2, `${e.from} → ${e.to} has no route`)
})

test('the layout reads left to right: Deployment and Service, then ReplicaSet, then Pod, then ConfigMap/Secret', () => {
  const { d } = draw(finalState())
  const boxes = d.namespaces[0]!.boxes
  const x = (kind: string) => boxes.filter((b) => b.kind === kind).map((b) => b.x + b.width / 2)
  const right = (kind: string) => Math.max(...boxes.filter((b) => b.kind === kind).map((b) => b.x + b.width))
  const left = (kind: string) => Math.min(...boxes.filter((b) => b.kind === kind).map((b) => b.x))
  assert.ok(right('Deployment') < left('ReplicaSet') && right('Service') < left('ReplicaSet'), JSON.stringify({ d: x('Deployment'), rs: x('ReplicaSet') }))
  assert.ok(right('ReplicaSet') < left('Pod'))
  assert.ok(right('Pod') < left('Secret') && right('Pod') < left('ConfigMap'))
})

test('no two boxes overlap, every box is inside its namespace box and the picture', () => {
  const { d } = draw(both())
  assert.is(d.namespaces.length, 2)
  for (const ns of d.namespaces) {
    const bs = ns.boxes
    for (let i = 0; i < bs.length; i++) {
      const a = bs[i]!
      assert.ok(a.x >= ns.x && a.y >= ns.y && a.x + a.width <= ns.x + ns.width && a.y + a.height <= ns.y + ns.height, `${a.id} outside namespace ${ns.name}`)
      assert.ok(ns.x + ns.width <= d.width && ns.y + ns.height <= d.height, `namespace ${ns.name} outside the picture`)
      for (let j = i + 1; j < bs.length; j++) {
        const b = bs[j]!
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y
        assert.ok(apart, `${a.id} overlaps ${b.id}`)
      }
    }
  }
  const [first, second] = d.namespaces
  assert.ok(first!.y + first!.height <= second!.y, 'namespace boxes overlap')
})

test('unhealthy pods are marked (red stroke, class, data-unhealthy, "unhealthy: <reason>"); healthy ones are not', () => {
  const { svg } = draw(both())
  const wrong = group(svg, domId('Pod', 'default', 'hellogopher-aaa111-wrong'))
  assert.match(wrong, /class="node pod unhealthy"/)
  assert.match(wrong, /data-unhealthy="not ready \(Readiness probe failed\)"/)
  assert.match(wrong, /stroke="#d93025" stroke-width="3"/)
  assert.match(wrong, /<text class="line unhealthy-label"[^>]*>unhealthy: not ready \(Readiness probe failed\)<\/text>/)
  assert.match(group(svg, domId('Pod', 'default', 'oom-demo')), />unhealthy: OOMKilled</)
  assert.match(group(svg, domId('Pod', 'default', 'crasher')), />unhealthy: CrashLoopBackOff</)
  assert.match(group(svg, domId('Pod', 'default', 'hellogopher-bbb222-loop')), />unhealthy: not ready \(failed liveness probe/)
  const fine = group(svg, domId('Pod', 'hellogopher', 'hellogopher-7d4b9c-x2x7q'))
  assert.match(fine, /class="node pod"/)
  assert.not.match(fine, /unhealthy/)
  assert.is([...svg.matchAll(/class="node pod unhealthy"/g)].length, 4)
})

test('self-contained and safe: no script, no link, no external font or image, no secret or env value', () => {
  const { svg } = draw(both())
  assert.not.match(svg, /<script|href=|@import|@font-face|url\((?!#)|<image|<foreignObject/i)
  for (const v of [SECRET_VALUE, LITERAL_VALUE]) assert.not.ok(svg.includes(v), `${v} in the SVG`)
  // the key names are drawn, never a value
  assert.match(svg, />• DATABASE_PASSWORD</)
  assert.match(svg, /key names only, never values/)
  assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'))
  assert.is([...svg.matchAll(/<g[ >]/g)].length, [...svg.matchAll(/<\/g>/g)].length, 'unbalanced groups')
})

test('ids are unique; names are escaped', () => {
  const o = both()
  o.services[0]!.spec!.selector = { app: 'a"b<c>&' }
  const { svg } = draw(o)
  const ids = [...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1])
  assert.ok(ids.length > 20)
  assert.is(new Set(ids).size, ids.length, 'duplicate ids')
  assert.is(esc('a"b<c>&'), 'a&quot;b&lt;c&gt;&amp;')
  assert.match(svg, />selector app=a&quot;b&lt;c&gt;&amp;</)
  assert.not.match(svg, /a"b<c>/)
})

test('nothing running: a picture that says so', () => {
  const { svg, d } = draw({ namespaces: ['hellogopher'], existing: new Set(), deployments: [], replicaSets: [], pods: [], services: [], events: [], configMaps: [] })
  assert.is(d.namespaces.length, 0)
  assert.match(svg, />nothing runs in namespace hellogopher</)
})

test('--out: an .svg in an existing directory, or - for stdout; anything else is a usage error', () => {
  assert.is(outPath('/tmp/x.svg'), '/tmp/x.svg')
  assert.is(outPath('-'), undefined)
  assert.throws(() => outPath('/tmp/x.png'), (e: Error) => e instanceof UsageError && /\.svg/.test(e.message))
  assert.throws(() => outPath('/nonexistent-dir-xyz/x.svg'), (e: Error) => e instanceof UsageError && /does not exist/.test(e.message))
})

test.run()
