/** tasks/up.ts: the whole plan in order, the dry-run plan (every build, no secret), the closing lines. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../../tasks/lib/tutorial.ts'
import { clearSecrets } from '../../../tasks/lib/redact.ts'
import type { Shell } from '../../../tasks/lib/shell.ts'
import type { Step } from '../../../tasks/lib/task.ts'
import { finalLines, upSteps } from '../../../tasks/up.ts'
import { fakeDeps, fakeProvider, fakeShell, runStep, testCtx, type FakeTask } from '../fakes.ts'

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
