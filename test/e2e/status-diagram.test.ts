/**
 * status and diagram on the lab, the way a person sees them: the final state as text and as a picture rendered
 * by headless Chromium (a PNG is kept under the OS temp dir and its path printed; the elements for hellogopher,
 * mysql, both Services and the NodePort are found in the DOM Chromium built); lesson 6's pod with the wrong
 * readiness port marked unhealthy in the picture (and the ready one beside it not); `status --watch` in a real
 * terminal (tmux) while lesson 7 runs — the restart count climbs on screen, Unhealthy and Killing show — and into
 * a pipe, one line per change.
 * No Secret value in any of it. Ends with teardown, as lesson 15 leaves the cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../tasks/lib/tutorial.ts'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import type { V1Pod } from '../../tasks/lib/kube.ts'
import { dumpDom, measure, pngSize, screenshot, svgSize, type Measured } from './browser.ts'
import { createShell } from '../../tasks/lib/shell.ts'
import { urlOf } from '../../tasks/lib/view/urls.ts'
import { api, E2E_PROVIDER, expectOk, kube, kubectl, labEnv, lesson, provider, sh, task } from './helpers.ts'

const NS = 'hellogopher'
/** Stable: the lead's closing note points at these. */
const OUT = join(tmpdir(), 'learn-k8s-easy-e2e')
const FINAL_SVG = join(OUT, 'diagram-final-state.svg')
const FINAL_PNG = join(OUT, 'diagram-final-state.png')
const LESSON6_SVG = join(OUT, 'diagram-lesson-6-unhealthy.svg')
const LESSON6_PNG = join(OUT, 'diagram-lesson-6-unhealthy.png')
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx')
// like helpers' task(): off the lab, name the provider (another context may be current)
const PROVIDER = E2E_PROVIDER === 'lab' ? [] : ['--provider', E2E_PROVIDER as string]
const V2 = 'programmingpercy/hellogopher:2.0'

/** The Secret's value as the cluster has it (the test reads it; the tasks never do), base64 and decoded. */
async function secretValues(): Promise<string[]> {
  const s = await api().core.readNamespacedSecret({ namespace: NS, name: 'database-secrets' })
  const b64 = s.data?.DATABASE_PASSWORD
  assert.ok(b64, 'database-secrets has no DATABASE_PASSWORD')
  return [b64, Buffer.from(b64, 'base64').toString('utf8')]
}

const find = (m: Measured[], kind: string, name: string | RegExp) => m.filter((x) => x.kind === kind && (typeof name === 'string' ? x.name === name : name.test(x.name)))

test.before(() => {
  mkdirSync(OUT, { recursive: true })
})

test('final state: status once shows the Deployments, pods, Services with the NodePort URL, and the keys read — never a value', async () => {
  await expectOk(await task('up.ts'), 'up', NS)
  const r = await task('status.ts', ['-n', NS])
  await expectOk(r, 'status', NS)
  process.stdout.write(`    status (final state):\n${r.stdout.replace(/^/gm, '      ')}\n`)
  const svc = await api().core.readNamespacedService({ namespace: NS, name: 'hellogopher' })
  const nodePort = svc.spec?.ports?.[0]?.nodePort
  const lines = r.stdout.split('\n')
  assert.match(lines[0]!, new RegExp(`\\(${E2E_PROVIDER}\\) · \\d\\d:\\d\\d:\\d\\d UTC$`))
  assert.ok(lines.includes('namespace hellogopher'), r.stdout)
  assert.ok(lines.includes('  deployment/hellogopher  1/1 ready  programmingpercy/hellogopher:5.0  rolled out'), r.stdout)
  assert.ok(lines.some((l) => /^ {2}deployment\/mysql {2}1\/1 ready {2}\S+ {2}rolled out$/.test(l)), r.stdout)
  assert.ok(lines.some((l) => /^ {6}pod\/hellogopher-\S+ {2}Running {2}1\/1 {2}restarts \d+ {2}age \S+/.test(l)), r.stdout)
  assert.ok(lines.some((l) => /^ {6}pod\/mysql-\S+ {2}Running {2}1\/1 {2}restarts \d+/.test(l)), r.stdout)
  assert.ok(lines.includes('        reads configmap/database-configs (envFrom: DATABASE_NAME, DATABASE_USERNAME) · secret/database-secrets (DATABASE_PASSWORD)'), r.stdout)
  // the URL as the provider gives it (the e2e helpers' own way to reach the app)
  const url = await urlOf(await provider().serviceUrl(createShell(), kube(), NS, 'hellogopher'))
  assert.ok(lines.includes(`  service/hellogopher  NodePort  8080:${nodePort}/TCP  selects app=hellogopher → 1 pod  ${url}`), r.stdout)
  assert.ok(lines.includes('  service/mysql  ClusterIP  3306/TCP  selects app=mysql → 1 pod'), r.stdout)
  assert.not.match(r.stdout, /UNHEALTHY/)
  for (const v of await secretValues()) assert.not.ok(`${r.stdout}${r.stderr}`.includes(v), 'a Secret value was printed')
})

test('final state: the diagram, rendered by Chromium — elements for hellogopher, mysql, both Services and the NodePort; a PNG', async () => {
  rmSync(FINAL_SVG, { force: true })
  const r = await task('diagram.ts', ['--out', FINAL_SVG, '-n', NS])
  await expectOk(r, 'diagram', NS)
  assert.match(r.stdout, new RegExp(`^wrote ${FINAL_SVG.replace(/[.]/g, '\\.')} \\(\\d+ pods\\)$`, 'm'))
  const svg = readFileSync(FINAL_SVG, 'utf8')
  for (const v of await secretValues()) assert.not.ok(svg.includes(v), 'a Secret value is in the SVG')
  assert.not.match(svg, /<script|href=|@import|@font-face|<image/i)

  // the file as a browser parses it: well-formed, the objects there by data-kind / data-name
  const dom = await dumpDom(FINAL_SVG)
  assert.match(dom, /^<svg /)
  assert.not.match(dom, /parsererror|This page contains the following errors/)
  for (const [kind, name] of [['Deployment', 'hellogopher'], ['Deployment', 'mysql'], ['Service', 'hellogopher'], ['Service', 'mysql'], ['Namespace', NS]]) {
    assert.match(dom, new RegExp(`data-kind="${kind}" data-name="${name}"`), `no ${kind} ${name} in the DOM`)
  }

  // laid out with this machine's fonts: every object drawn with a size, every line of text inside its box
  const m = await measure(FINAL_SVG)
  const nodePort = String((await api().core.readNamespacedService({ namespace: NS, name: 'hellogopher' })).spec?.ports?.[0]?.nodePort)
  assert.is(find(m, 'Service', 'hellogopher')[0]?.nodePort, nodePort, 'the hellogopher Service shows no (or another) NodePort')
  assert.ok(find(m, 'Service', 'hellogopher')[0]!.texts.some((t) => t.text === `NodePort ${nodePort} → 8080/TCP`))
  assert.is(find(m, 'Service', 'mysql')[0]?.nodePort, undefined)
  assert.ok(find(m, 'Pod', /^hellogopher-/).length >= 1, 'no hellogopher pod drawn')
  assert.ok(find(m, 'Pod', /^mysql-/).length >= 1, 'no mysql pod drawn')
  assert.is(find(m, 'ConfigMap', 'database-configs').length, 1)
  assert.is(find(m, 'Secret', 'database-secrets').length, 1)
  for (const x of m) {
    assert.ok(x.width > 20 && x.height > 20, `${x.kind} ${x.name} drawn ${x.width}×${x.height}`)
    const over = x.texts.filter((t) => !t.fits).map((t) => t.text)
    assert.equal(over, [], `text outside the ${x.kind} ${x.name} box`)
  }
  assert.equal(m.filter((x) => x.unhealthy).map((x) => x.name), [], 'a pod of the final state is marked unhealthy')

  rmSync(FINAL_PNG, { force: true })
  const shot = await screenshot(FINAL_SVG, FINAL_PNG)
  assert.is(shot.code, 0, shot.stderr.slice(-500))
  const png = pngSize(FINAL_PNG)
  assert.equal({ width: png.width, height: png.height }, svgSize(svg))
  assert.ok(png.bytes > 20_000, `the screenshot is ${png.bytes} bytes: blank?`)
  process.stdout.write(`    diagram of the final state: ${FINAL_SVG}\n    screenshot: ${FINAL_PNG} (${png.width}×${png.height}, ${Math.round(png.bytes / 1024)} KB)\n`)
})

test('lesson 6: the pod with the wrong readiness port is marked unhealthy in the diagram; the ready one is not', async () => {
  await expectOk(await lesson(6), 'lesson 6', 'default')
  // lesson 6 ends fixed (probe on 8080, 1/1); break it again as the learner first did: the rolling update keeps the
  // ready pod and adds one probed on 8081 that never becomes ready, so the picture has one of each, for as long as needed
  await expectOk(await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(ROOT, 'manifests', 'lessons', '06-readiness-wrong-port.yml')]), 'kubectl apply the wrong port', 'default')
  const port = (p: V1Pod) => String(p.spec?.containers[0]?.readinessProbe?.httpGet?.port)
  const wrong = await kube().waitForPod('default', 'app=hellogopher', (p) => port(p) === '8081' && p.status?.phase === 'Running' && !isPodReady(p), {
    timeoutMs: 90_000,
    what: 'the pod probed on 8081 Running and not ready',
  })
  const wrongPod = wrong.metadata!.name!
  const fine = (await kube().listPods('default', 'app=hellogopher')).filter((p) => port(p) === '8080' && isPodReady(p)).map((p) => p.metadata!.name!)
  assert.is(fine.length, 1, 'the ready pod probed on 8080 is gone')

  rmSync(LESSON6_SVG, { force: true })
  const d = await task('diagram.ts', ['--out', LESSON6_SVG, '-n', 'default'])
  await expectOk(d, 'diagram after lesson 6', 'default')
  assert.match(d.stdout, new RegExp(`unhealthy: ${wrongPod} \\(not ready`), d.stdout)
  const m = await measure(LESSON6_SVG)
  const pod = find(m, 'Pod', wrongPod)[0]
  assert.ok(pod, `pod ${wrongPod} not in the diagram: ${m.map((x) => `${x.kind}/${x.name}`).join(', ')}`)
  assert.match(pod.cls, /\bunhealthy\b/)
  assert.match(pod.unhealthy ?? '', /^not ready/)
  assert.ok(pod.texts.some((t) => t.cls.includes('unhealthy-label') && /^unhealthy: not ready/.test(t.text) && t.fits), JSON.stringify(pod.texts))
  const ok = find(m, 'Pod', fine[0]!)[0]
  assert.ok(ok, `the ready pod ${fine[0]} is not in the diagram`)
  assert.not.match(ok.cls, /unhealthy/)
  assert.is(ok.unhealthy, undefined)
  const shot = await screenshot(LESSON6_SVG, LESSON6_PNG)
  assert.is(shot.code, 0, shot.stderr.slice(-500))
  process.stdout.write(`    diagram with lesson 6's wrong readiness port: ${LESSON6_SVG}\n    screenshot: ${LESSON6_PNG}\n`)
})

// ---- lesson 7 watched by `status --watch`: in tmux (a real terminal) and into a pipe

const TMUX = ['-L', `learn-k8s-e2e-${process.pid}`]
const tmux = (args: string[]) => sh('tmux', [...TMUX, ...args], { timeoutMs: 20_000 })
const capture = async () => (await tmux(['capture-pane', '-p', '-t', 'status'])).stdout
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface PodRow {
  name: string
  image: string
  restarts: number
  line: string
}

/** The pod lines of a status screen, each with the image of the ReplicaSet line above it. */
function podRows(screen: string): PodRow[] {
  const rows: PodRow[] = []
  let image = ''
  for (const line of screen.split('\n')) {
    const rs = /^\s+replicaset\/\S+.*\s(\S+)$/.exec(line)
    if (rs) image = rs[1]!
    const p = /^( +)pod\/(\S+)\s{2}\S+\s{2}\d+\/\d+\s{2}restarts (\d+)/.exec(line)
    // a pod of a ReplicaSet is indented under it (6 spaces); one of its own (2) has no ReplicaSet image
    if (p) rows.push({ name: p[2]!, image: p[1]!.length === 6 ? image : '', restarts: Number(p[3]), line })
  }
  return rows
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`)
    await sleep(500)
  }
}

test('lesson 7 under status --watch: on a terminal the restart count climbs and Unhealthy/Killing show; piped, one line per change; Ctrl-C exits 0', async () => {
  const cmd = `cd ${ROOT} && ${TSX} tasks/status.ts --watch -n default ${PROVIDER.join(' ')}; echo "status exited $?"; sleep 600`
  let piped: ChildProcess | undefined
  try {
    await tmux(['kill-server'])
    const started = await tmux(['new-session', '-d', '-s', 'status', '-x', '200', '-y', '50', `bash -c '${cmd}'`])
    assert.is(started.code, 0, `tmux new-session: ${started.stderr}`)
    await tmux(['set-option', '-t', 'status', 'remain-on-exit', 'on'])

    let pipeOut = ''
    piped = spawn(TSX, ['tasks/status.ts', '--watch', '-n', 'default', ...PROVIDER], { cwd: ROOT, env: labEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    piped.stdout!.on('data', (d) => (pipeOut += d))
    let pipeErr = ''
    piped.stderr!.on('data', (d) => (pipeErr += d))
    const pipedExit = new Promise<number | null>((resolve) => piped!.on('close', (code) => resolve(code)))

    await until('status --watch on the terminal', 60_000, async () => ((await capture()).includes('namespace default') ? true : undefined))
    await until('status --watch into the pipe', 60_000, async () => (/ namespace default {2}there$/m.test(pipeOut) ? true : undefined))

    const screens: string[] = []
    const lessonRun = lesson(7)
    let finished = false
    void lessonRun.finally(() => (finished = true))
    while (!finished) {
      screens.push(await capture())
      await sleep(1000)
    }
    const r = await lessonRun
    await expectOk(r, 'lesson 7', 'default')
    // the screen may be a moment behind the lesson: look until a restarted 2.0 pod shows (or 30 s)
    await until('a restarted 2.0 pod on the screen', 30_000, async () => {
      const s = await capture()
      screens.push(s)
      return podRows(s).some((p) => p.image === V2 && p.restarts >= 1) ? true : undefined
    }).catch(() => undefined)

    // redrawn in place: every capture is one screen with one header, never a scroll of them
    for (const s of screens.filter((x) => x.includes('namespace default'))) {
      assert.is(s.split('\n').filter((l) => /watching \S+ Ctrl-C to stop/.test(l)).length, 1, `not one screen:\n${s}`)
    }
    const byPod = new Map<string, number[]>()
    for (const s of screens) for (const p of podRows(s).filter((x) => x.image === V2)) byPod.set(p.name, [...(byPod.get(p.name) ?? []), p.restarts])
    const climbed = [...byPod].filter(([, seq]) => seq.includes(0) && seq.some((n) => n >= 1))
    assert.ok(climbed.length >= 1, `no 2.0 pod seen with 0 and then ≥1 restarts on the screen: ${JSON.stringify([...byPod])}\nlast screen:\n${screens.at(-1)}`)
    for (const [name, seq] of byPod) assert.equal(seq, [...seq].sort((a, b) => a - b), `restarts of ${name} went down on the screen: ${seq.join(',')}`)
    const v2Lines = screens.flatMap((s) => podRows(s).filter((p) => p.image === V2).map((p) => p.line))
    assert.ok(v2Lines.some((l) => /events .*Unhealthy \S*\d+/.test(l)), `no Unhealthy on the screen:\n${v2Lines.slice(-3).join('\n')}`)
    assert.ok(v2Lines.some((l) => /events .*Killing \S*\d+/.test(l)), `no Killing on the screen:\n${v2Lines.slice(-3).join('\n')}`)
    const last = screens.filter((s) => podRows(s).some((p) => p.image === V2 && p.restarts >= 1)).at(-1) ?? screens.at(-1)!
    process.stdout.write(`    status --watch during lesson 7 (tmux capture-pane):\n${last.trimEnd().replace(/^/gm, '      ')}\n`)

    // Ctrl-C: exit 0, the terminal given back (the alternate screen is gone, the shell's line shows)
    const sent = await tmux(['send-keys', '-t', 'status', 'C-c'])
    assert.is(sent.code, 0, sent.stderr)
    const after = await until('status to exit after Ctrl-C', 15_000, async () => {
      const s = await capture()
      return /status exited \d+/.test(s) ? s : undefined
    })
    assert.match(after, /status exited 0/)
    assert.not.match(after, /watching \S+ Ctrl-C to stop/)

    // piped: stopped with SIGTERM, exit 0; every line is one object that changed (no escape codes, no repeats)
    piped.kill('SIGTERM')
    assert.is(await pipedExit, 0, `piped status: ${pipeErr.slice(-500)}`)
    const lines = pipeOut.trimEnd().split('\n')
    assert.not.match(pipeOut, /\x1b/)
    const lastByKey = new Map<string, string>()
    for (const l of lines) {
      const m = /^\d\d:\d\d:\d\d ((?:namespace|deployment|replicaset|pod|service) \S+) {2}(.+)$/.exec(l)
      if (!m) {
        assert.match(l, /^\d\d:\d\d:\d\d (watch of |watches back|no URL )/, `not a change line: ${l}`)
        continue
      }
      assert.is.not(lastByKey.get(m[1]!), m[2], `printed twice with nothing changed: ${l}`)
      lastByKey.set(m[1]!, m[2]!)
    }
    const podLines = (name: string) => lines.filter((l) => l.includes(` pod default/${name}  `))
    const [name] = climbed[0]!
    const restarts = podLines(name).map((l) => /restarts (\d+)/.exec(l)?.[1]).filter(Boolean).map(Number)
    assert.ok(restarts.includes(0) && restarts.some((n) => n >= 1), `piped lines of ${name}: ${podLines(name).join('\n')}`)
    assert.ok(podLines(name).some((l) => /Unhealthy/.test(l)) && podLines(name).some((l) => /Killing/.test(l)), podLines(name).join('\n'))
    process.stdout.write(`    piped: ${lines.length} change lines, ${podLines(name).length} about pod/${name}\n`)
  } finally {
    if (piped && piped.exitCode === null) piped.kill('SIGKILL')
    await tmux(['kill-server'])
  }
})

test('teardown: nothing of the tutorial left (as lesson 15 leaves the cluster)', async () => {
  await expectOk(await task('teardown.ts'), 'teardown', NS)
  assert.is(await kube().read({ apiVersion: 'v1', kind: 'Namespace', name: NS }), undefined)
  // the Deployment is gone; its pods are collected after it (a terminating one may take its grace period)
  const left = await until('the hellogopher pods to be gone', 60_000, async () => {
    const pods = await kube().listPods('default', 'app=hellogopher')
    return pods.length === 0 ? [] : undefined
  }).catch(async () => (await kube().listPods('default', 'app=hellogopher')).map((p) => p.metadata?.name))
  assert.equal(left, [])
})

test.run()
