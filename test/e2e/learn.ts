/**
 * What the learn-by-doing e2e suites share: `lesson N --check` / `--reset` as a learner runs them (timed), its ✔/✘
 * lines read back, the tutorial's manifests as this cluster needs them, and a snapshot of the tutorial's objects to
 * show that a check changed nothing.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as assert from 'uvu/assert'
import { MANIFESTS_DIR } from '../../tasks/lib/tutorial.ts'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import type { KubernetesObject } from '../../tasks/lib/kube.ts'
import { api, expectOk, kube, kubectl, provider, task, type Ran } from './helpers.ts'

export const DEF = 'default'
export const NS = 'hellogopher'
export const APP = 'app=hellogopher'
export const SECRET_B64 = 'cGFzc3dvcmQ='
/** The wrong password lesson 13 patches in: never printed either. */
export const WRONG = 'e2e-learn-not-the-one'

/** Every run's time, in order, for the suite's closing table. */
export const timings: Array<{ what: string; s: number; code: number }> = []

/** Record and print how long a run took. */
export const timed = (what: string, r: Ran): Ran => {
  timings.push({ what, s: r.ms / 1000, code: r.code })
  process.stdout.write(`    ${what}: ${(r.ms / 1000).toFixed(1)} s (exit ${r.code})\n`)
  return r
}

/**
 * No secret value of the tutorial in what a run printed (base64, and the wrong value lesson 13 patches in). The
 * right value is the word `password` itself: a check prints no prompt, so there it must not show as a word at all.
 */
export function noSecrets(r: Ran, what: string, o: { word?: boolean } = {}): void {
  for (const s of [SECRET_B64, WRONG, Buffer.from(WRONG).toString('base64')]) assert.not.ok(`${r.stdout}${r.stderr}`.includes(s), `${what} printed a secret value`)
  if (o.word) assert.not.match(`${r.stdout}${r.stderr}`, /\bpassword\b/, `${what} printed the password`)
}

/** `npx tsx tasks/lesson.ts N --check`, as the learner runs it; prints how long it took. */
export async function check(n: number, extra: string[] = [], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  const r = timed(`lesson ${n} --check${extra.length ? ` ${extra.join(' ')}` : ''}`, await task('lesson.ts', [String(n), '--check', ...extra], opts))
  noSecrets(r, `--check ${n}`, { word: true })
  return r
}

/** `npx tsx tasks/lesson.ts N --reset`; prints how long it took. */
export async function reset(n: number): Promise<Ran> {
  const r = timed(`lesson ${n} --reset`, await task('lesson.ts', [String(n), '--reset']))
  noSecrets(r, `--reset ${n}`)
  return r
}

export interface Verdict {
  mark: string
  text: string
  hint?: string
}

/** The ✔/✘/– lines of a check run, each ✘ with the hint under it. */
export function verdicts(r: Ran): Verdict[] {
  const out: Verdict[] = []
  for (const line of r.stdout.split('\n')) {
    const m = /^([✔✘–…]) {2}(.*)$/.exec(line)
    if (m && m[1] !== '…') out.push({ mark: m[1]!, text: m[2]! })
    const h = /^ {3}hint: (.*)$/.exec(line)
    if (h && out.length) out[out.length - 1]!.hint = h[1]
  }
  return out
}

/** Exit 0, every line ✔ (at least `min` of them), and the closing line counting them all. */
export function passes(r: Ran, n: number, min = 2): void {
  const v = verdicts(r)
  assert.is(r.code, 0, `lesson ${n} --check exited ${r.code}:\n${r.stdout}\n${r.stderr}`)
  assert.ok(v.length >= min, r.stdout)
  assert.ok(v.every((x) => x.mark === '✔'), r.stdout)
  const all = v.length === 1 ? 'the 1 check passed' : `all ${v.length} checks passed`
  assert.match(r.stdout, new RegExp(`^✔ lesson ${n}: ${all} \\(\\d+\\.\\d s\\)$`, 'm'))
}

/** Exit 1, and some ✘ whose hint names the step that was left out. */
export function failsNaming(r: Ran, n: number, step: RegExp): Verdict[] {
  assert.is(r.code, 1, `lesson ${n} --check exited ${r.code}:\n${r.stdout}\n${r.stderr}`)
  const failed = verdicts(r).filter((x) => x.mark === '✘')
  assert.ok(failed.length >= 1, r.stdout)
  assert.ok(failed.some((x) => step.test(x.hint ?? '')), `no hint names ${step}:\n${r.stdout}`)
  assert.match(r.stdout, new RegExp(`^✘ lesson ${n}: \\d+ of \\d+ checks passed`, 'm'))
  process.stdout.write(`    ✘ as expected:\n${r.stdout.split('\n').filter((l) => /^(✘|   hint:)/.test(l)).map((l) => `      ${l}`).join('\n')}\n`)
  return failed
}

/** A tutorial manifest as this cluster needs it (the provider's image swaps, e.g. the lab's MySQL build). */
export function manifest(...rels: string[]): string {
  const swaps = provider().imageOverrides()
  return rels
    .map((rel) => readFileSync(join(MANIFESTS_DIR, rel), 'utf8').replace(/^(\s*image: )(\S+)$/gm, (line, pre: string, image: string) => (swaps[image] ? `${pre}${swaps[image]}` : line)))
    .join('\n---\n')
}

export const ok = async (r: Promise<Ran>, what: string, ns = DEF): Promise<Ran> => {
  const ran = await r
  await expectOk(ran, what, ns)
  return ran
}
export const apply = (ns: string, ...rels: string[]) => ok(kubectl(['apply', '-f', '-'], { input: manifest(...rels) }), `kubectl apply -f ${rels.join(' -f ')}`, ns)
export const rolledOut = (ns: string, name = 'hellogopher') => ok(kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=180s']), `kubectl rollout status deployment/${name}`, ns)

export type Snapshot = Record<string, string>

/** resourceVersion (or, where the cluster itself keeps writing status, the generation) of the tutorial's objects. */
export async function snapshot(ns: string, o: { statusMoves?: boolean } = {}): Promise<Snapshot> {
  const k = kube()
  const snap: Snapshot = {}
  const kinds: Array<[string, string]> = [['apps/v1', 'Deployment'], ['apps/v1', 'ReplicaSet'], ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'Pod']]
  for (const [apiVersion, kind] of kinds) {
    const list = await k.must(`list ${kind}s`, () => api().objects.list(apiVersion, kind, ns))
    for (const item of list.items as KubernetesObject[]) {
      const m = item.metadata!
      // restarts climbing (lessons 7, 8) move pod, ReplicaSet and Deployment status: their spec must not move
      const moving = o.statusMoves && ['Pod', 'ReplicaSet', 'Deployment'].includes(kind)
      snap[`${kind}/${m.name}`] = moving ? (kind === 'Pod' ? 'exists' : `generation ${m.generation}`) : `rv ${m.resourceVersion}`
    }
  }
  return snap
}

/** A snapshot that stays the same for 3 s: what is left of a rollout (status writes) has settled. */
export async function quiet(ns: string, o: { statusMoves?: boolean } = {}): Promise<Snapshot> {
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
export async function unchangedBy(ns: string, run: () => Promise<Ran>, o: { statusMoves?: boolean } = {}): Promise<Ran> {
  const before = await quiet(ns, o)
  const r = await run()
  const after = await snapshot(ns, o)
  assert.equal(after, before, `the check changed objects in ${ns}`)
  return r
}

export const readyPods = async (ns: string) => (await kube().listPods(ns, APP)).filter(isPodReady)

/** The suite's timings as one table (the closing note quotes it). */
export function printTimings(title: string): void {
  process.stdout.write(`\n    ${title}\n`)
  for (const t of timings) process.stdout.write(`      ${t.what.padEnd(48)} ${t.s.toFixed(1).padStart(6)} s  exit ${t.code}\n`)
  const total = timings.reduce((n, t) => n + t.s, 0)
  process.stdout.write(`      ${'total'.padEnd(48)} ${total.toFixed(1).padStart(6)} s\n`)
}
