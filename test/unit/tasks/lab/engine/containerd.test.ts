/** tasks/lab/engine/containerd.ts: the `ctr` argv against the lab's containerd, where its stores are, and an image's manifest and config digests read from containerd's files (bbolt fixture, temp content store), with `ctr` (a fake shell) only as the fallback. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assertLabDirs, fakeShell, labTempDirs } from '../../../fakes.ts'

const dirs = labTempDirs('containerd-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const { CONTENT_DIR, ctr, manifestDigestFromStore, META_DB, runtimeConfigDigest } = await import('../../../../../tasks/lab/engine/containerd.ts')

test.after(() => dirs.cleanup())

test('ctr: the lab containerd\'s socket and the kubelet\'s k8s.io namespace before the command', () => {
  assert.equal(ctr('images', 'ls', '-q'), ['--address', join(dirs.run, 'containerd.sock'), '-n', 'k8s.io', 'images', 'ls', '-q'])
  assert.equal(ctr(), ['--address', join(dirs.run, 'containerd.sock'), '-n', 'k8s.io'])
})

test('the content store and the metadata file are containerd\'s own, under the lab state dir', () => {
  assert.is(CONTENT_DIR, join(dirs.state, 'containerd', 'io.containerd.content.v1.content', 'blobs'))
  assert.is(META_DB, join(dirs.state, 'containerd', 'io.containerd.metadata.v1.bolt', 'meta.db'))
})

// `ctr -n k8s.io images ls name==…` as containerd 1.6 prints it, and the manifest `ctr images import` stored
const MANIFEST_DIGEST = `sha256:${'ab'.repeat(32)}`
const CONFIG_DIGEST = `sha256:${'cd'.repeat(32)}`
const CTR_LS = `REF                                        TYPE                                                 DIGEST          SIZE    PLATFORMS   LABELS
docker.io/programmingpercy/hellogopher:5.0 application/vnd.docker.distribution.manifest.v2+json ${MANIFEST_DIGEST} 3.9 MiB linux/amd64 -
`
const MANIFEST = JSON.stringify({ schemaVersion: 2, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: CONFIG_DIGEST } })

const NO_DB = '/no/such/meta.db'

test('runtimeConfigDigest: metadata file unreadable → `ctr images ls`, the manifest read from the content store file — one ctr process, not two', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'content-'))
  try {
    mkdirSync(join(dir, 'sha256'))
    writeFileSync(join(dir, 'sha256', MANIFEST_DIGEST.slice(7)), MANIFEST)
    const sh = fakeShell({ reply: (c) => (c.args.includes('ls') ? { stdout: CTR_LS } : new Error(`no ${c.line}`)) })
    assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0', { contentDir: dir, metaDb: NO_DB }), CONFIG_DIGEST)
    assert.equal(sh.calls.map((c) => c.args.slice(-3)), [['images', 'ls', 'name==docker.io/programmingpercy/hellogopher:5.0']])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('runtimeConfigDigest: no blob file → `ctr content get`; not imported → undefined without a second process', async () => {
  const sh = fakeShell({ reply: (c) => (c.args.includes('ls') ? { stdout: CTR_LS } : { stdout: MANIFEST }) })
  assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0', { contentDir: '/no/such/content', metaDb: NO_DB }), CONFIG_DIGEST)
  assert.equal(sh.calls.map((c) => c.args.slice(-3)), [['images', 'ls', 'name==docker.io/programmingpercy/hellogopher:5.0'], ['content', 'get', MANIFEST_DIGEST]])
  const none = fakeShell({ reply: () => ({ stdout: CTR_LS.split('\n')[0] + '\n' }) })
  assert.is(await runtimeConfigDigest(none, 'programmingpercy/hellogopher:4.0', { contentDir: '/no/such/content', metaDb: NO_DB }), undefined)
  assert.is(none.calls.length, 1)
})

// a containerd-shaped bbolt file (test/unit/fixtures/RECORDED.md): hellogopher:5.0 → MANIFEST_DIGEST, 120 fillers
const metaDbFixture = (dir: string): string => {
  const file = join(dir, 'meta.db')
  writeFileSync(file, gunzipSync(readFileSync(join(import.meta.dirname, '../../..', 'fixtures', 'containerd-meta.db.gz'))))
  return file
}

test('runtimeConfigDigest: name → manifest from containerd\'s metadata file, manifest → config from the content store: no process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'content-'))
  try {
    mkdirSync(join(dir, 'sha256'))
    writeFileSync(join(dir, 'sha256', MANIFEST_DIGEST.slice(7)), MANIFEST)
    const metaDb = metaDbFixture(dir)
    const sh = fakeShell({ reply: () => ({ exitCode: 1, stderr: 'ctr: content digest sha256:ab…: not found' }) })
    assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0', { contentDir: dir, metaDb }), CONFIG_DIGEST)
    // a name the metadata does not hold is not in the runtime: no ctr to ask again
    assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:4.0', { contentDir: dir, metaDb }), undefined)
    assert.equal(sh.calls, [])
    // the manifest blob gone from the content store: `ctr content get` is asked, and its failure means "not there"
    rmSync(join(dir, 'sha256', MANIFEST_DIGEST.slice(7)))
    assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0', { contentDir: dir, metaDb }), undefined)
    assert.equal(sh.calls.map((c) => c.args.slice(-3)), [['content', 'get', MANIFEST_DIGEST]])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('manifestDigestFromStore: a digest, null when the name is not there, undefined (ask ctr) when the file does not parse', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meta-'))
  try {
    const metaDb = metaDbFixture(dir)
    assert.is(await manifestDigestFromStore('programmingpercy/hellogopher:5.0', metaDb), MANIFEST_DIGEST)
    assert.is(await manifestDigestFromStore('docker.io/programmingpercy/hellogopher:5.0', metaDb), MANIFEST_DIGEST)
    assert.is(await manifestDigestFromStore('library/filler-image-with-a-long-name-077:latest', metaDb), `sha256:${'4d'.padStart(64, '0')}`)
    assert.is(await manifestDigestFromStore('programmingpercy/hellogopher:1.0', metaDb), null)
    assert.is(await manifestDigestFromStore('x:1', join(dir, 'missing.db')), undefined)
    const torn = join(dir, 'torn.db')
    writeFileSync(torn, readFileSync(metaDb).subarray(0, 4096 * 3))
    assert.is(await manifestDigestFromStore('programmingpercy/hellogopher:5.0', torn), undefined)
    writeFileSync(torn, Buffer.alloc(8192))
    assert.is(await manifestDigestFromStore('programmingpercy/hellogopher:5.0', torn), undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('runtimeConfigDigest: by default reads the lab state dir\'s stores; none there → asks ctr', async () => {
  const sh = fakeShell({ reply: () => ({ exitCode: 1, stderr: 'ctr: failed to dial' }) })
  assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0'), undefined)
  assert.equal(sh.calls.map((c) => c.args.slice(-3)), [['images', 'ls', 'name==docker.io/programmingpercy/hellogopher:5.0']])
  mkdirSync(join(CONTENT_DIR, 'sha256'), { recursive: true })
  mkdirSync(join(META_DB, '..'), { recursive: true })
  writeFileSync(META_DB, gunzipSync(readFileSync(join(import.meta.dirname, '../../..', 'fixtures', 'containerd-meta.db.gz'))))
  writeFileSync(join(CONTENT_DIR, 'sha256', MANIFEST_DIGEST.slice(7)), MANIFEST)
  const quiet = fakeShell()
  assert.is(await runtimeConfigDigest(quiet, 'programmingpercy/hellogopher:5.0'), CONFIG_DIGEST)
  assert.equal(quiet.calls, [])
})

test.run()
