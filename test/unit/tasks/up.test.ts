/** tasks/up.ts: the whole plan in order, the dry-run plan (every build, no secret); tasks/steps/use-namespace.ts and verify-hello.ts (the HTTP check). */
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../../tasks/lib/tutorial.ts'
import { clearSecrets } from '../../../tasks/lib/redact.ts'
import { readState } from '../../../tasks/lib/state.ts'
import type { Shell } from '../../../tasks/lib/shell.ts'
import type { Step } from '../../../tasks/lib/task.ts'
import { directEndpoint } from '../../../tasks/lib/providers/types.ts'
import { contextRef } from '../../../tasks/lib/kubectl.ts'
import { finalLines, upSteps } from '../../../tasks/up.ts'
import { evalSkip, fakeDeps, fakeKube, fakeProvider, fakeShell, runStep, testCtx, type FakeTask } from '../fakes.ts'
import { httpUntil, verifyHello, type Fetcher } from '../../../tasks/steps/verify-hello.ts'
import { useNamespace } from '../../../tasks/steps/use-namespace.ts'

const SECRET = /password|cGFzc3dvcmQ/

function labLike() {
  return fakeProvider({
    name: 'lab',
    requiredTools: ['docker', 'go'],
    startCommands: () => [['npx', 'tsx', 'tasks/lab/up.ts']],
    start: async (sh: Shell, log) => void (await sh.run('npx', ['tsx', 'tasks/lab/up.ts'], { log })),
    dockerEnv: async () => ({ DOCKER_HOST: 'unix:///run/learn-k8s-easy/docker.sock' }),
    loadImage: async (sh: Shell, image: string, log) => void (await sh.run('ctr', ['-n', 'k8s.io', 'images', 'import', `${image}.tar`], { log })),
    imageOverrides: () => ({ 'mysql:8.0': 'localhost/lab/mysql-compat:mariadb-10.11' }),
  })
}

/** Run a list the way runList does under --dry-run: enabled steps in order, skip not evaluated. */
async function dryRunPlan(steps: Step[]): Promise<Array<{ title: string; outputs: string[] }>> {
  const ctx = testCtx({ dryRun: true })
  const out: Array<{ title: string; outputs: string[] }> = []
  for (const s of steps) {
    if (s.enabled === false) continue
    const t: FakeTask = await runStep(s, ctx)
    out.push({ title: t.title, outputs: t.outputs })
  }
  return out
}

function kubeconfigFile(current: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'kubeconfig-')), 'config')
  writeFileSync(
    f,
    [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${current}`,
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
      'users: [{name: u, user: {token: abc}}]',
      'contexts: [{name: learn-k8s-lab, context: {cluster: c, user: u}}, {name: prod, context: {cluster: c, user: u, namespace: shop}}]',
      '',
    ].join('\n'),
  )
  return f
}

test.before.each(() => clearSecrets())

test("upSteps: the tutorial's table of contents, in order", () => {
  const steps = upSteps(fakeDeps({ provider: labLike() }), testCtx())
  assert.equal(
    steps.map((s) => String(s.title).split(' — ')[0]),
    [
      'Check the tools the lab provider needs (lesson 0)',
      'Start the lab cluster (lesson 1)',
      "Point docker at the lab cluster's images (lesson 2: docker-env)",
      "Build the base image localhost/lab/busybox:1.35 from Debian's busybox-static",
      'Build image 1.0',
      'Build image 2.0',
      'Build image 3.0',
      'Build image 4.0',
      'Build image 5.0',
      'Apply manifests/ (00_namespace.yml, 01_database.yml, 02_hellogopher.yml)',
      "Make hellogopher the kubectl context's namespace (lesson 10)",
      'Expose deployment/hellogopher on a NodePort (lesson 4)',
      'Check that hellogopher answers "Hello gopher" through its NodePort (lesson 4)',
    ],
  )
})

test('dry-run plan (fakes): every command, all 5 image builds, the override, and no secret anywhere', async () => {
  const sh = fakeShell({ dryRun: true, installed: ['docker', 'go'], reply: () => ({ stdout: 'go version go1.26.8 linux/amd64' }) })
  const plan = await dryRunPlan(upSteps(fakeDeps({ sh, provider: labLike() }), testCtx({ dryRun: true })))
  const lines = plan.flatMap((p) => [p.title, ...p.outputs])
  const text = lines.join('\n')
  for (const tag of ['1.0', '2.0', '3.0', '4.0', '5.0']) {
    assert.ok(lines.some((l) => l.startsWith(`$ docker build -t programmingpercy/hellogopher:${tag} `)), `docker build ${tag}`)
    assert.ok(lines.some((l) => l === `$ ctr -n k8s.io images import programmingpercy/hellogopher:${tag}.tar`), `load ${tag}`)
  }
  assert.ok(lines.includes('$ npx tsx tasks/lab/up.ts'))
  assert.ok(lines.includes('docker endpoint: DOCKER_HOST=unix:///run/learn-k8s-easy/docker.sock'))
  assert.ok(lines.includes('image override (lab): mysql:8.0 → localhost/lab/mysql-compat:mariadb-10.11'))
  assert.ok(lines.some((l) => /^\$ kubectl apply --server-side --force-conflicts -f \S+/.test(l)))
  assert.ok(lines.includes('$ kubectl config set-context --current --namespace=hellogopher'))
  assert.ok(lines.includes('$ kubectl expose deployment hellogopher --type=NodePort --port=8080 -n hellogopher'))
  assert.not.match(text, SECRET)
  // the order of the acting commands is the tutorial's
  const order = ['$ npx tsx', '$ docker build -t localhost/lab/busybox', '$ go build', '$ kubectl apply', '$ kubectl config set-context', '$ kubectl expose']
  const at = order.map((p) => lines.findIndex((l) => l.startsWith(p)))
  assert.equal([...at].sort((a, b) => a - b), at, `order ${at}`)
})

test('--skip-build turns the builds off; --tag 2.0 swaps the final image visibly', async () => {
  const steps = upSteps(fakeDeps({ provider: labLike() }), testCtx({ tag: '2.0', dryRun: true }), { skipBuild: true })
  assert.not.ok(steps.some((s) => String(s.title).startsWith('Build') && s.enabled !== false))
  const apply = steps.find((s) => String(s.title).startsWith('Apply'))!
  const t = await runStep(apply, testCtx({ tag: '2.0', dryRun: true }))
  assert.ok(t.outputs.includes('image override (--tag 2.0): programmingpercy/hellogopher:5.0 → programmingpercy/hellogopher:2.0'))
})

test('`npx tsx tasks/up.ts --dry-run`: exit 0, the whole plan, no secret (no cluster needed)', async () => {
  const r = await promisify(execFile)('npx', ['tsx', 'tasks/up.ts', '--dry-run'], { cwd: ROOT, env: { ...process.env, CI: '1' } })
  const out = `${r.stdout}\n${r.stderr}`
  for (const tag of ['1.0', '2.0', '3.0', '4.0', '5.0']) assert.match(out, new RegExp(`docker build -t programmingpercy/hellogopher:${tag.replace('.', '\\.')} `))
  assert.match(out, /kubectl (--context \S+ )?apply --server-side/)
  assert.match(out, /kubectl (--context \S+ )?expose deployment hellogopher --type=NodePort --port=8080/)
  assert.match(out, /Dry run: nothing was changed/)
  assert.not.match(out, SECRET)
})

test('useNamespace: skipped when the context already uses hellogopher', async () => {
  const kube = fakeKube({ contextName: 'learn-k8s-lab', contextNamespace: 'hellogopher' })
  assert.is(await evalSkip(useNamespace(fakeDeps({ kube })), testCtx()), 'context learn-k8s-lab already uses namespace hellogopher')
})

test('useNamespace: remembers the previous namespace for teardown, then `set-context --current`', async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'up-state-')), 'state.json')
  const kube = fakeKube({ contextName: 'learn-k8s-lab', contextNamespace: 'default' })
  const provider = fakeProvider({ target: () => ({ kubeconfig: kubeconfigFile('learn-k8s-lab'), context: 'learn-k8s-lab' }) })
  const deps = fakeDeps({ kube, provider })
  const ctx = testCtx()
  assert.is(await evalSkip(useNamespace(deps, stateFile), ctx), false)
  const t = await runStep(useNamespace(deps, stateFile), ctx)
  assert.equal(deps.sh.commands(), ['kubectl config set-context --current --namespace=hellogopher'])
  assert.is(ctx.previousNamespace, 'default')
  assert.equal(readState(stateFile), { previousNamespace: 'default' })
  assert.match(t.outputs[0]!, /^previous namespace 'default' kept in .*state\.json \(teardown restores it\)$/)
})

test('useNamespace: an earlier saved namespace (teardown not run yet) is kept', async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'up-state-')), 'state.json')
  writeFileSync(stateFile, JSON.stringify({ previousNamespace: 'team-a' }))
  const kube = fakeKube({ contextName: 'learn-k8s-lab', contextNamespace: 'other' })
  const provider = fakeProvider({ target: () => ({ kubeconfig: kubeconfigFile('learn-k8s-lab'), context: 'learn-k8s-lab' }) })
  const ctx = testCtx()
  await runStep(useNamespace(fakeDeps({ kube, provider }), stateFile), ctx)
  assert.equal(readState(stateFile), { previousNamespace: 'team-a' })
  assert.is(ctx.previousNamespace, 'team-a')
})

test("contextRef: the run's context by name when it is not the kubeconfig's current one (never touch another)", () => {
  const file = kubeconfigFile('prod')
  const provider = fakeProvider({ target: () => ({ kubeconfig: file, context: 'learn-k8s-lab' }) })
  assert.is(contextRef({ provider, kube: () => fakeKube({ contextName: 'learn-k8s-lab' }) }, false), 'learn-k8s-lab')
  assert.is(contextRef({ provider, kube: () => fakeKube({ contextName: 'prod' }) }, false), '--current')
  assert.is(contextRef({ provider, kube: () => assert.unreachable() as never }, true), 'learn-k8s-lab')
  const mine = fakeProvider({ target: () => ({ kubeconfig: kubeconfigFile('learn-k8s-lab'), context: 'learn-k8s-lab' }) })
  assert.is(contextRef({ provider: mine, kube: () => assert.unreachable() as never }, true), '--current')
})

test('httpUntil: retries through refusals and 503s until "Hello gopher"', async () => {
  const answers: Array<Error | { status: number; body: string }> = [
    Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
    { status: 503, body: 'no endpoints' },
    { status: 200, body: 'Hello gopher\n' },
  ]
  const logs: string[] = []
  const fetcher: Fetcher = async () => {
    const a = answers.shift()!
    if (a instanceof Error) throw a
    return a
  }
  const r = await httpUntil('http://x:31234', 'Hello gopher', 10_000, fetcher, (l) => logs.push(l))
  assert.equal(r, { status: 200, body: 'Hello gopher\n' })
  assert.equal(logs, ['GET http://x:31234: ECONNREFUSED; retrying', 'GET http://x:31234: HTTP 503 no endpoints; retrying'])
})

test('httpUntil: past the deadline it says what it saw last', async () => {
  try {
    await httpUntil('http://x:31234', 'Hello gopher', 500, async () => ({ status: 500, body: 'Im timed out' }))
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).message, 'GET http://x:31234 did not answer "Hello gopher" within 1s; last: HTTP 500 Im timed out')
  }
})

test("verifyHello: GETs the provider's URL and records it; dry-run only says what it would do", async () => {
  const result: { url?: string } = {}
  const deps = fakeDeps({ kube: fakeKube({}), provider: fakeProvider({ serviceUrl: async () => directEndpoint('http://10.250.0.1:31234') }) })
  const t = await runStep(verifyHello(deps, result, { fetcher: async () => ({ status: 200, body: 'Hello gopher' }) }), testCtx())
  assert.is(result.url, 'http://10.250.0.1:31234')
  assert.equal(t.outputs, ['GET http://10.250.0.1:31234 → 200 Hello gopher'])
  const dry = await runStep(verifyHello(fakeDeps(), {}), testCtx({ dryRun: true }))
  assert.equal(dry.outputs, ['GET <service URL>/ — expect 200 "Hello gopher"'])
})

test('verifyHello: a tunnel endpoint stays open for the whole check and is closed after it, also when the check fails', async () => {
  for (const answers of [true, false]) {
    const events: string[] = []
    const endpoint = { url: 'http://127.0.0.1:52345', reopen: 'minikube service hellogopher -n hellogopher --url', close: async () => void events.push('close') }
    const deps = fakeDeps({ kube: fakeKube({}), provider: fakeProvider({ serviceUrl: async () => (events.push('open'), endpoint) }) })
    const fetcher: Fetcher = async (url) => (events.push(`GET ${url}`), answers ? { status: 200, body: 'Hello gopher' } : { status: 503, body: 'no' })
    const result: { url?: string; reopen?: string } = {}
    try {
      await runStep(verifyHello(deps, result, { fetcher, timeoutMs: 500 }), testCtx())
      assert.ok(answers, 'a failing check must throw')
    } catch (e) {
      assert.not.ok(answers, (e as Error).message)
    }
    assert.equal(events, ['open', 'GET http://127.0.0.1:52345', 'close'])
    assert.is(result.reopen, endpoint.reopen)
  }
})

test('finalLines: after a tunnel, the command that opens it again instead of a dead curl', () => {
  const text = finalLines(testCtx(), 'http://127.0.0.1:52345', 'minikube service hellogopher -n hellogopher --url')
  assert.match(text, /closed now: minikube service hellogopher -n hellogopher --url opens it again/)
  assert.not.match(text, /curl http:\/\/127\.0\.0\.1:52345/)
})

test('finalLines: the URL and what to try next', () => {
  const text = finalLines(testCtx(), 'http://10.250.0.1:31234')
  assert.match(text, /hellogopher 5\.0 answers "Hello gopher" at http:\/\/10\.250\.0\.1:31234 \(namespace hellogopher\)/)
  for (const next of ['npx tsx tasks/rollout.ts --tag 2.0', 'npx tsx tasks/lesson.ts --list', 'npx tsx tasks/teardown.ts']) assert.ok(text.includes(next), next)
  assert.match(finalLines(testCtx({ dryRun: true }), undefined), /Dry run: nothing was changed/)
})

test.run()
