/**
 * A read-only reader of a bbolt file (the format of containerd's metadata store, io.containerd.metadata.v1.bolt/meta.db),
 * enough to look up a value by its bucket path: the lab reads which manifest an image name points at without a `ctr`
 * process. Pure over a Buffer. The newest valid meta page (magic, version, checksum) picks the tree; anything that does
 * not parse throws BoltError, and the caller falls back to `ctr` (a file read while containerd commits may be torn).
 * From a file, only the pages on the way are read (a handful of 4 KiB reads, not the whole file).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

export class BoltError extends Error {
  override name = 'BoltError'
}

const MAGIC = 0xed0cdaed
const VERSION = 2
const PAGE_HEADER = 16
const ELEMENT = 16
const BRANCH_PAGE = 0x01
const LEAF_PAGE = 0x02
const META_PAGE = 0x04
const BUCKET_LEAF = 0x01

/** FNV-1a, 64 bits: bbolt's meta checksum. */
export function fnv64a(bytes: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n)
  return h
}

interface Meta {
  pageSize: number
  root: number
  txid: bigint
}

/** Where the bytes come from: a Buffer, or positioned reads of a file. */
interface Source {
  size: number
  read(offset: number, length: number): Buffer
}

const bufferSource = (buf: Buffer): Source => ({ size: buf.length, read: (offset, length) => buf.subarray(offset, offset + length) })

function readMeta(src: Source, offset: number): Meta | undefined {
  if (offset + PAGE_HEADER + 64 > src.size) return undefined
  const buf = src.read(offset, PAGE_HEADER + 64)
  offset = 0
  if (!(buf.readUInt16LE(offset + 8) & META_PAGE)) return undefined
  const m = offset + PAGE_HEADER
  if (buf.readUInt32LE(m) !== MAGIC || buf.readUInt32LE(m + 4) !== VERSION) return undefined
  if (fnv64a(buf.subarray(m, m + 56)) !== buf.readBigUInt64LE(m + 56)) return undefined
  return { pageSize: buf.readUInt32LE(m + 8), root: Number(buf.readBigUInt64LE(m + 16)), txid: buf.readBigUInt64LE(m + 48) }
}

/** The newest valid of the two meta pages. */
function newestMeta(src: Source): Meta {
  const first = readMeta(src, 0)
  const second = first ? readMeta(src, first.pageSize) : [4096, 8192, 16384, 65536].map((p) => readMeta(src, p)).find(Boolean)
  const best = [first, second].filter((m): m is Meta => !!m).sort((a, b) => (a.txid > b.txid ? -1 : 1))[0]
  if (!best) throw new BoltError('no valid meta page (not a bbolt file, or torn)')
  return best
}

/** One entry of a bucket: a nested bucket's header + inline page, or a value. */
interface Entry {
  bucket: boolean
  value: Buffer
}

class Reader {
  constructor(
    private readonly src: Source,
    private readonly pageSize: number,
  ) {}

  private page(id: number): Buffer {
    const start = id * this.pageSize
    if (id < 2 || start + this.pageSize > this.src.size) throw new BoltError(`page ${id} is outside the file`)
    const first = this.src.read(start, this.pageSize)
    const overflow = first.readUInt32LE(12)
    if (!overflow) return first
    const length = (overflow + 1) * this.pageSize
    if (start + length > this.src.size) throw new BoltError(`page ${id} runs past the end of the file`)
    return this.src.read(start, length)
  }

  /** Every entry of the B+tree rooted at `page`, in key order. */
  private walk(page: Buffer, into: Map<string, Entry>, depth = 0): void {
    if (depth > 64) throw new BoltError('tree too deep (a cycle?)')
    const flags = page.readUInt16LE(8)
    const count = page.readUInt16LE(10)
    if (PAGE_HEADER + count * ELEMENT > page.length) throw new BoltError('element table runs past its page')
    for (let i = 0; i < count; i++) {
      const e = PAGE_HEADER + i * ELEMENT
      if (flags & BRANCH_PAGE) {
        this.walk(this.page(Number(page.readBigUInt64LE(e + 8))), into, depth + 1)
      } else if (flags & LEAF_PAGE) {
        const [eflags, pos, ksize, vsize] = [page.readUInt32LE(e), page.readUInt32LE(e + 4), page.readUInt32LE(e + 8), page.readUInt32LE(e + 12)]
        const k = e + pos
        if (k + ksize + vsize > page.length) throw new BoltError('a key or value runs past its page')
        into.set(page.subarray(k, k + ksize).toString('latin1'), { bucket: !!(eflags & BUCKET_LEAF), value: page.subarray(k + ksize, k + ksize + vsize) })
      } else throw new BoltError(`page of unexpected type 0x${flags.toString(16)}`)
    }
  }

  /** The entries of a bucket, from its 16-byte header (root page, sequence), its page inline when root is 0. */
  bucket(header: Buffer): Map<string, Entry> {
    if (header.length < 16) throw new BoltError('bucket header too short')
    const root = Number(header.readBigUInt64LE(0))
    const into = new Map<string, Entry>()
    this.walk(root === 0 ? header.subarray(16) : this.page(root), into)
    return into
  }

  rootBucket(root: number): Map<string, Entry> {
    const into = new Map<string, Entry>()
    this.walk(this.page(root), into)
    return into
  }
}

/**
 * The entries (values only, as Buffers) of the bucket at `path` (e.g. ['v1', 'k8s.io', 'images', name, 'target']),
 * or undefined when a bucket on the way is not there. Throws BoltError when the file does not parse.
 */
export function boltBucket(buf: Buffer, path: readonly string[]): Map<string, Buffer> | undefined {
  return bucketIn(bufferSource(buf), path)
}

/** boltBucket of a file, reading only the pages on the way. */
export function boltFileBucket(file: string, path: readonly string[]): Map<string, Buffer> | undefined {
  const fd = openSync(file, 'r')
  try {
    const size = fstatSync(fd).size
    return bucketIn(
      {
        size,
        read(offset, length) {
          const out = Buffer.alloc(length)
          if (readSync(fd, out, 0, length, offset) !== length) throw new BoltError(`short read at ${offset}`)
          return out
        },
      },
      path,
    )
  } finally {
    closeSync(fd)
  }
}

function bucketIn(src: Source, path: readonly string[]): Map<string, Buffer> | undefined {
  const meta = newestMeta(src)
  const reader = new Reader(src, meta.pageSize)
  let entries = reader.rootBucket(meta.root)
  for (const name of path) {
    const e = entries.get(name)
    if (!e) return undefined
    if (!e.bucket) throw new BoltError(`${name} is a value, not a bucket`)
    entries = reader.bucket(e.value)
  }
  return new Map([...entries].filter(([, e]) => !e.bucket).map(([k, e]) => [k, e.value]))
}
