/** tasks/lib/providers/lab.ts: the lab as a provider — its context and tools, images saved from its dockerd into containerd, the image check against both, the NodePort on the node IP (under temp lab dirs). */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assertLabDirs, fakeKube, fakeShell, labTempDirs } from '../../../fakes.ts'

const dirs = labTempDirs('lab-provider-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const { BIN_DIR, DOCKER_HOST, DOCKER_SOCK, KUBECONFIG, LAB_CONTEXT, LAB_NODE_IP } = paths
const { CONTENT_DIR } = await import('../../../../../tasks/lab/engine/containerd.ts')
const { MYSQL_COMPAT_IMAGE } = await import('../../../../../tasks/lab/images/build.ts')
const { labProvider } = await import('../../../../../tasks/lib/providers/lab.ts')

const IMAGE = 'programmingpercy/hellogopher:5.0'
const MANIFEST_DIGEST = `sha256:${'ab'.repeat(32)}`
const CONFIG_DIGEST = `sha256:${'cd'.repeat(32)}`
const CTR_LS = `REF TYPE DIGEST SIZE PLATFORMS LABELS\ndocker.io/${IMAGE} application/vnd.docker.distribution.manifest.v2+json ${MANIFEST_DIGEST} 3.9 MiB linux/amd64 -\n`

/** The lab dockerd's Engine API on its (temp) socket, answering image reads from `images` (ref → ID, read per request). */
async function fakeDockerd(images: Record<string, string>): Promise<Server> {
  mkdirSync(dirname(DOCKER_SOCK), { recursive: true })
  const server = createServer((req, res) => {
    const ref = decodeURIComponent(/^\/images\/(.+)\/json$/.exec(req.url ?? '')?.[1] ?? '')
    const id = images[ref]
    res.writeHead(id ? 200 : 404, { 'content-type': 'application/json' })
    res.end(JSON.stringify(id ? { Id: id, Config: { Labels: null } } : { message: `No such image: ${ref}` }))
  })
  await new Promise<void>((r) => server.listen(DOCKER_SOCK, r))
  return server
}
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()))

test.after(() => dirs.cleanup())

test("identity: the lab's context and kubeconfig, its kubectl first on PATH, its dockerd for builds, only its own context owned", async () => {
  const p = labProvider()
  assert.equal(p.target(), { kubeconfig: KUBECONFIG, context: LAB_CONTEXT })
  assert.is(p.commandEnv().KUBECONFIG, KUBECONFIG)
  assert.ok(p.commandEnv().PATH!.startsWith(`${BIN_DIR}:`))
  assert.equal(await p.dockerEnv(fakeShell()), { DOCKER_HOST })
  assert.equal(p.startCommands(), [['npx', 'tsx', 'tasks/lab/up.ts']])
  assert.ok(p.ownsContext(LAB_CONTEXT) && !p.ownsContext('kind-dev') && !p.ownsContext('minikube'))
})

test("imageOverrides: mysql:8.0 is the lab's MariaDB build; the caller gets a copy", () => {
  const o = labProvider().imageOverrides()
  assert.equal(o, { 'mysql:8.0': MYSQL_COMPAT_IMAGE })
  o['mysql:8.0'] = 'changed'
  assert.is(labProvider().imageOverrides()['mysql:8.0'], MYSQL_COMPAT_IMAGE)
})

test('loadImage: docker save from the lab dockerd to a temp tar, ctr import of that tar — the tar gone after, also when the import fails', async () => {
  for (const importFails of [false, true]) {
    const sh = fakeShell({ reply: (c) => (c.bin === 'ctr' && importFails ? { exitCode: 1, stderr: 'ctr: failed' } : {}) })
    const before = readdirSync(tmpdir()).filter((f) => f.includes('lab-image')).length
    try {
      await labProvider().loadImage!(sh, IMAGE, () => {})
      assert.not.ok(importFails, 'a failed import must throw')
    } catch (e) {
      assert.ok(importFails, (e as Error).message)
    }
    const [save, load] = sh.calls
    assert.is(save!.bin, 'docker')
    assert.equal(save!.args.slice(0, 2), ['save', '-o'])
    assert.is(save!.args[3], IMAGE)
    assert.equal(save!.opts.env, { DOCKER_HOST })
    const tar = save!.args[2]!
    assert.is(load!.bin, 'ctr')
    assert.equal(load!.args.slice(-3), ['images', 'import', tar])
    assert.not.ok(existsSync(tar))
    assert.is(readdirSync(tmpdir()).filter((f) => f.includes('lab-image')).length, before)
  }
})

test("imageInRuntime: true only when containerd's config digest is docker's image ID (a rebuilt tag is loaded again)", async () => {
  mkdirSync(join(CONTENT_DIR, 'sha256'), { recursive: true })
  writeFileSync(join(CONTENT_DIR, 'sha256', MANIFEST_DIGEST.slice(7)), JSON.stringify({ schemaVersion: 2, config: { digest: CONFIG_DIGEST } }))
  const ctrLs = () => fakeShell({ reply: (c) => (c.bin === 'ctr' && c.args.includes('ls') ? { stdout: CTR_LS } : { exitCode: 1 }) })
  // one dockerd for the test (the client keeps its connection): the tag's ID is changed in place, as a rebuild does
  const images: Record<string, string> = { [IMAGE]: CONFIG_DIGEST }
  const server = await fakeDockerd(images)
  try {
    assert.is(await labProvider().imageInRuntime(ctrLs(), IMAGE), true)
    images[IMAGE] = `sha256:${'ef'.repeat(32)}`
    assert.is(await labProvider().imageInRuntime(ctrLs(), IMAGE), false, 'docker has a newer build of the tag')
    const sh = ctrLs()
    assert.is(await labProvider().imageInRuntime(sh, 'programmingpercy/hellogopher:4.0'), false)
    assert.equal(sh.calls, [], 'not in docker: containerd is not asked')
  } finally {
    await close(server)
  }
})

test("serviceUrl: the Service's NodePort on the lab node's address", async () => {
  const kube = fakeKube({ nodePort: async (ns: string, svc: string) => (ns === 'hellogopher' && svc === 'hellogopher' ? 31234 : 0) })
  const e = await labProvider().serviceUrl(fakeShell(), kube, 'hellogopher', 'hellogopher')
  assert.is(e.url, `http://${LAB_NODE_IP}:31234`)
  assert.is(e.reopen, undefined)
})

test('status: no lab kubeconfig → not running, with the reason, and no exception', async () => {
  const s = await labProvider().status(fakeShell())
  assert.is(s.running, false)
  assert.match(s.detail, /^lab: not running \(.+\)$/)
})

test.run()
