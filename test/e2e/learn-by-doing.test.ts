/**
 * Learn by doing, on the e2e cluster: lessons 3–7, 10, 12 and 13 done BY HAND, the way a learner types them (kubectl
 * with the tutorial's YAML — never the project's own tasks), one after the other as the tutorial goes. For each:
 * with one step left out, `lesson N --check` fails and its hint names that step; with the step done it passes; and
 * the check leaves the tutorial's objects as they were (their resourceVersions before and after). Also `--reset N`
 * then `--check N−1` passes (N = 5 and 3, which also start the run from a known point).
 *
 * The cases share the cluster's state in order (each lesson starts where the one before left it): run the file whole.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseAllDocuments } from 'yaml'
import { MANIFESTS_DIR } from '../../tasks/lib/context.ts'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import type { KubernetesObject, V1Pod } from '../../tasks/lib/kube.ts'
import { expectOk, kube, kubectl, lesson, provider, task, type Ran } from './helpers.ts'

const DEF = 'default'
const NS = 'hellogopher'
const APP = 'app=hellogopher'
const SECRET_B64 = 'cGFzc3dvcmQ='
const WRONG = 'e2e-learn-not-the-one'

/** `npx tsx tasks/lesson.ts N --check`, as the learner runs it; prints how long it took. */
async function check(n: number): Promise<Ran> {
  const r = await task('lesson.ts', [String(n), '--check'])
  process.stdout.write(`    lesson ${n} --check: ${(r.ms / 1000).toFixed(1)} s (exit ${r.code})\n`)
  for (const s of [SECRET_B64, WRONG, Buffer.from(WRONG).toString('base64')]) assert.not.ok(`${r.stdout}${r.stderr}`.includes(s), `--check ${n} printed a secret value`)
  return r
}

interface Verdict {
  mark: string
  text: string
  hint?: string
}

/** The ✔/✘/– lines of a check run, each ✘ with the hint under it. */
function verdicts(r: Ran): Verdict[] {
  const out: Verdict[] = []
  for (const line of r.stdout.split('\n')) {
    const m = /^([✔✘–…]) {2}(.*)$/.exec(line)
    if (m && m[1] !== '…') out.push({ mark: m[1]!, text: m[2]! })
    const h = /^ {3}hint: (.*)$/.exec(line)
    if (h && out.length) out[out.length - 1]!.hint = h[1]
  }
  return out
}

function passes(r: Ran, n: number): void {
  const v = verdicts(r)
  assert.is(r.code, 0, `lesson ${n} --check exited ${r.code}:\n${r.stdout}\n${r.stderr}`)
  assert.ok(v.length >= 2, r.stdout)
  assert.ok(v.every((x) => x.mark === '✔'), r.stdout)
  assert.match(r.stdout, new RegExp(`^✔ lesson ${n}: all ${v.length} checks passed \\(\\d+\\.\\d s\\)$`, 'm'))
}

/** Exit 1, and some ✘ whose hint names the step that was left out. */
function failsNaming(r: Ran, n: number, step: RegExp): void {
  assert.is(r.code, 1, `lesson ${n} --check exited ${r.code}:\n${r.stdout}\n${r.stderr}`)
  const failed = verdicts(r).filter((x) => x.mark === '✘')
  assert.ok(failed.length >= 1, r.stdout)
  assert.ok(failed.some((x) => step.test(x.hint ?? '')), `no hint names ${step}:\n${r.stdout}`)
  assert.match(r.stdout, new RegExp(`^✘ lesson ${n}: \\d+ of \\d+ checks passed`, 'm'))
}

/** A tutorial manifest as this cluster needs it (the provider's image swaps, e.g. the lab's MySQL build). */
function manifest(...rels: string[]): string {
  const swaps = provider().imageOverrides()
  return rels
    .map((rel) => readFileSync(join(MANIFESTS_DIR, rel), 'utf8').replace(/^(\s*image: )(\S+)$/gm, (line, pre: string, image: string) => (swaps[image] ? `${pre}${swaps[image]}` : line)))
    .join('\n---\n')
}

const ok = async (r: Promise<Ran>, what: string, ns = DEF) => {
  const ran = await r
  await expectOk(ran, what, ns)
  return ran
}
const apply = (ns: string, ...rels: string[]) => ok(kubectl(['apply', '-f', '-'], { input: manifest(...rels) }), `kubectl apply -f ${rels.join(' -f ')}`, ns)
const rolledOut = (ns: string, name = 'hellogopher') => ok(kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=180s']), `kubectl rollout status deployment/${name}`, ns)

type Snapshot = Record<string, string>

/** resourceVersion (or, where the cluster itself keeps writing status, the generation) of the tutorial's objects. */
async function snapshot(ns: string, o: { statusMoves?: boolean } = {}): Promise<Snapshot> {
  const k = kube()
  const snap: Snapshot = {}
  const kinds: Array<[string, string]> = [['apps/v1', 'Deployment'], ['apps/v1', 'ReplicaSet'], ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'Pod']]
  for (const [apiVersion, kind] of kinds) {
    const list = await k.must(`list ${kind}s`, () => k.objects.list(apiVersion, kind, ns))
    for (const item of list.items as KubernetesObject[]) {
      const m = item.metadata!
      // restarts climbing (lesson 7) move pod, ReplicaSet and Deployment status: their spec must not move
      const moving = o.statusMoves && ['Pod', 'ReplicaSet', 'Deployment'].includes(kind)
      snap[`${kind}/${m.name}`] = moving ? (kind === 'Pod' ? 'exists' : `generation ${m.generation}`) : `rv ${m.resourceVersion}`
    }
  }
  return snap
}

/** A snapshot that stays the same for 3 s: what is left of a rollout (status writes) has settled. */
async function quiet(ns: string, o: { statusMoves?: boolean } = {}): Promise<Snapshot> {
  let last = await snapshot(ns, o)
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 3000))
    const now = await snapshot(ns, o)
    if (JSON.stringify(now) === JSON.stringify(last)) return now
    last = now
  }
  throw new Error(`the objects in ${ns} kept changing for a minute; cannot compare around a check`)
}

/** Run the check between two snapshots: it must change none of the tutorial's objects. */
async function unchangedBy(ns: string, run: () => Promise<Ran>, o: { statusMoves?: boolean } = {}): Promise<Ran> {
  const before = await quiet(ns, o)
  const r = await run()
  const after = await snapshot(ns, o)
  assert.equal(after, before, `the check changed objects in ${ns}`)
  return r
}

const readyPods = async (ns: string) => (await kube().listPods(ns, APP)).filter(isPodReady)

test('--reset 5, then --check 4 passes (the cluster as lessons 0–4 leave it)', async () => {
  // setup, not a lesson step: every tag the hand-typed lessons use (1.0–5.0) in the cluster's runtime; skips what is there
  await expectOk(await task('build-images.ts'), 'build-images (setup)')
  const r = await lesson(5, ['--reset'])
  await expectOk(r, 'lesson 5 --reset', DEF)
  assert.match(r.stdout, /lessons 0–4 leave it: lesson 5 \(labels\) starts here\./)
  assert.match(r.stdout, /Then check it: +npx tsx tasks\/lesson\.ts 5 --check/)
  passes(await check(4), 4)
})

test('--reset 3, then --check 2 passes; nothing of the tutorial is left in default', async () => {
  const r = await lesson(3, ['--reset'])
  await expectOk(r, 'lesson 3 --reset', DEF)
  passes(await check(2), 2)
  assert.is(await kube().getDeployment(DEF, 'hellogopher'), undefined)
  assert.is(await kube().read({ apiVersion: 'v1', kind: 'Service', name: 'hellogopher', namespace: DEF }), undefined)
})

test('lesson 3 by hand: without kubectl create --check fails naming it; with it, passes and changes nothing', async () => {
  failsNaming(await check(3), 3, /kubectl create -f hellogopher\.yml/)
  await ok(kubectl(['create', '-f', '-'], { input: manifest('lessons/03-hellogopher.yml') }), 'kubectl create -f hellogopher.yml')
  await rolledOut(DEF)
  passes(await unchangedBy(DEF, () => check(3)), 3)
})

test('lesson 4 by hand: without kubectl expose --check fails naming it; with it, passes', async () => {
  failsNaming(await check(4), 4, /kubectl expose deployment hellogopher/)
  await ok(kubectl(['expose', 'deployment', 'hellogopher', '--type=NodePort', '--port=8080', '-n', DEF]), 'kubectl expose')
  passes(await unchangedBy(DEF, () => check(4)), 4)
})

test('lesson 5 by hand: labels; without the delete by label --check fails naming it; with it, passes', async () => {
  const [first] = await readyPods(DEF)
  assert.ok(first, 'no Ready hellogopher pod to label')
  const pod = first!.metadata!.name!
  await ok(kubectl(['label', `po/${pod}`, 'author=percy', '-n', DEF]), 'kubectl label author=percy')
  const refused = await kubectl(['label', `po/${pod}`, 'author=ironman', '-n', DEF])
  assert.is.not(refused.code, 0, 'kubectl label without --overwrite went through')
  await ok(kubectl(['label', `po/${pod}`, 'author=ironman', '--overwrite', '-n', DEF]), 'kubectl label --overwrite')
  await ok(kubectl(['label', `po/${pod}`, 'author-', '-n', DEF]), 'kubectl label author-')
  await ok(kubectl(['get', 'pods', '--selector', APP, '-n', DEF]), 'kubectl get pods --selector')
  failsNaming(await check(5), 5, /kubectl delete pods -l app=hellogopher/)
  await ok(kubectl(['delete', 'pods', '-l', APP, '-n', DEF]), 'kubectl delete pods -l app=hellogopher')
  await kube().waitForPod(DEF, APP, (p) => p.metadata?.name !== pod && isPodReady(p), { timeoutMs: 90_000, what: 'the new hellogopher pod' })
  passes(await unchangedBy(DEF, () => check(5)), 5)
})

test('lesson 6 by hand: the probe fixed without the wrong port first → --check names that step; then both → passes', async () => {
  // the step left out: straight to the probe on 8080
  await apply(DEF, 'lessons/06-readiness-fixed.yml')
  await rolledOut(DEF)
  failsNaming(await check(6), 6, /probe on a port the app does not serve/)
  await apply(DEF, 'lessons/06-readiness-wrong-port.yml')
  const wrong = await kube().waitForPod(DEF, APP, (p) => String(p.spec?.containers[0]?.readinessProbe?.httpGet?.port) === '8081' && p.status?.phase === 'Running', { timeoutMs: 60_000, what: 'a pod probed on 8081 to run' })
  assert.not.ok(isPodReady(wrong), 'the pod probed on 8081 is ready')
  await apply(DEF, 'lessons/06-readiness-fixed.yml')
  await rolledOut(DEF)
  passes(await unchangedBy(DEF, () => check(6)), 6)
})

test('lesson 7 by hand: kubectl set image without the liveness probe → --check names it; with the probe → restarts seen, passes', async () => {
  const image2 = provider().imageOverrides()['programmingpercy/hellogopher:2.0'] ?? 'programmingpercy/hellogopher:2.0'
  await ok(kubectl(['set', 'image', 'deployment/hellogopher', `hellogopher=${image2}`, '-n', DEF]), 'kubectl set image … 2.0')
  failsNaming(await check(7), 7, /a livenessProbe .*in hellogopher\.yml/)
  await apply(DEF, 'lessons/07-liveness.yml')
  await rolledOut(DEF)
  const fresh = (await kube().listPods(DEF, APP)).filter((p) => !p.metadata?.deletionTimestamp && p.spec?.containers[0]?.livenessProbe)
  const restartedAlready = fresh.some((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0)
  const r = await unchangedBy(DEF, () => check(7), { statusMoves: true })
  passes(r, 7)
  if (!restartedAlready) assert.match(r.stdout, /^… {2}waiting up to 120s for the liveness probe to restart the 2\.0 container/m)
  assert.match(r.stdout, /^✔ {2}the restart count climbing; .*Liveness probe failed/m)
})

test('lesson 10 by hand: kubernetes/ applied, moved out of default, exposed; without set-context --check names it; then passes', async () => {
  await apply(NS, '00_namespace.yml', 'lessons/10-database.yml', 'lessons/10-hellogopher.yml')
  await ok(kubectl(['expose', 'deployment', 'hellogopher', '--type=NodePort', '--port=8080', '-n', NS]), 'kubectl expose -n hellogopher', NS)
  await ok(kubectl(['delete', 'deployment/hellogopher', 'service/hellogopher', '-n', DEF, '--wait=false']), 'kubectl delete … -n default')
  failsNaming(await check(10), 10, /kubectl config set-context --current --namespace=/)
  await ok(kubectl(['config', 'set-context', '--current', '--namespace=hellogopher']), 'kubectl config set-context', NS)
  await rolledOut(NS, 'mysql')
  await rolledOut(NS)
  passes(await unchangedBy(NS, () => check(10)), 10)
})

test('lesson 12 by hand: ConfigMaps, configMapKeyRef, envFrom; without declaring it in a file --check names that; then passes', async () => {
  await ok(kubectl(['create', 'configmap', 'hellogopher-config', '--from-literal=log_level=debug', '-n', NS]), 'create configmap --from-literal', NS)
  await ok(kubectl(['create', 'configmap', 'database-configs', `--from-env-file=${join(MANIFESTS_DIR, 'lessons', '12-dbConfig.properties')}`, '-n', NS]), 'create configmap --from-env-file', NS)
  await apply(NS, 'lessons/12-configmapkeyref.yml')
  await rolledOut(NS)
  await apply(NS, 'lessons/12-envfrom.yml')
  await rolledOut(NS)
  failsNaming(await check(12), 12, /declare it in 01_database\.yml/)
  await ok(kubectl(['delete', 'configmap', 'database-configs', '-n', NS]), 'delete the hand-made configmap', NS)
  await apply(NS, 'lessons/12-database.yml')
  passes(await unchangedBy(NS, () => check(12)), 12)
})

test('lesson 13 by hand: Secret + secretKeyRef; without kubectl patch --check names it; wrong value, restart, heal → passes', async () => {
  await apply(NS, '01_database.yml')
  await rolledOut(NS, 'mysql')
  // MySQL restarted (its password now comes from the Secret): the app connects once it listens again
  const mysql = (await kube().listPods(NS, 'app=mysql')).find((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running')
  assert.ok(mysql, 'no running mysql pod')
  await kube().waitForLog(NS, mysql!.metadata!.name!, 'mysql', /(Version:|ready for connections).*port: 3306/, { timeoutMs: 120_000, what: 'MySQL to listen on 3306' })
  await apply(NS, 'lessons/13-secretkeyref.yml')
  await rolledOut(NS)
  failsNaming(await check(13), 13, /kubectl patch secret database-secrets/)

  const dir = mkdtempSync(join(tmpdir(), 'learn-e2e-'))
  const patch = (b64: string) => {
    const file = join(dir, 'patch.json')
    writeFileSync(file, JSON.stringify([{ op: 'replace', path: '/data/DATABASE_PASSWORD', value: b64 }]), { mode: 0o600 })
    return kubectl(['patch', 'secret', 'database-secrets', '-n', NS, '--type=json', '--patch-file', file])
  }
  try {
    await ok(patch(Buffer.from(WRONG).toString('base64')), 'kubectl patch secret (wrong value)', NS)
    const before = new Set((await kube().listPods(NS, APP)).map((p) => p.metadata?.name))
    await ok(kubectl(['rollout', 'restart', 'deployment', 'hellogopher', '-n', NS]), 'kubectl rollout restart', NS)
    await kube().waitForPod(NS, APP, (p: V1Pod) => {
      if (before.has(p.metadata?.name)) return false
      const c = p.status?.containerStatuses?.[0]
      return ((c?.lastState?.terminated ?? c?.state?.terminated)?.exitCode ?? 0) !== 0
    }, { timeoutMs: 90_000, what: 'the restarted app to fail to connect' })
    const docs = parseAllDocuments(readFileSync(join(MANIFESTS_DIR, '01_database.yml'), 'utf8')).map((d) => d.toJS() as { kind?: string; data?: Record<string, string> })
    const right = docs.find((d) => d.kind === 'Secret')!.data!.DATABASE_PASSWORD!
    await ok(patch(right), 'kubectl patch secret (the right value back)', NS)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  await ok(kubectl(['rollout', 'restart', 'deployment', 'hellogopher', '-n', NS]), 'kubectl rollout restart (healed)', NS)
  await rolledOut(NS)
  passes(await unchangedBy(NS, () => check(13)), 13)
})

test('afterwards: the context namespace back to default (as lesson 15 leaves it)', async () => {
  await ok(kubectl(['config', 'set-context', '--current', '--namespace=default']), 'kubectl config set-context default')
})

test.run()
