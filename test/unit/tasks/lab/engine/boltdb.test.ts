/** The bbolt reader (tasks/lab/engine/boltdb.ts) over a containerd-shaped file written by go.etcd.io/bbolt (fixtures/RECORDED.md). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BoltError, boltBucket, boltFileBucket, fnv64a } from '../../../../../tasks/lab/engine/boltdb.ts'

const db = gunzipSync(readFileSync(join(import.meta.dirname, '../../..', 'fixtures', 'containerd-meta.db.gz')))
const target = (name: string, buf = db) => boltBucket(buf, ['v1', 'k8s.io', 'images', name, 'target'])

test('fnv64a: the FNV-1a 64-bit vectors bbolt checksums its meta pages with', () => {
  assert.is(fnv64a(Buffer.from('')), 0xcbf29ce484222325n)
  assert.is(fnv64a(Buffer.from('a')), 0xaf63dc4c8601ec8cn)
  assert.is(fnv64a(Buffer.from('foobar')), 0x85944171f73967e8n)
})

test('boltBucket: values of a nested bucket, found through branch pages (121 images) and inline buckets', () => {
  const t = target('docker.io/programmingpercy/hellogopher:5.0')!
  assert.equal([...t.keys()], ['digest', 'mediatype'])
  assert.is(t.get('digest')!.toString(), `sha256:${'ab'.repeat(32)}`)
  for (const i of [0, 63, 119]) {
    assert.is(target(`docker.io/library/filler-image-with-a-long-name-${String(i).padStart(3, '0')}:latest`)!.get('digest')!.toString(), `sha256:${i.toString(16).padStart(64, '0')}`)
  }
  // nested buckets are not values: the image's own bucket lists createdat, not target
  assert.equal([...boltBucket(db, ['v1', 'k8s.io', 'images', 'docker.io/programmingpercy/hellogopher:5.0'])!.keys()], ['createdat'])
})

test('boltBucket: a bucket that is not there → undefined, at any depth', () => {
  assert.is(target('docker.io/programmingpercy/hellogopher:1.0'), undefined)
  assert.is(boltBucket(db, ['v2']), undefined)
  assert.is(boltBucket(db, ['v1', 'default', 'images']), undefined)
  assert.equal([...boltBucket(db, ['v1', 'moby', 'images'])!.keys()], [])
})

test('boltBucket: a value where a bucket is expected, a torn file, and not a bbolt file are BoltErrors', () => {
  assert.throws(() => boltBucket(db, ['v1', 'version', 'x']), (e: Error) => e instanceof BoltError && /version is a value/.test(e.message))
  assert.throws(() => target('docker.io/programmingpercy/hellogopher:5.0', db.subarray(0, 4096 * 3)), (e: Error) => e instanceof BoltError)
  assert.throws(() => boltBucket(Buffer.alloc(16384), ['v1']), (e: Error) => e instanceof BoltError && /no valid meta page/.test(e.message))
  // a meta page whose checksum does not match is passed over for the other one (the older transaction)
  const bad = Buffer.from(db)
  const newer = bad.readBigUInt64LE(16 + 48) > bad.readBigUInt64LE(4096 + 16 + 48) ? 0 : 4096
  bad.writeUInt8(bad.readUInt8(newer + 16 + 20) ^ 0xff, newer + 16 + 20)
  assert.not.throws(() => boltBucket(bad, ['v1']))
})

test('boltFileBucket: the same answers from the file, page by page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bolt-'))
  try {
    const file = join(dir, 'meta.db')
    writeFileSync(file, db)
    const path = ['v1', 'k8s.io', 'images', 'docker.io/library/filler-image-with-a-long-name-100:latest', 'target']
    assert.equal(boltFileBucket(file, path), boltBucket(db, path))
    assert.is(boltFileBucket(file, ['v1', 'k8s.io', 'images', 'nope']), undefined)
    writeFileSync(file, db.subarray(0, 4096 * 3))
    assert.throws(() => boltFileBucket(file, path), (e: Error) => e instanceof BoltError)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
