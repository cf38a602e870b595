/**
 * tasks/lib/providers/minikube.ts against minikube's real output formats (test/unit/fixtures/minikube/*.json, each
 * naming the minikube version and the source file that defines it), and `minikube service --url` as a real child
 * process: a fake `minikube` on PATH that prints the URL and then keeps running, as minikube's tunnel does on the
 * docker driver of macOS and Windows. Nothing may hang, and no process may be left behind.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { containerRuntime, minikubeImageId, minikubeProvider, parseDockerEnv, parseMinikubeStatus } from '../../../../../tasks/lib/providers/minikube.ts'
import { createShell } from '../../../../../tasks/lib/shell.ts'
import { verifyHello } from '../../../../../tasks/steps/verify-hello.ts'
import { fakeDeps, fakeKube, fakeShell, runStep, testCtx, type Call } from '../../../fakes.ts'
import { alive } from '../../../../support/testkit.ts'

interface Fixture {
  minikube: string
  command: string
  source: string[]
  provenance: string
  exitCode: number | null
  blocks?: boolean
  stdout: string
  stderr: string
}

const FIXTURES = join(import.meta.dirname, '../../..', 'fixtures', 'minikube')
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture

test('every fixture names the minikube version, the command and the source that defines its format', () => {
  for (const name of ['status-running', 'status-stopped', 'status-multinode-running', 'status-absent', 'docker-env-bash', 'docker-env-powershell', 'docker-env-crio', 'service-url-direct', 'service-url-tunnel', 'profile-list-docker', 'profile-list-containerd', 'profile-list-empty', 'image-ls-containerd']) {
    const f = fixture(name)
    assert.match(f.minikube, /^v\d+\.\d+\.\d+$/, name)
    assert.match(f.command, /^minikube /, name)
    assert.ok(f.source.some((s) => /^(cmd|pkg)\/minikube\/.+\.go /.test(s)), `${name}: no minikube source file named`)
  }
})

// ── minikube status -o json ─────────────────────────────────────────────────
test('status: a running one-node cluster', () => {
  assert.equal(parseMinikubeStatus(fixture('status-running').stdout), { running: true, detail: 'minikube: host Running, apiserver Running, kubelet Running' })
})

test('status: a stopped cluster (exit 7) is not running', () => {
  assert.equal(parseMinikubeStatus(fixture('status-stopped').stdout), { running: false, detail: 'minikube: host Stopped, apiserver Stopped, kubelet Stopped' })
})

test('status: a running two-node cluster prints an array — it runs (the control plane decides)', () => {
  assert.equal(parseMinikubeStatus(fixture('status-multinode-running').stdout), { running: true, detail: 'minikube: host Running, apiserver Running, kubelet Running (2 nodes)' })
})

test('status: an absent profile prints JSON events (exit 85) — not running, and says which profile', () => {
  assert.equal(parseMinikubeStatus(fixture('status-absent').stdout), { running: false, detail: 'minikube: no cluster (profile "learn" not found)' })
})

test('status(): asks the provider\'s profile, reads exit 85 as "absent" rather than failing', async () => {
  const f = fixture('status-absent')
  const sh = fakeShell({ reply: () => ({ stdout: f.stdout, exitCode: f.exitCode! }) })
  const s = await minikubeProvider({ profile: 'learn' }).status(sh)
  assert.equal(sh.calls.map((c) => c.line), ['minikube status -o json -p learn'])
  assert.is(s.running, false)
})

// ── docker-env ───────────────────────────────────────────────────────────────
test('docker-env --shell bash (minikube\'s own test text)', () => {
  assert.equal(parseDockerEnv(fixture('docker-env-bash').stdout), {
    DOCKER_TLS_VERIFY: '1',
    DOCKER_HOST: 'tcp://127.0.0.1:32842',
    DOCKER_CERT_PATH: '/certs',
    MINIKUBE_ACTIVE_DOCKERD: 'dockerdriver',
  })
})

test('docker-env --shell powershell, with its lowercase no_proxy', () => {
  assert.equal(parseDockerEnv(fixture('docker-env-powershell').stdout), {
    DOCKER_TLS_VERIFY: '1',
    DOCKER_HOST: 'tcp://192.168.0.1:2376',
    DOCKER_CERT_PATH: '/certs',
    MINIKUBE_ACTIVE_DOCKERD: 'powershell-no-proxy-idempotent',
    no_proxy: '192.168.0.1',
  })
})

// ── runtime: profile list -o json ───────────────────────────────────────────
test('containerRuntime: docker, containerd (another profile), absent profile', () => {
  assert.is(containerRuntime(fixture('profile-list-docker').stdout, 'minikube'), 'docker')
  assert.is(containerRuntime(fixture('profile-list-containerd').stdout, 'learn'), 'containerd')
  assert.is(containerRuntime(fixture('profile-list-containerd').stdout, 'minikube'), 'docker')
  assert.is(containerRuntime(fixture('profile-list-empty').stdout, 'minikube'), undefined)
  assert.is(containerRuntime(fixture('profile-list-docker').stdout, 'learn'), undefined)
})

/** A shell that answers minikube and docker the way a cluster with this runtime does. */
function clusterShell(o: { profileList: string; imageLs?: Fixture; localId?: string }) {
  return fakeShell({
    reply: (c: Call) => {
      if (c.line.startsWith('minikube profile list -o json')) return { stdout: o.profileList }
      if (c.line.startsWith('minikube docker-env')) {
        const rt = containerRuntime(o.profileList, c.args.includes('-p') ? c.args[c.args.indexOf('-p') + 1]! : 'minikube')
        if (rt === 'crio') {
          const f = fixture('docker-env-crio')
          return { stdout: f.stdout, stderr: f.stderr, exitCode: f.exitCode! }
        }
        return { stdout: fixture('docker-env-bash').stdout }
      }
      if (c.line.startsWith('minikube image ls --format json')) return o.imageLs ? { stdout: o.imageLs.stdout, exitCode: o.imageLs.exitCode! } : { exitCode: 80, stderr: 'X Exiting due to GUEST_STATUS: …' }
      if (c.line.startsWith('docker image inspect')) return o.localId ? { stdout: `${o.localId}\n` } : { exitCode: 1, stderr: 'Error response from daemon: No such image' }
      return undefined
    },
  })
}

const CRIO_PROFILES = fixture('profile-list-containerd').stdout.replace(/"ContainerRuntime":"containerd"/g, '"ContainerRuntime":"crio"')
const IMAGE = 'programmingpercy/hellogopher:5.0'
const IMAGE_ID = 'sha256:0f2e1d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0'

test('containerd: docker-env is not used; the learner is told the runtime and that images are loaded', async () => {
  const sh = clusterShell({ profileList: fixture('profile-list-containerd').stdout })
  const lines: string[] = []
  const env = await minikubeProvider({ profile: 'learn' }).dockerEnv(sh, (l) => lines.push(l))
  assert.equal(env, {})
  assert.equal(sh.calls.map((c) => c.line), ['minikube profile list -o json'])
  assert.equal(lines, ["minikube profile learn: container runtime containerd (minikube profile list -o json) — images are built by this machine's docker, then loaded with minikube image load"])
})

test('CRI-O: docker-env (which refuses it, exit 14) is never run', async () => {
  const sh = clusterShell({ profileList: CRIO_PROFILES })
  assert.equal(await minikubeProvider({ profile: 'learn' }).dockerEnv(sh), {})
  assert.not.ok(sh.calls.some((c) => c.line.includes('docker-env')))
})

test('docker runtime: docker-env as before, echoed, after one line naming the runtime', async () => {
  const sh = clusterShell({ profileList: fixture('profile-list-docker').stdout })
  const lines: string[] = []
  const env = await minikubeProvider().dockerEnv(sh, (l) => lines.push(l))
  assert.is(env.DOCKER_HOST, 'tcp://127.0.0.1:32842')
  assert.equal(lines, [
    "minikube profile minikube: container runtime docker (minikube profile list -o json) — images are built straight into minikube's docker (minikube docker-env)",
    '$ minikube docker-env --shell bash',
  ])
})

test('containerd: loadImage runs `minikube image load <image> -p <profile>`, echoed', async () => {
  const sh = clusterShell({ profileList: fixture('profile-list-containerd').stdout })
  const p = minikubeProvider({ profile: 'learn' })
  assert.ok(p.loadImage, 'the minikube provider must be able to load images')
  await p.loadImage!(sh, IMAGE, () => {})
  assert.equal(sh.commands(), ['minikube image load programmingpercy/hellogopher:5.0 -p learn'])
})

test('docker runtime: loadImage loads nothing (the build went into minikube\'s docker)', async () => {
  const sh = clusterShell({ profileList: fixture('profile-list-docker').stdout })
  const lines: string[] = []
  await minikubeProvider().loadImage!(sh, IMAGE, (l) => lines.push(l))
  assert.equal(sh.commands(), [])
  assert.match(lines.at(-1)!, /built in minikube's docker \(docker-env\): nothing to load/)
})

test('containerd: imageInRuntime compares the local image ID with `minikube image ls --format json`', async () => {
  const profileList = fixture('profile-list-containerd').stdout
  const ls = fixture('image-ls-containerd')
  const p = () => minikubeProvider({ profile: 'learn' })
  assert.is(await p().imageInRuntime(clusterShell({ profileList, imageLs: ls, localId: IMAGE_ID }), IMAGE), true)
  assert.is(await p().imageInRuntime(clusterShell({ profileList, imageLs: ls, localId: 'sha256:ffff' }), IMAGE), false, 'an older build in the cluster')
  assert.is(await p().imageInRuntime(clusterShell({ profileList, imageLs: ls, localId: IMAGE_ID }), 'programmingpercy/hellogopher:1.0'), false, 'not loaded')
  assert.is(await p().imageInRuntime(clusterShell({ profileList, imageLs: ls }), IMAGE), false, 'not built locally')
  const sh = clusterShell({ profileList, imageLs: ls, localId: IMAGE_ID })
  await p().imageInRuntime(sh, IMAGE)
  assert.ok(sh.calls.some((c) => c.line === 'minikube image ls --format json -p learn'), sh.calls.map((c) => c.line).join('\n'))
  assert.not.ok(sh.calls.some((c) => c.line.includes('docker-env')))
})

test('containerd: imageInRuntime fails with the command when minikube cannot list images', async () => {
  try {
    await minikubeProvider({ profile: 'learn' }).imageInRuntime(clusterShell({ profileList: fixture('profile-list-containerd').stdout, localId: IMAGE_ID }), IMAGE)
    assert.unreachable('should throw')
  } catch (e) {
    assert.match((e as Error).message, /^`minikube image ls --format json -p learn` failed \(exit 80\)/)
  }
})

test('minikubeImageId: fully qualified tags match the short reference', () => {
  const json = fixture('image-ls-containerd').stdout
  assert.is(minikubeImageId(json, IMAGE), IMAGE_ID)
  assert.is(minikubeImageId(json, 'registry.k8s.io/pause:3.10.1'), 'sha256:873ed75102791e5b0b8a7fcd41606c92fcec98d56d05ead4ac5131650004c136')
  assert.is(minikubeImageId(json, 'mysql:8.0'), undefined)
})

test('the runtime is read once per run', async () => {
  const sh = clusterShell({ profileList: fixture('profile-list-containerd').stdout, imageLs: fixture('image-ls-containerd'), localId: IMAGE_ID })
  const p = minikubeProvider({ profile: 'learn' })
  await p.dockerEnv(sh)
  await p.imageInRuntime(sh, IMAGE)
  await p.loadImage!(sh, IMAGE, () => {})
  assert.is(sh.calls.filter((c) => c.line.startsWith('minikube profile list')).length, 1)
})

test('start: -p <profile> --driver <driver>; stop: -p <profile>', async () => {
  assert.equal(minikubeProvider({ profile: 'learn', driver: 'docker' }).startCommands(), [['minikube', 'start', '-p', 'learn', '--driver', 'docker']])
  const sh = fakeShell()
  await minikubeProvider({ profile: 'learn' }).stop(sh, () => {})
  assert.equal(sh.commands(), ['minikube stop -p learn'])
})

test('MINIKUBE_PROFILE picks the profile (and its context) when --profile is not given', () => {
  const saved = process.env.MINIKUBE_PROFILE
  process.env.MINIKUBE_PROFILE = 'learn'
  try {
    assert.equal(minikubeProvider().target(), { context: 'learn' })
    assert.equal(minikubeProvider().startCommands(), [['minikube', 'start', '-p', 'learn']])
    // --profile wins; -p is passed even for "minikube", or minikube itself would read MINIKUBE_PROFILE
    assert.equal(minikubeProvider({ profile: 'minikube' }).startCommands(), [['minikube', 'start', '-p', 'minikube']])
  } finally {
    if (saved === undefined) delete process.env.MINIKUBE_PROFILE
    else process.env.MINIKUBE_PROFILE = saved
  }
})

// ── minikube service --url, as a real process ───────────────────────────────
const dir = mkdtempSync(join(tmpdir(), 'fake-minikube-'))
const PIDS = join(dir, 'pids')
/**
 * A stand-in for minikube's `service` command. direct: print the URL, exit. tunnel: start a child (minikube's ssh
 * tunnel), print the URL and the warning, wait (until SIGINT). stubborn: the same, ignoring SIGINT. silent: never
 * print. fail: exit 119 with minikube's error. The URL and the warning come from the fixtures.
 */
writeFileSync(
  join(dir, 'minikube'),
  `#!/bin/sh
[ "$1" = service ] || { echo "fake minikube: only service" >&2; exit 64; }
case "$FAKE_MODE" in
  direct) printf '%s\\n' "$FAKE_URL"; exit 0 ;;
  fail) printf '%s\\n' "X Exiting due to SVC_UNREACHABLE: service not available: no running pod for service hellogopher found" >&2; exit 119 ;;
  stubborn) trap '' INT ;;
esac
sleep 1000 &
echo "$$ $!" > "$FAKE_PIDS"
[ "$FAKE_MODE" = silent ] || { printf '%s\\n' "$FAKE_URL"; printf '%s' "$FAKE_STDERR" >&2; }
wait
`,
)
chmodSync(join(dir, 'minikube'), 0o755)


function startedPids(): number[] {
  return existsSync(PIDS) ? readFileSync(PIDS, 'utf8').trim().split(/\s+/).map(Number).filter(Boolean) : []
}

async function cleanupPids(): Promise<void> {
  for (const pid of startedPids()) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  rmSync(PIDS, { force: true })
}

function shellFor(mode: string, url = 'http://127.0.0.1:52345') {
  const tunnel = fixture('service-url-tunnel')
  return createShell({ env: { PATH: `${dir}:${process.env.PATH}`, FAKE_MODE: mode, FAKE_URL: url, FAKE_PIDS: PIDS, FAKE_STDERR: tunnel.stderr } })
}

/** Fails (instead of hanging the suite) when `p` takes longer than ms. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms / 1000}s`)), ms)))]).finally(() => clearTimeout(timer))
}

async function gone(pids: number[], ms = 3000): Promise<number[]> {
  const deadline = Date.now() + ms
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  return pids.filter(alive)
}

test('service --url on a reachable node: the URL minikube printed, nothing kept running', async () => {
  try {
    const direct = fixture('service-url-direct')
    const url = direct.stdout.trim()
    const lines: string[] = []
    const ep = await within(15_000, 'serviceUrl', minikubeProvider().serviceUrl(shellFor('direct', url), fakeKube({}), 'hellogopher', 'hellogopher', (l) => lines.push(l)))
    assert.is(ep.url, url)
    assert.is(ep.reopen, undefined)
    assert.is(lines[0], '$ minikube service hellogopher -n hellogopher --url')
    await ep.close()
  } finally {
    await cleanupPids()
  }
})

test('service --url that keeps a tunnel open: the URL comes back at once, the tunnel lives until close(), then it and its child are gone', async () => {
  try {
    const tunnel = fixture('service-url-tunnel')
    assert.ok(tunnel.blocks)
    const lines: string[] = []
    const ep = await within(15_000, 'serviceUrl with a blocking minikube', minikubeProvider().serviceUrl(shellFor('tunnel', tunnel.stdout.trim()), fakeKube({}), 'hellogopher', 'hellogopher', (l) => lines.push(l)))
    assert.is(ep.url, 'http://127.0.0.1:52345')
    assert.is(ep.reopen, 'minikube service hellogopher -n hellogopher --url')
    const pids = startedPids()
    assert.is(pids.length, 2, 'the fake did not record its pids')
    assert.equal(pids.filter(alive), pids, 'the tunnel must still run after the URL came back')
    assert.ok(lines.some((l) => l.includes('minikube keeps a tunnel open for http://127.0.0.1:52345') && l.includes('Because you are using a Docker driver on darwin')), lines.join('\n'))
    await within(15_000, 'close()', ep.close())
    assert.equal(await gone(pids), [], 'processes left after close()')
    assert.match(lines.at(-1)!, /^stopped the tunnel \(minikube service hellogopher -n hellogopher --url\)/)
  } finally {
    await cleanupPids()
  }
})

test('a tunnel that ignores SIGINT is killed after the grace period; nothing is left', async () => {
  try {
    const ep = await within(15_000, 'serviceUrl', minikubeProvider().serviceUrl(shellFor('stubborn'), fakeKube({}), 'hellogopher', 'hellogopher'))
    const pids = startedPids()
    assert.is(pids.length, 2)
    await within(20_000, 'close()', ep.close())
    assert.equal(await gone(pids), [])
  } finally {
    await cleanupPids()
  }
})

test('still running after the URL but no tunnel announced: kept for the check and stopped, but not called a tunnel', async () => {
  try {
    const lines: string[] = []
    const sh = createShell({ env: { PATH: `${dir}:${process.env.PATH}`, FAKE_MODE: 'tunnel', FAKE_URL: 'http://192.168.49.2:31234', FAKE_PIDS: PIDS, FAKE_STDERR: '' } })
    const ep = await within(15_000, 'serviceUrl', minikubeProvider().serviceUrl(sh, fakeKube({}), 'hellogopher', 'hellogopher', (l) => lines.push(l)))
    assert.is(ep.url, 'http://192.168.49.2:31234')
    assert.is(ep.reopen, undefined)
    assert.is(lines.at(-1), 'minikube service hellogopher -n hellogopher --url is still running after printing http://192.168.49.2:31234: it is stopped when this check is done')
    const pids = startedPids()
    assert.is(pids.length, 2)
    await within(15_000, 'close()', ep.close())
    assert.equal(await gone(pids), [])
  } finally {
    await cleanupPids()
  }
})

test('minikube exits without a URL: one line naming the command and what minikube said', async () => {
  try {
    await within(15_000, 'serviceUrl', minikubeProvider().serviceUrl(shellFor('fail'), fakeKube({}), 'hellogopher', 'hellogopher'))
    assert.unreachable('should throw')
  } catch (e) {
    const msg = (e as Error).message
    assert.is(msg.split('\n').length, 1, msg)
    assert.match(msg, /^`minikube service hellogopher -n hellogopher --url` failed \(exit 119\): X Exiting due to SVC_UNREACHABLE: service not available/)
  } finally {
    await cleanupPids()
  }
})

test('no URL before the deadline: an error naming the command, and the process is stopped', async () => {
  try {
    await within(15_000, 'serviceUrl', minikubeProvider({ serviceUrlTimeoutMs: 1500 }).serviceUrl(shellFor('silent'), fakeKube({}), 'hellogopher', 'hellogopher'))
    assert.unreachable('should throw')
  } catch (e) {
    assert.match((e as Error).message, /^`minikube service hellogopher -n hellogopher --url` printed no URL within 2s — it was stopped/)
    const pids = startedPids()
    assert.is(pids.length, 2)
    assert.equal(await gone(pids), [])
  } finally {
    await cleanupPids()
  }
})

test("up's verify step through a blocking minikube: GET through the tunnel answers, the step returns, the tunnel is gone after", async () => {
  let server: Server | undefined
  try {
    server = createServer((_req, res) => res.end('Hello gopher\n'))
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const deps = { ...fakeDeps({ kube: fakeKube({}), provider: minikubeProvider() }), sh: shellFor('tunnel', url) }
    const result: { url?: string; reopen?: string } = {}
    const t = await within(30_000, "up's verify step", runStep(verifyHello(deps, result, { timeoutMs: 10_000 }), testCtx()))
    assert.is(result.url, url)
    assert.ok(t.outputs.includes(`GET ${url} → 200 Hello gopher`), t.outputs.join('\n'))
    const pids = startedPids()
    assert.is(pids.length, 2)
    assert.equal(await gone(pids), [], 'the tunnel outlived the step')
  } finally {
    server?.close()
    await cleanupPids()
  }
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
