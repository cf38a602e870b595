/**
 * Learn by doing, on the e2e cluster: lessons 0–15 done BY HAND, the way a learner types them (kubectl, docker and go
 * with the tutorial's YAML — never the project's own tasks), one after the other as the tutorial goes. For each:
 * with one step left out, `lesson N --check` fails and its hint names that step; with the step done it passes; and
 * the check leaves the tutorial's objects as they were (their resourceVersions before and after). `--reset 3` starts
 * the run from a known point (test/e2e/learn-reset.test.ts does `--reset N` then `--check N−1` for every N).
 *
 * The cases share the cluster's state in order (each lesson starts where the one before left it): run the file whole.
 */
import { createServer } from 'node:net'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseAllDocuments } from 'yaml'
import { DEFAULT_BASE } from '../../tasks/steps/build-images.ts'
import { HELLOGOPHER_DIR, MANIFESTS_DIR, ROOT } from '../../tasks/lib/tutorial.ts'
import type { V1Pod } from '../../tasks/lib/kube.ts'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import { KIND_DEFAULT_NAME } from '../../tasks/lib/providers/kind.ts'
import { MINIKUBE_DEFAULT_PROFILE } from '../../tasks/lib/providers/minikube.ts'
import { createShell } from '../../tasks/lib/shell.ts'
import { CONTAINERD_SOCK } from '../../tasks/lab/engine/paths.ts'
import { E2E_PROVIDER, expectOk, kube, kubectl, labEnv, provider, sh, task, type Ran } from './helpers.ts'
import { APP, apply, check, DEF, failsNaming, manifest, noSecrets, NS, ok, passes, printTimings, readyPods, reset, rolledOut, snapshot, timed, unchangedBy, WRONG } from './learn.ts'

const IMAGE1 = 'programmingpercy/hellogopher:1.0'
/** The ref the cluster runs for a tutorial image (the provider's swaps). */
const ref = (image: string) => provider().imageOverrides()[image] ?? image
const newest = (pods: V1Pod[]) => [...pods].sort((a, b) => String(b.metadata?.creationTimestamp).localeCompare(String(a.metadata?.creationTimestamp)))[0]

// ── lessons 0–2: the machine, the cluster, the image ────────────────────────────────────────────────────────

test('lesson 0 by hand: the tools on PATH → --check passes; with docker hidden from PATH it fails naming docker and how to get it', async () => {
  const before = await snapshot(DEF)
  passes(await check(0), 0, 1)
  assert.equal(await snapshot(DEF), before, '--check 0 changed objects in default')
  // the step left out: docker installed. A PATH with what the run itself needs (node, a shell) and every other tool
  const dir = mkdtempSync(join(tmpdir(), 'learn-e2e-path-'))
  try {
    for (const bin of ['sh', 'bash', 'go', 'kubectl', 'kind', 'minikube']) {
      const where = await sh('sh', ['-c', `command -v ${bin}`])
      if (where.code === 0) symlinkSync(where.stdout.trim(), join(dir, bin))
    }
    symlinkSync(process.execPath, join(dir, 'node'))
    const env = { ...labEnv(), PATH: dir }
    const r = timed('lesson 0 --check (docker not on PATH)', await sh(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'tasks/lesson.ts', '0', '--check', '--provider', E2E_PROVIDER], { env }))
    noSecrets(r, '--check 0', { word: true })
    const [failed] = failsNaming(r, 0, /^docker: install Docker .* then command -v docker finds it/)
    assert.match(failed!.text, /saw: not on PATH: docker$/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

/** A loopback port nothing listens on (a cluster that is not started answers like this). */
async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise((r) => srv.close(r))
  return port
}

test('lesson 1 by hand: kubectl get nodes shows the node Ready → --check passes; a cluster not started → it fails naming the start', async () => {
  const nodes = await ok(kubectl(['get', 'nodes']), 'kubectl get nodes')
  assert.match(nodes.stdout, /^\S+\s+Ready\s/m)
  passes(await unchangedBy(DEF, () => check(1)), 1)
  // the step left out: starting the cluster. This e2e cluster stays up (others use it): the check is pointed at a
  // kubeconfig whose server is not started — what kubectl sees before minikube start / kind create / lab up
  const dir = mkdtempSync(join(tmpdir(), 'learn-e2e-kubeconfig-'))
  try {
    const file = join(dir, 'config')
    const server = `https://127.0.0.1:${await closedPort()}`
    writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters:\n- name: stopped\n  cluster:\n    server: ${server}\ncontexts:\n- name: learn-e2e-stopped\n  context:\n    cluster: stopped\n    user: none\nusers:\n- name: none\n  user: {}\ncurrent-context: learn-e2e-stopped\n`, { mode: 0o600 })
    const r = await check(1, ['--provider', 'remote', '--context', 'learn-e2e-stopped'], { env: { ...labEnv(), KUBECONFIG: file } })
    const [failed] = failsNaming(r, 1, /start it \(lesson 1: minikube start; the lab: npx tsx tasks\/lab\/up\.ts\) and look at kubectl get nodes/)
    assert.match(failed!.text, new RegExp(`the cluster answers — saw: could not read it: .*cannot reach ${server.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`))
    assert.match(r.stdout, /^– {2}one node, Ready — not checked: the cluster does not answer$/m)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('--reset 3, then --check 2 passes; nothing of the tutorial is left in default', async () => {
  // setup, not a lesson step: every tag the hand-typed lessons use (1.0–5.0) and the busybox base in the cluster's runtime
  await expectOk(await task('build-images.ts'), 'build-images (setup)')
  const shell = createShell({ env: provider().commandEnv() })
  if (provider().loadImage && !(await provider().imageInRuntime(shell, DEFAULT_BASE))) await provider().loadImage!(shell, DEFAULT_BASE, () => {})
  const r = await reset(3)
  await expectOk(r, 'lesson 3 --reset', DEF)
  assert.match(r.stdout, /lessons 0–2 leave it: lesson 3 \(deployment\) starts here\./)
  passes(await check(2), 2)
  assert.is(await kube().getDeployment(DEF, 'hellogopher'), undefined)
  assert.is(await kube().read({ apiVersion: 'v1', kind: 'Service', name: 'hellogopher', namespace: DEF }), undefined)
})

test('lesson 2 by hand: go build + docker build, without the load into the runtime → --check names the load; loaded → passes', async () => {
  const shell = createShell({ env: provider().commandEnv() })
  // minikube builds straight into its runtime, through the env `minikube docker-env` prints
  const dockerEnv = { ...labEnv(), DOCKER_BUILDKIT: '0', ...(E2E_PROVIDER === 'minikube' ? await provider().dockerEnv(shell) : {}) }
  const ctxDir = mkdtempSync(join(tmpdir(), 'learn-e2e-build-'))
  try {
    // the build the Dockerfile's comment shows: the static binary on the host, then a docker build of just that
    await ok(sh('go', ['-C', HELLOGOPHER_DIR, 'build', '-trimpath', '-ldflags', '-s -w -X main.version=1.0', '-o', join(ctxDir, 'hellogopher'), '.'], { env: { ...labEnv(), CGO_ENABLED: '0' } }), 'go build (hellogopher 1.0)')
    const build = () => ok(sh('docker', ['build', '-t', IMAGE1, '-f', join(HELLOGOPHER_DIR, 'Dockerfile'), ctxDir], { env: dockerEnv }), `docker build -t ${IMAGE1}`)
    let leftOut: RegExp
    let step: () => Promise<Ran>
    if (E2E_PROVIDER === 'minikube') {
      // the step left out on minikube is the build into its docker itself: the image is not there before it
      await ok(sh('docker', ['image', 'rm', '-f', IMAGE1], { env: dockerEnv }), `docker image rm ${IMAGE1} (lesson 2 starts without it)`)
      leftOut = /eval \$\(minikube docker-env\) in THIS shell, then docker build -t programmingpercy\/hellogopher:1\.0/
      step = build
    } else {
      await build()
      assert.not.ok(await provider().imageInRuntime(shell, IMAGE1), 'the image built by hand is already in the runtime: the load cannot be left out')
      if (E2E_PROVIDER === 'kind') {
        leftOut = /it is in docker but not in the node: kind load docker-image programmingpercy\/hellogopher:1\.0/
        step = () => ok(sh('kind', ['load', 'docker-image', IMAGE1, '--name', process.env.KIND_CLUSTER_NAME || KIND_DEFAULT_NAME], { env: dockerEnv }), 'kind load docker-image')
      } else {
        leftOut = /it is in the lab's docker but not in its containerd .*docker save programmingpercy\/hellogopher:1\.0 \| ctr --address \S+ -n k8s\.io images import -/
        step = () => ok(sh('sh', ['-c', `docker save ${IMAGE1} | ctr --address ${CONTAINERD_SOCK} -n k8s.io images import -`], { env: dockerEnv }), 'docker save | ctr images import')
      }
    }
    failsNaming(await check(2), 2, leftOut)
    await step()
    assert.ok(await provider().imageInRuntime(shell, IMAGE1), 'after the step the image is still not in the runtime')
    passes(await unchangedBy(DEF, () => check(2)), 2)
    assert.ok(await provider().imageInRuntime(shell, IMAGE1), 'the check changed the runtime')
  } finally {
    rmSync(ctxDir, { recursive: true, force: true })
  }
})

// ── lessons 3–9, in default ─────────────────────────────────────────────────────────────────────────────────

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

test('lesson 8 by hand: logs, set image 3.0, exec; without the pod over its memory limit --check names 08-oom.yml; with it, passes', async () => {
  // kubectl logs <pod>: the 2.0 pod's own lines
  const two = newest((await kube().listPods(DEF, APP)).filter((p) => !p.metadata?.deletionTimestamp && p.spec?.containers[0]?.image === ref('programmingpercy/hellogopher:2.0')))
  assert.ok(two, 'no 2.0 pod from lesson 7')
  // between liveness restarts the container waits (CrashLoopBackOff): then kubectl logs --previous, as the lesson says
  let logs = await kubectl(['logs', two!.metadata!.name!, '-n', DEF])
  if (logs.code !== 0) logs = await ok(kubectl(['logs', '--previous', two!.metadata!.name!, '-n', DEF]), 'kubectl logs --previous <2.0 pod>')
  assert.match(logs.stdout, /hellogopher 2\.0 starting/)
  await ok(kubectl(['set', 'image', 'deployment/hellogopher', `hellogopher=${ref('programmingpercy/hellogopher:3.0')}`, '-n', DEF]), 'kubectl set image … 3.0')
  await rolledOut(DEF)
  const three = newest((await readyPods(DEF)).filter((p) => p.spec?.containers[0]?.image === ref('programmingpercy/hellogopher:3.0')))
  assert.ok(three, 'no Ready 3.0 pod after the rollout')
  const name = three!.metadata!.name!
  const exec = await ok(kubectl(['exec', name, '-n', DEF, '--', '/bin/sh', '-c', 'echo "inside $(hostname)"']), 'kubectl exec <pod> -- /bin/sh -c …')
  assert.is(exec.stdout.trim(), `inside ${name}`)
  failsNaming(await check(8), 8, /kubectl apply -f manifests\/lessons\/08-oom\.yml/)
  await apply(DEF, 'lessons/08-oom.yml')
  await kube().waitForPod(DEF, 'app=oom-demo', (p) => (p.status?.containerStatuses?.[0]?.state?.terminated?.reason ?? '') === 'OOMKilled', { timeoutMs: 90_000, what: 'pod/oom-demo to be OOMKilled' })
  const described = await ok(kubectl(['describe', 'pod', 'oom-demo', '-n', DEF]), 'kubectl describe pod oom-demo')
  assert.match(described.stdout, /Reason:\s+OOMKilled/)
  assert.match(described.stdout, /Exit Code:\s+137/)
  // the 3.0 container may be restarted by lesson 7's liveness probe meanwhile: status moves, specs must not
  const r = await unchangedBy(DEF, () => check(8), { statusMoves: true })
  passes(r, 8)
  assert.match(r.stdout, /^✔ {2}a container over its memory limit killed: OOMKilled, exit code 137 — pod\/oom-demo: OOMKilled, exit code 137 \(memory limit 20Mi\)$/m)
})

test('lesson 9 by hand: kubectl top pods lists the app pod → --check passes; with nothing of the app running it fails at once, naming it', async () => {
  if (E2E_PROVIDER === 'minikube') {
    const p = ['-p', process.env.MINIKUBE_PROFILE || MINIKUBE_DEFAULT_PROFILE]
    await ok(sh('minikube', ['addons', 'enable', 'metrics-server', ...p]), 'minikube addons enable metrics-server')
    await ok(sh('minikube', ['addons', 'enable', 'dashboard', ...p]), 'minikube addons enable dashboard')
  }
  // metrics-server itself is part of the lab and kind clusters here (the addon step is minikube's): what can be left
  // out is a running pod of the app for kubectl top pods to show — the Deployment scaled to 0
  await ok(kubectl(['scale', 'deployment', 'hellogopher', '--replicas=0', '-n', DEF]), 'kubectl scale --replicas=0')
  const t0 = Date.now()
  const [failed] = failsNaming(await check(9), 9, /kubectl scale deployment hellogopher --replicas=1/)
  assert.match(failed!.text, /deployment\/hellogopher is scaled to 0 replicas/)
  assert.ok(Date.now() - t0 < 60_000, 'the check waited although no pod could come')
  await ok(kubectl(['scale', 'deployment', 'hellogopher', '--replicas=1', '-n', DEF]), 'kubectl scale --replicas=1')
  await rolledOut(DEF)
  const pod = newest(await readyPods(DEF))!.metadata!.name!
  // kubectl top pods, by hand, until metrics-server has sampled the new pod (it scrapes every 15 s or so)
  let top: Ran | undefined
  for (const deadline = Date.now() + 150_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 5000))) {
    top = await kubectl(['top', 'pods', '-n', DEF])
    if (top.code === 0 && top.stdout.split('\n').some((l) => l.startsWith(`${pod} `))) break
  }
  assert.ok(top?.stdout.split('\n').some((l) => l.startsWith(`${pod} `)), `kubectl top pods never listed ${pod}:\n${top?.stdout}${top?.stderr}`)
  const r = await unchangedBy(DEF, () => check(9), { statusMoves: true })
  passes(r, 9)
  assert.match(r.stdout, new RegExp(`^✔ {2}kubectl top pods lists the hellogopher pod — pod/${pod}: cpu \\S+, memory \\S+$`, 'm'))
})

// ── lessons 10–15, in namespace hellogopher ─────────────────────────────────────────────────────────────────

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

test('lesson 11 by hand: 5.0 without the env: list → --check names it; with 11-hellogopher-env.yml → MYSQL_* in env, database test, passes', async () => {
  await ok(kubectl(['set', 'image', 'deployment/hellogopher', `hellogopher=${ref('programmingpercy/hellogopher:5.0')}`, '-n', NS]), 'kubectl set image … 5.0', NS)
  failsNaming(await check(11), 11, /image: …:5\.0 and an env: list in 02_hellogopher\.yml/)
  await apply(NS, 'lessons/11-hellogopher-env.yml')
  await rolledOut(NS)
  // kubectl exec <pod> -- env: the mysql Service's variables (the pod started after it)
  const pod = newest(await readyPods(NS))!.metadata!.name!
  const env = await ok(kubectl(['exec', pod, '-n', NS, '--', 'env']), 'kubectl exec <pod> -- env', NS)
  const ip = (await kube().read<{ spec?: { clusterIP?: string } } & V1Pod>({ apiVersion: 'v1', kind: 'Service', name: 'mysql', namespace: NS }))?.spec?.clusterIP
  assert.ok(ip, 'no service/mysql')
  assert.match(env.stdout, new RegExp(`^MYSQL_SERVICE_HOST=${ip!.replace(/\./g, '\\.')}$`, 'm'))
  assert.match(env.stdout, /^MYSQL_SERVICE_PORT=3306$/m)
  assert.match(env.stdout, new RegExp(`^MYSQL_PORT_3306_TCP=tcp://${ip!.replace(/\./g, '\\.')}:3306$`, 'm'))
  // SHOW DATABASES inside the MySQL pod, the password typed from the pod's own env (never in this process's argv)
  const mysql = newest((await kube().listPods(NS, 'app=mysql')).filter(isPodReady))
  assert.ok(mysql, 'no Ready mysql pod')
  const dbs = await ok(kubectl(['exec', mysql!.metadata!.name!, '-n', NS, '--', 'sh', '-c', 'echo "$MYSQL_ROOT_PASSWORD" | mysql -uroot -p -e "SHOW DATABASES"']), 'SHOW DATABASES', NS)
  assert.ok(dbs.stdout.split('\n').map((l) => l.trim()).includes('test'), dbs.stdout)
  passes(await unchangedBy(NS, () => check(11)), 11)
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

test('lesson 14 by hand: without resources: in 02_hellogopher.yml --check names them (at once); applied → passes', async () => {
  const t0 = Date.now()
  failsNaming(await check(14), 14, /resources: requests and limits in 02_hellogopher\.yml/)
  assert.ok(Date.now() - t0 < 45_000, 'the check waited although the pod template has no resources')
  await apply(NS, '02_hellogopher.yml')
  await rolledOut(NS)
  const pod = newest(await readyPods(NS))!.metadata!.name!
  const described = await ok(kubectl(['describe', 'pod', pod, '-n', NS]), 'kubectl describe pod', NS)
  assert.match(described.stdout, /Limits:\s+cpu:\s+100m\s+memory:\s+10Mi/)
  assert.match(described.stdout, /Requests:\s+cpu:\s+50m\s+memory:\s+1Mi/)
  passes(await unchangedBy(NS, () => check(14)), 14)
})

test('lesson 15 by hand: the namespace and what is left in default deleted; without set-context --check names it; then passes', async () => {
  await ok(kubectl(['delete', 'namespace', NS, '--timeout=120s']), 'kubectl delete namespace hellogopher')
  // what lessons 3–9 left in default: the OOM demo pod (the Deployment and Service went in lesson 10)
  const left = await ok(kubectl(['get', 'all', '-n', DEF]), 'kubectl get all -n default')
  assert.match(left.stdout, /pod\/oom-demo/)
  await ok(kubectl(['delete', 'pod', 'oom-demo', '-n', DEF]), 'kubectl delete pod oom-demo')
  failsNaming(await check(15), 15, /kubectl config set-context --current --namespace=default/)
  await ok(kubectl(['config', 'set-context', '--current', '--namespace=default']), 'kubectl config set-context default')
  passes(await unchangedBy(DEF, () => check(15)), 15)
  assert.is(await kube().read({ apiVersion: 'v1', kind: 'Namespace', name: NS }), undefined)
})

test('the timings', () => {
  printTimings('learn-by-doing timings (--reset 3 starts the run; every --check reads only)')
})

test.run()
