/** The lab containerd's k8s.io namespace: the `ctr` argv (built only here) and what an image's config digest is. */
import { readFile } from 'node:fs/promises'
import { boltFileBucket } from './boltdb.ts'
import { join } from 'node:path'
import { fullRef } from '../../lib/image-ref.ts'
import type { RunOpts, RunResult, Shell } from '../../lib/shell.ts'
import { CONTAINERD_SOCK, STATE_DIR } from './paths.ts'

/** `ctr` arguments against the lab's containerd, in the namespace the kubelet uses. */
export const ctr = (...args: string[]) => ['--address', CONTAINERD_SOCK, '-n', 'k8s.io', ...args]

/** Run `ctr <args>` against the lab's containerd, in the kubelet's namespace. */
export function runCtr(sh: Shell, args: string[], opts?: RunOpts): Promise<RunResult> {
  return sh.run('ctr', ctr(...args), opts)
}

/** `ctr version` against the lab's socket: answers only when containerd does. */
export const ctrVersionArgs = () => ['--address', CONTAINERD_SOCK, 'version']

/** `ctr` inside a kind node (its own containerd, the kubelet's namespace), as the argv of a `docker exec`. */
export const nodeCtr = (...args: string[]) => ['ctr', '--namespace=k8s.io', ...args]

/** The lab containerd's content store: every blob is a file named by its digest (what `ctr content get` serves). */
export const CONTENT_DIR = join(STATE_DIR, 'containerd', 'io.containerd.content.v1.content', 'blobs')

/** The lab containerd's metadata store (bbolt): image name → target manifest digest, what `ctr images ls` reads. */
export const META_DB = join(STATE_DIR, 'containerd', 'io.containerd.metadata.v1.bolt', 'meta.db')

export interface RuntimeStore {
  contentDir?: string
  metaDb?: string
}

/**
 * The manifest digest an image name points at in the k8s.io namespace, read from containerd's metadata file (no
 * process): a digest, null when the name is not there, undefined when the file cannot be read or parsed (a read
 * torn by a commit, another format) — then `ctr images ls` answers.
 */
export async function manifestDigestFromStore(image: string, metaDb = META_DB): Promise<string | null | undefined> {
  try {
    const target = boltFileBucket(metaDb, ['v1', 'k8s.io', 'images', fullRef(image), 'target'])
    if (!target) return null
    const digest = target.get('digest')?.toString('latin1')
    return digest && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : undefined
  } catch {
    return undefined
  }
}

/**
 * The config digest (= docker image ID) of an image in containerd's k8s.io namespace, or undefined. The image's
 * manifest digest is read from containerd's metadata file and the manifest from the content store's file (no
 * process); when either cannot be read, `ctr images ls` and `ctr content get` answer.
 */
export async function runtimeConfigDigest(sh: Shell, image: string, { contentDir = CONTENT_DIR, metaDb = META_DB }: RuntimeStore = {}): Promise<string | undefined> {
  let manifestDigest = await manifestDigestFromStore(image, metaDb)
  if (manifestDigest === null) return undefined
  if (manifestDigest === undefined) {
    const ls = await runCtr(sh, ['images', 'ls', `name==${fullRef(image)}`], { quiet: true, allowFail: true, readOnly: true })
    const row = ls.stdout.split('\n').slice(1).find((l) => l.trim())
    manifestDigest = row?.trim().split(/\s+/)[2]
    if (ls.exitCode !== 0 || !/^sha256:[0-9a-f]{64}$/.test(manifestDigest ?? '')) return undefined
  }
  let manifest: string
  try {
    manifest = await readFile(join(contentDir, 'sha256', manifestDigest!.slice('sha256:'.length)), 'utf8')
  } catch {
    const content = await runCtr(sh, ['content', 'get', manifestDigest!], { quiet: true, allowFail: true, readOnly: true })
    if (content.exitCode !== 0) return undefined
    manifest = content.stdout
  }
  try {
    return (JSON.parse(manifest) as { config?: { digest?: string } }).config?.digest
  } catch {
    return undefined
  }
}
