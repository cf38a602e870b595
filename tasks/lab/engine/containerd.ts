/** The lab containerd's k8s.io namespace: the `ctr` argv (built only here) and what an image's config digest is. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fullRef } from '../../lib/image-ref.ts'
import type { Shell } from '../../lib/shell.ts'
import { CONTAINERD_SOCK, STATE_DIR } from './paths.ts'

/** `ctr` arguments against the lab's containerd, in the namespace the kubelet uses. */
export const ctr = (...args: string[]) => ['--address', CONTAINERD_SOCK, '-n', 'k8s.io', ...args]

/** The lab containerd's content store: every blob is a file named by its digest (what `ctr content get` serves). */
export const CONTENT_DIR = join(STATE_DIR, 'containerd', 'io.containerd.content.v1.content', 'blobs')

/**
 * The config digest (= docker image ID) of an image in containerd's k8s.io namespace, or undefined. The manifest is
 * read from the content store's file when it is there (no process), else with `ctr content get`.
 */
export async function runtimeConfigDigest(sh: Shell, image: string, contentDir = CONTENT_DIR): Promise<string | undefined> {
  const ls = await sh.run('ctr', ctr('images', 'ls', `name==${fullRef(image)}`), { quiet: true, allowFail: true, readOnly: true })
  const row = ls.stdout.split('\n').slice(1).find((l) => l.trim())
  const manifestDigest = row?.trim().split(/\s+/)[2]
  if (ls.exitCode !== 0 || !/^sha256:[0-9a-f]{64}$/.test(manifestDigest ?? '')) return undefined
  let manifest: string
  try {
    manifest = await readFile(join(contentDir, 'sha256', manifestDigest!.slice('sha256:'.length)), 'utf8')
  } catch {
    const content = await sh.run('ctr', ctr('content', 'get', manifestDigest!), { quiet: true, allowFail: true, readOnly: true })
    if (content.exitCode !== 0) return undefined
    manifest = content.stdout
  }
  try {
    return (JSON.parse(manifest) as { config?: { digest?: string } }).config?.digest
  } catch {
    return undefined
  }
}
