/** tasks/lib/docker-api.ts: docker's Engine API read on a unix socket (a stand-in daemon here): image, absent, errors. */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { inspectImage } from '../../../../tasks/lib/docker-api.ts'

const dir = mkdtempSync(join(tmpdir(), 'docker-api-'))
const sock = join(dir, 'docker.sock')
const paths: string[] = []
let server: Server

// answers as dockerd 20.10 does for GET /images/{name}/json
test.before(async () => {
  server = createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.url === '/images/programmingpercy/hellogopher:5.0/json') return json(200, { Id: 'sha256:aaa', Config: { Labels: { 'learn-k8s-easy.source': 'h5' } } })
    if (req.url === '/images/localhost/lab/busybox:1.35/json') return json(200, { Id: 'sha256:bbb', Config: { Labels: null } })
    if (req.url === '/images/broken:1/json') return json(500, { message: 'layer does not exist' })
    return json(404, { message: `No such image: ${req.url}` })
  })
  await new Promise<void>((r) => server.listen(sock, r))
})
test.after(async () => {
  await new Promise((r) => server.close(r))
  rmSync(dir, { recursive: true, force: true })
})

test('an image: its ID and labels; the name goes into the path as docker routes it', async () => {
  assert.equal(await inspectImage(sock, 'programmingpercy/hellogopher:5.0'), { id: 'sha256:aaa', labels: { 'learn-k8s-easy.source': 'h5' } })
  assert.equal(paths.at(-1), 'GET /images/programmingpercy/hellogopher:5.0/json')
})

test('no labels (null) → an empty map', async () => {
  assert.equal(await inspectImage(sock, 'localhost/lab/busybox:1.35'), { id: 'sha256:bbb', labels: {} })
})

test('no such image (404) → undefined: absent, not broken', async () => {
  assert.is(await inspectImage(sock, 'programmingpercy/hellogopher:9.0'), undefined)
})

test('an error answer throws with the status and docker message', async () => {
  await inspectImage(sock, 'broken:1').then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /^docker API GET \/images\/broken:1\/json on .*: HTTP 500 layer does not exist$/),
  )
})

test('no daemon on the socket → one line saying what to do', async () => {
  await inspectImage(join(dir, 'none.sock'), 'x:1').then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /ENOENT — is the docker daemon of the cluster running\? \(npx tsx tasks\/start-cluster\.ts\)$/),
  )
})

test('a reference docker would not route (spaces, ../) is refused before any request', async () => {
  const before = paths.length
  for (const bad of ['a b', '../x', 'a/../../containers/json?x', '', '?x']) {
    await inspectImage(sock, bad).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /^not an image reference/))
  }
  assert.is(paths.length, before)
})

test.run()
