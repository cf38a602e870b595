/**
 * The lab cluster's two local images — nothing can be pulled, so both are built here from files in
 * this folder:
 *
 *   - PAUSE_IMAGE: the pod sandbox (containerd's sandbox_image), a tiny static C program FROM scratch.
 *   - MYSQL_COMPAT_IMAGE: what the tutorial's `mysql` Deployment runs — Debian bookworm's MariaDB
 *     (rootfs made with debootstrap, cached as a tarball) behind an entrypoint that honours the
 *     official mysql image's environment (MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER, ...).
 *
 * Each build is idempotent: the image carries a label SOURCE_LABEL = sha256 of its recipe (files +
 * build parameters); when the existing image's label matches, the build is skipped.
 * Docker runs with DOCKER_BUILDKIT=0 (classic builder); the daemon is whatever DOCKER_HOST the caller's
 * environment names.
 */
import { createHash } from 'node:crypto'
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CommandError, ToolMissingError, type Shell } from '../../lib/shell.ts'
import { docker, dockerImageInspect, ID_FORMAT, LABELS_FORMAT } from '../../lib/docker-cli.ts'

export type Log = (line: string) => void

export const PAUSE_IMAGE = 'localhost/lab/pause:1.0'
export const MYSQL_COMPAT_IMAGE = 'localhost/lab/mysql-compat:mariadb-10.11'
/** The imported debootstrap rootfs MYSQL_COMPAT_IMAGE is built FROM (named in mysql/Dockerfile). */
export const MYSQL_ROOTFS_IMAGE = 'localhost/lab/mysql-compat-rootfs:bookworm'
/** Image label holding the sha256 of the recipe the image was built from. */
export const SOURCE_LABEL = 'learn-k8s-easy.source'

/** Bump when the build steps below change in a way the recipe files do not show. */
const RECIPE_VERSION = '1'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const inRepo = (rel: string) => path.join(REPO_ROOT, rel)

const PAUSE_DIR = 'tasks/lab/images/pause'
const MYSQL_DIR = 'tasks/lab/images/mysql'

/** A Debian root filesystem made with debootstrap. Part of the recipe hash (the mirror is not: any Debian mirror gives the same). */
export interface RootfsRecipe {
  suite: string
  variant: string
  include: readonly string[]
  /** Emptied after debootstrap (contents removed, directories kept), relative to the rootfs. */
  prune: readonly string[]
}

/** How the MySQL-compatible image's rootfs is made. */
export const MYSQL_ROOTFS: RootfsRecipe = {
  suite: 'bookworm',
  variant: 'minbase',
  include: ['mariadb-server', 'mariadb-client'],
  /** Emptied after debootstrap (contents removed, directories kept), relative to the rootfs. */
  prune: [
    'var/lib/mysql', // initialised by mariadb-server's postinst (root without password): the entrypoint does it
    'var/cache/apt',
    'var/lib/apt/lists',
    'var/log',
    'usr/share/doc',
    'usr/share/man',
    'usr/share/info',
    'usr/share/locale',
    'usr/share/lintian',
    'dev', // device nodes: the runtime mounts its own /dev
    'tmp',
  ],
}

const DOCKER_ENV = { DOCKER_BUILDKIT: '0' }

/** Where a debootstrap result is kept between builds (outside the repo). */
export function rootfsCachePath(name: string, suite: string): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache')
  return path.join(cache, 'learn-k8s-easy', 'lab', 'images', `${name}-rootfs-${suite}.tar`)
}

export const mysqlRootfsCachePath = (): string => rootfsCachePath('mysql', MYSQL_ROOTFS.suite)

export function sha256(parts: Array<[name: string, content: string | Buffer]>): string {
  const h = createHash('sha256')
  for (const [name, content] of parts) {
    h.update(`${name}\0${content.length}\0`)
    h.update(content)
  }
  return h.digest('hex')
}

const pauseCompile = (out: string) => ['-Os', '-static', '-o', out, inRepo(`${PAUSE_DIR}/pause.c`)]

/** sha256 of the pause recipe: Dockerfile, pause.c and the compiler command. */
export async function pauseSourceHash(): Promise<string> {
  return sha256([
    ['recipe-version', RECIPE_VERSION],
    ['pause/Dockerfile', await readFile(inRepo(`${PAUSE_DIR}/Dockerfile`))],
    ['pause/pause.c', await readFile(inRepo(`${PAUSE_DIR}/pause.c`))],
    ['gcc', ['gcc', ...pauseCompile('<ctx>/pause')].join(' ').replace(REPO_ROOT, '<repo>')],
  ])
}

/** sha256 of a rootfs recipe alone: the debootstrap parameters and the pruning. */
export function rootfsHash(recipe: RootfsRecipe): string {
  return sha256([
    ['recipe-version', RECIPE_VERSION],
    ['debootstrap', JSON.stringify(recipe)],
  ])
}

export const mysqlRootfsHash = (): string => rootfsHash(MYSQL_ROOTFS)

/** sha256 of the MySQL-compatible image's recipe: Dockerfile, entrypoint.sh and the rootfs recipe. */
export async function mysqlSourceHash(): Promise<string> {
  return sha256([
    ['recipe-version', RECIPE_VERSION],
    ['mysql/Dockerfile', await readFile(inRepo(`${MYSQL_DIR}/Dockerfile`))],
    ['mysql/entrypoint.sh', await readFile(inRepo(`${MYSQL_DIR}/entrypoint.sh`))],
    ['rootfs', mysqlRootfsHash()],
  ])
}

export async function imageLabels(sh: Shell, ref: string): Promise<Record<string, string> | undefined> {
  const r = await dockerImageInspect(sh, ref, LABELS_FORMAT, DOCKER_ENV)
  if (r.exitCode !== 0) return undefined
  try {
    return (JSON.parse(r.stdout.trim() || 'null') as Record<string, string> | null) ?? {}
  } catch {
    return {}
  }
}

/** Is there an image with this reference in the Docker daemon? */
export async function imageExists(sh: Shell, ref: string): Promise<boolean> {
  return (await imageId(sh, ref)) !== undefined
}

/** Why the image need not be built, or undefined when it must be. */
export async function upToDate(sh: Shell, ref: string, source: string): Promise<string | undefined> {
  const labels = await imageLabels(sh, ref)
  return labels?.[SOURCE_LABEL] === source ? `already built (${ref}, source ${source.slice(0, 12)})` : undefined
}

export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  try {
    return await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export async function imageId(sh: Shell, ref: string): Promise<string | undefined> {
  const r = await dockerImageInspect(sh, ref, ID_FORMAT, DOCKER_ENV)
  return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined
}

/**
 * Run `make` (which tags ref anew), then remove the image ref pointed to before, now untagged, so rebuilds
 * do not pile up ~300 MB orphans. Best effort: an image still in use (or with children) stays.
 */
export async function replacing(sh: Shell, log: Log, ref: string, make: () => Promise<void>): Promise<void> {
  const before = await imageId(sh, ref)
  await make()
  if (!before || sh.dryRun || before === (await imageId(sh, ref))) return
  const r = await docker(sh).imageRm(before, { env: DOCKER_ENV, allowFail: true, quiet: true })
  if (r.exitCode === 0) log(`removed the previous ${ref} (${before.replace(/^sha256:/, '').slice(0, 12)})`)
}

export async function dockerBuild(sh: Shell, log: Log, ctx: string, ref: string, source: string, buildArgs: string[] = []): Promise<void> {
  await replacing(sh, log, ref, async () => {
    await docker(sh).build({ context: ctx, ref, labels: { [SOURCE_LABEL]: source }, buildArgs }, { log, env: DOCKER_ENV })
  })
}

/**
 * Build PAUSE_IMAGE: compile pause.c statically with gcc into a temp context, `docker build` it FROM scratch.
 * Returns why it was skipped, or undefined when it was built.
 */
export async function buildPauseImage(sh: Shell, log: Log): Promise<string | undefined> {
  const source = await pauseSourceHash()
  const skip = await upToDate(sh, PAUSE_IMAGE, source)
  if (skip) return skip
  if (!(await sh.which('gcc'))) throw new ToolMissingError('gcc')
  await withTempDir('lab-pause-', async (ctx) => {
    await copyFile(inRepo(`${PAUSE_DIR}/Dockerfile`), path.join(ctx, 'Dockerfile'))
    try {
      await sh.run('gcc', pauseCompile(path.join(ctx, 'pause')), { log })
    } catch (e) {
      if (e instanceof CommandError) {
        // the usual cause: no static libc (libc6-dev)
        throw new CommandError(e.command, e.exitCode, e.stderr, 'apt-get install gcc libc6-dev')
      }
      throw e
    }
    await dockerBuild(sh, log, ctx, PAUSE_IMAGE, source)
  })
  return undefined
}

/**
 * Build MYSQL_COMPAT_IMAGE: the debootstrap rootfs (cached tarball → MYSQL_ROOTFS_IMAGE via `docker import`),
 * then mysql/Dockerfile with entrypoint.sh on top. Returns why it was skipped, or undefined when it was built.
 */
export async function buildMysqlImage(sh: Shell, log: Log): Promise<string | undefined> {
  const source = await mysqlSourceHash()
  const skip = await upToDate(sh, MYSQL_COMPAT_IMAGE, source)
  if (skip) return skip
  await ensureMysqlRootfsImage(sh, log)
  await withTempDir('lab-mysql-', async (ctx) => {
    await copyFile(inRepo(`${MYSQL_DIR}/Dockerfile`), path.join(ctx, 'Dockerfile'))
    await copyFile(inRepo(`${MYSQL_DIR}/entrypoint.sh`), path.join(ctx, 'entrypoint.sh'))
    await chmod(path.join(ctx, 'entrypoint.sh'), 0o755) // COPY keeps the mode
    await dockerBuild(sh, log, ctx, MYSQL_COMPAT_IMAGE, source)
  })
  return undefined
}

/** An image of a debootstrap rootfs from the cached tarball, debootstrapping first when there is none (or a stale one). */
export async function ensureRootfsImage(sh: Shell, log: Log, recipe: RootfsRecipe, image: string, name: string): Promise<void> {
  const key = rootfsHash(recipe)
  if ((await imageLabels(sh, image))?.[SOURCE_LABEL] === key) {
    log(`${image} is up to date`)
    return
  }
  const tar = rootfsCachePath(name, recipe.suite)
  const keyFile = `${tar}.source`
  const cached =
    (await readFile(keyFile, 'utf8').then(
      (k) => k.trim() === key,
      () => false,
    )) && (await stat(tar).then((s) => s.isFile() && s.size > 0, () => false))
  if (cached) log(`using the cached rootfs ${tar}`)
  else await bootstrapRootfs(sh, log, recipe, tar, keyFile, key)
  // same as `tar -C <rootfs> -c . | docker import - <ref>`, from the cached tarball
  await replacing(sh, log, image, async () => {
    await docker(sh).importTar(tar, image, [`LABEL ${SOURCE_LABEL}=${key}`], { log, env: DOCKER_ENV })
  })
}

const ensureMysqlRootfsImage = (sh: Shell, log: Log) => ensureRootfsImage(sh, log, MYSQL_ROOTFS, MYSQL_ROOTFS_IMAGE, 'mysql')

async function bootstrapRootfs(sh: Shell, log: Log, recipe: RootfsRecipe, tar: string, keyFile: string, key: string): Promise<void> {
  if (!(await sh.which('debootstrap'))) throw new ToolMissingError('debootstrap')
  if (process.getuid && process.getuid() !== 0 && !sh.dryRun) {
    throw new Error('building a Debian rootfs runs debootstrap, which needs root: run as root')
  }
  const { suite, variant, include, prune } = recipe
  const mirror = await debianMirror(suite)
  const work = await mkdtemp(path.join(os.tmpdir(), 'lab-rootfs-'))
  const root = path.join(work, 'rootfs')
  try {
    log(`debootstrap ${suite} with ${include.join(', ')} from ${mirror} (a few minutes; cached afterwards)`)
    await sh.run('debootstrap', [`--variant=${variant}`, `--include=${include.join(',')}`, suite, root, mirror], {
      log,
    })
    if (sh.dryRun) return
    await unmountUnder(sh, log, work) // debootstrap unmounts /proc, /sys on exit; make sure
    for (const rel of prune) await emptyDir(root, rel)
    log(`pruned ${prune.join(', ')}`)
    await mkdir(path.dirname(tar), { recursive: true })
    const part = `${tar}.${process.pid}.part` // unique: two builds at once each rename a whole tarball
    try {
      await sh.run('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', part, '.'], { log })
      await rename(part, tar)
    } catch (e) {
      await rm(part, { force: true })
      throw e
    }
    await writeFile(keyFile, `${key}\n`)
  } finally {
    if (sh.dryRun) await rm(work, { recursive: true, force: true })
    else {
      await unmountUnder(sh, log, work).catch(() => {})
      // --one-file-system: never descend into something still mounted
      await sh.run('rm', ['-rf', '--one-file-system', work], { quiet: true, allowFail: true })
    }
  }
}

/** Remove everything inside root/rel, keeping the directory. Refuses paths that leave root via a symlink. */
async function emptyDir(root: string, rel: string): Promise<void> {
  const rootReal = await realpath(root)
  let dir: string
  try {
    dir = await realpath(path.join(root, rel))
  } catch {
    return // not there
  }
  if (dir === rootReal || !dir.startsWith(rootReal + path.sep)) {
    throw new Error(`refusing to prune ${rel}: it resolves outside the rootfs (${dir})`)
  }
  for (const entry of await readdir(dir)) await rm(path.join(dir, entry), { recursive: true, force: true })
}

/** Unmount anything mounted below dir (deepest first). */
async function unmountUnder(sh: Shell, log: Log, dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m.startsWith(dir + path.sep))
    .sort((a, b) => b.length - a.length)
  for (const m of mounts) await sh.run('umount', ['-l', m], { log })
}

/**
 * The Debian mirror this machine's apt uses for the suite (deb822 `.sources` or one-line `.list`),
 * falling back to deb.debian.org.
 */
export async function debianMirror(suite: string = MYSQL_ROOTFS.suite): Promise<string> {
  const files = ['/etc/apt/sources.list']
  for (const f of await readdir('/etc/apt/sources.list.d').catch(() => [] as string[])) {
    if (f.endsWith('.list') || f.endsWith('.sources')) files.push(path.join('/etc/apt/sources.list.d', f))
  }
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '')
    const found = file.endsWith('.sources') ? fromDeb822(text, suite) : fromOneLine(text, suite)
    if (found) return found
  }
  return 'http://deb.debian.org/debian'
}

function fromOneLine(text: string, suite: string): string | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim()
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line)
    if (m && m[2] === suite && m[3]!.split(/\s+/).includes('main')) return m[1]
  }
  return undefined
}

function fromDeb822(text: string, suite: string): string | undefined {
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>()
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue
      const m = /^([\w-]+):\s*(.*)$/.exec(raw)
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim())
    }
    const list = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean)
    if (fields.get('enabled')?.toLowerCase() === 'no') continue
    if (!list('types').includes('deb') || !list('suites').includes(suite) || !list('components').includes('main')) continue
    const uri = list('uris')[0]
    if (uri) return uri
  }
  return undefined
}
