/**
 * tasks/lesson.ts and tasks/lessons/: the lesson list, finding a lesson by number or name, usage errors, every
 * lesson's plan under --dry-run (fakes: no cluster, no secret shown), and lesson-specific helpers (7, 9, 12, 13).
 * The shared step wrappers and observations have their own suites (lessons/common.test.ts, lessons/observe.test.ts).
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError, parseCli } from '../../../tasks/lib/cli.ts'
import { ROOT } from '../../../tasks/lib/tutorial.ts'
import { type Ctx } from '../../../tasks/lib/run.ts'
import type { PodSighting } from '../../../tasks/lib/kube.ts'
import { clearSecrets } from '../../../tasks/lib/redact.ts'
import { chooseLesson, closingLines, command } from '../../../tasks/lesson.ts'
import { findLesson, LESSONS } from '../../../tasks/lessons/index.ts'
import { surgeOrder } from '../../../tasks/lessons/07-liveness.ts'
import { lesson as metricsLesson } from '../../../tasks/lessons/09-metrics.ts'
import { minikubeProvider } from '../../../tasks/lib/providers/minikube.ts'
import { parseEnvFile } from '../../../tasks/lessons/12-configmap.ts'
import { WRONG_VALUE } from '../../../tasks/lessons/13-secret.ts'
import { fakeDeps, fakeProvider, fakeShell, runStep, testCtx } from '../fakes.ts'

const parse = (...argv: string[]) => chooseLesson(parseCli(command, argv))

test.before.each(() => clearSecrets())

test('chooseLesson: a lesson is required, one at a time, and --list takes none', () => {
  assert.equal(parse('--list'), { list: true })
  assert.equal(parse('13'), { lesson: findLesson('secret'), mode: 'replay' })
  const bad: Array<[string[], RegExp]> = [
    [[], /^which lesson\? give its number or name/],
    [['6', '7'], /^one lesson at a time \(got '6' and '7'\)$/],
    [['--list', '6'], /^--list takes no lesson \(got '6'\)$/],
    [['nope'], /^unknown lesson 'nope'/],
  ]
  for (const [argv, re] of bad) {
    try {
      parse(...argv)
      assert.unreachable(argv.join(' '))
    } catch (e) {
      assert.instance(e, UsageError)
      assert.match((e as Error).message, re)
    }
  }
  assert.equal(parse('--help'), { help: true })
  assert.throws(() => parse('6', '--bogus'), /unknown flag --bogus/)
})

test('the command line as a person runs it: --list exits 0 with 16 lines; an unknown lesson exits 2 with one line', async () => {
  const run = promisify(execFile)
  const list = await run('npx', ['tsx', 'tasks/lesson.ts', '--list'], { cwd: ROOT })
  assert.is(list.stdout.trim().split('\n').length, 16)
  try {
    await run('npx', ['tsx', 'tasks/lesson.ts', '42'], { cwd: ROOT })
    assert.unreachable()
  } catch (e) {
    const err = e as { code: number; stderr: string }
    assert.is(err.code, 2)
    assert.is(err.stderr.trim().split('\n').length, 1)
    assert.match(err.stderr, /^tasks\/lesson\.ts: unknown lesson '42'/)
  }
})

/** Run a lesson's list the way runList does under --dry-run: enabled steps in order, skip not evaluated. */
async function dryRun(n: number): Promise<string[]> {
  const lesson = findLesson(String(n))
  const sh = fakeShell({ dryRun: true, installed: ['kubectl', 'docker', 'go'], reply: (c) => ({ stdout: c.bin === 'go' ? 'go version go1.26.8 linux/amd64' : c.bin === 'kubectl' ? 'Client Version: v1.34.4' : '28.2.2' }) })
  // no kube in fakeDeps: any cluster read under --dry-run throws
  const deps = fakeDeps({ sh, provider: fakeProvider({ name: 'remote', requiredTools: ['kubectl', 'docker', 'go'] }) })
  const ctx: Ctx = testCtx({ dryRun: true, namespace: lesson.namespace })
  const lines: string[] = []
  for (const s of lesson.steps(deps)) {
    if (s.enabled === false) continue
    const t = await runStep(s, ctx)
    lines.push(`# ${t.title}`, ...t.outputs)
  }
  return lines
}

test('--dry-run: every lesson plans without a cluster and shows no secret', async () => {
  for (const l of LESSONS) {
    const lines = await dryRun(l.number)
    const text = lines.join('\n')
    assert.ok(lines.length > 2, `lesson ${l.number}: ${text}`)
    assert.not.match(text, /cGFzc3dvcmQ=|\bpassword\b/, `lesson ${l.number} shows a secret:\n${text}`)
    assert.not.ok(text.includes(WRONG_VALUE), `lesson ${l.number} shows the wrong value`)
    if (l.number >= 3) assert.ok(lines.includes('$ kubectl delete namespace hellogopher --wait=false'), `lesson ${l.number} resets first`)
  }
})

test('--dry-run plans: the lesson commands in the tutorial order', async () => {
  const at = (lines: string[], re: RegExp) => lines.findIndex((l) => re.test(l))
  const six = await dryRun(6)
  const wrong = at(six, /^\$ kubectl apply .*06-readiness-wrong-port\.yml$/)
  const fixed = at(six, /^\$ kubectl apply .*06-readiness-fixed\.yml$/)
  assert.ok(wrong > at(six, /^\$ kubectl delete namespace hellogopher/) && fixed > wrong, six.join('\n'))
  assert.ok(six.includes("$ kubectl describe pod 'hellogopher-<pod>' -n default"), six.join('\n'))

  const five = await dryRun(5)
  const labels = five.filter((l) => l.startsWith('$ kubectl label'))
  assert.equal(labels, [
    "$ kubectl label 'pod/hellogopher-<pod>' author=percy -n default",
    "$ kubectl label 'pod/hellogopher-<pod>' author=ironman -n default",
    "$ kubectl label 'pod/hellogopher-<pod>' author=ironman -n default --overwrite",
    "$ kubectl label 'pod/hellogopher-<pod>' author- -n default",
  ])
  assert.ok(five.includes('$ kubectl delete pods -l app=hellogopher -n default'))

  const eight = await dryRun(8)
  assert.ok(eight.includes('$ kubectl set image deployment/hellogopher hellogopher=programmingpercy/hellogopher:3.0 -n default'), eight.join('\n'))
  assert.ok(eight.some((l) => /^\$ kubectl apply .*08-oom\.yml$/.test(l)))

  const thirteen = await dryRun(13)
  const patches = thirteen.filter((l) => l.startsWith('$ kubectl patch secret database-secrets'))
  assert.is(patches.length, 2)
  for (const p of patches) assert.match(p, /--type=json --patch-file \S+patch\.json$/)
  assert.is(thirteen.filter((l) => l === '$ kubectl rollout restart deployment/hellogopher -n hellogopher').length, 2)

  const fifteen = await dryRun(15)
  assert.ok(at(fifteen, /^\$ kubectl config set-context --current --namespace=hellogopher$/) < at(fifteen, /^# Delete everything the tutorial made/))
})

test("lesson 9 on minikube: the addons are enabled on the run's profile; the dashboard is only said, never started (it blocks)", async () => {
  const sh = fakeShell({ reply: (c) => (c.line.startsWith('minikube addons list') ? { stdout: '| ADDON NAME | PROFILE | STATUS |\n| dashboard | learn | enabled ✅ |\n| metrics-server | learn | enabled ✅ |\n' } : undefined) })
  const deps = fakeDeps({ sh, provider: minikubeProvider({ profile: 'learn' }) })
  const step = metricsLesson.steps(deps).find((s) => /Enable the dashboard and metrics-server addons/.test(String(s.title)))!
  assert.ok(step && step.enabled !== false)
  const t = await runStep(step, testCtx())
  assert.equal(sh.calls.map((c) => c.line), ['minikube addons enable metrics-server -p learn', 'minikube addons enable dashboard -p learn', 'minikube addons list -p learn'])
  assert.ok(t.outputs.includes('to open the dashboard, type: minikube dashboard -p learn — it opens a browser and keeps running until Ctrl-C'), t.outputs.join('\n'))
  assert.ok(t.outputs.some((l) => l.startsWith('or: minikube dashboard --url -p learn')), t.outputs.join('\n'))
})

test('surgeOrder: the new pod must appear while the old one still runs, and the old one must go afterwards', () => {
  const old = 'programmingpercy/hellogopher:1.0'
  const s = (name: string, image: string, firstSeen: number, goingAway?: number): PodSighting => ({ name, images: [image], firstSeen, goingAway })
  const rolling = surgeOrder([s('a', old, 0, 6000), s('b', 'programmingpercy/hellogopher:2.0', 300)], old)
  assert.ok(rolling.ok)
  assert.is(rolling.saw, 'b created +0.3s, a going away +6.0s')
  assert.equal(rolling.lines, ['a (programmingpercy/hellogopher:1.0): seen +0.0s, going away +6.0s', 'b (programmingpercy/hellogopher:2.0): seen +0.3s, going away —'])
  // Recreate: the old one went first
  const recreate = surgeOrder([s('a', old, 0, 100), s('b', 'programmingpercy/hellogopher:2.0', 2000)], old)
  assert.not.ok(recreate.ok)
  assert.match(recreate.saw, /^no programmingpercy\/hellogopher:1\.0 pod was still running when b appeared/)
  assert.is(surgeOrder([s('a', old, 0)], old).saw, 'no pod of the new image appeared')
  assert.is(surgeOrder([s('a', old, 0), s('b', 'x:2.0', 10)], old).saw, `the ${old} pod a never went away`)
})

test('lesson 12: parseEnvFile reads the env file kubectl create configmap --from-env-file takes (comments and blanks skipped)', () => {
  assert.equal(parseEnvFile('# settings\nDATABASE_USERNAME=root\n\nDATABASE_NAME=test\n'), { DATABASE_USERNAME: 'root', DATABASE_NAME: 'test' })
  assert.equal(parseEnvFile('A=1\nB=x=y\n'), { A: '1', B: 'x=y' })
})

test('closingLines: what was seen and what is next (none after lesson 15); a dry run says how to run it for real', () => {
  assert.match(closingLines(findLesson('6'), false), /^\nLesson 6 \(readiness\) — seen: .*\nNext: npx tsx tasks\/lesson\.ts 7 {3}\(liveness: /)
  assert.not.match(closingLines(findLesson('15'), false), /Next:/)
  assert.match(closingLines(findLesson('6'), true), /Dry run: nothing was changed\. Run it for real with: npx tsx tasks\/lesson\.ts 6/)
})

test.run()
