/**
 * Lesson 2: build programmingpercy/hellogopher:<tag> for each tag (host `go build`, then a tiny `docker build`
 * on the busybox base) where the cluster's runtime sees it, loading it into the runtime when the provider needs that.
 * Idempotent: an image whose source label matches the current source (and is in the runtime) is skipped.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from '../lib/cli.ts'
import { HELLOGOPHER_DIR, imageRef, loadTags, ROOT, tagNames } from '../lib/tutorial.ts'
import { type Ctx, type Deps } from '../lib/run.ts'
import { sha256Parts } from '../lib/hash.ts'
import { registerTempPath, releaseTempPath, tempPrefix } from '../lib/lifecycle.ts'
import { displayPath } from '../lib/manifests.ts'
import { CommandError, formatCommand, type Shell } from '../lib/shell.ts'
import type { Provider } from '../lib/providers/types.ts'
import { logTo, type Step } from '../lib/task.ts'
import { checkTools } from './preflight.ts'
import { dockerArgs, dockerImageInspect, imageInspectArgs, LABELS_FORMAT } from '../lib/docker-cli.ts'
import { goArgs } from '../lib/go-cli.ts'

export const DEFAULT_BASE = 'localhost/lab/busybox:1.35'
export const BUSYBOX = '/bin/busybox'
/** Image label holding the sha256 of what the image was built from (same label the lab's own images use). */
export const SOURCE_LABEL = 'learn-k8s-easy.source'
/** Bump when the build commands below change in a way the hashed files do not show. */
const RECIPE_VERSION = '1'

export interface BuildOptions {
  base?: string
  /** The static busybox the default base is made from. */
  busybox?: string
  /** Where hellogopher's source lives (tests use a copy). */
  sourceDir?: string
}

const rel = (p: string) => displayPath(p)

/** sha256 of everything a hellogopher image is made from: the Go source (not its tests), module files, tags, Dockerfile, tag and base. */
export function hellogopherSourceHash(tag: string, base: string, dir = HELLOGOPHER_DIR): string {
  const files = readdirSync(dir)
    .filter((f) => (f.endsWith('.go') && !f.endsWith('_test.go')) || ['go.mod', 'go.sum', 'tags.json', 'Dockerfile'].includes(f))
    .sort()
  return sha256Parts([
    ['recipe', RECIPE_VERSION],
    ...files.map((f): [string, Buffer] => [f, readFileSync(join(dir, f))]),
    ['tag', tag],
    ['base', base],
  ])
}

/** sha256 of the default base: the busybox binary and base/Dockerfile. */
export function baseSourceHash(busybox: string, dir = HELLOGOPHER_DIR): string {
  return sha256Parts([
    ['recipe', RECIPE_VERSION],
    ['busybox', readFileSync(busybox)],
    ['base/Dockerfile', readFileSync(join(dir, 'base', 'Dockerfile'))],
  ])
}

/** True for an ELF executable without a program interpreter (runs FROM scratch). */
export function isStaticElf(buf: Buffer): boolean {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return false
  const is64 = buf[4] === 2
  const le = buf[5] === 1
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o))
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o))
  const phoff = is64 ? Number(le ? buf.readBigUInt64LE(0x20) : buf.readBigUInt64BE(0x20)) : u32(0x1c)
  const phentsize = u16(is64 ? 0x36 : 0x2a)
  const phnum = u16(is64 ? 0x38 : 0x2c)
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize
    if (at + 4 > buf.length) return false
    if (u32(at) === 3) return false // PT_INTERP: needs a dynamic loader
  }
  return true
}

export function goBuildArgs(tag: string): string[] {
  return goArgs.build(['.'], { trimpath: true, ldflags: `-s -w -X main.version=${tag}`, out: `.build/${tag}/hellogopher` })
}

/** `docker build` with the source label; `base` becomes `--build-arg BASE=` (the base image itself has none). */
export function dockerBuildArgs(image: string, source: string, contextDir: string, dockerfile: string, base?: string): string[] {
  return dockerArgs.buildFile({ ref: image, labels: { [SOURCE_LABEL]: source }, ...(base ? { buildArgs: { BASE: base } } : {}), dockerfile, context: contextDir })
}

/**
 * The image's source label: undefined when the image does not exist, '' when it has no label.
 * Any other docker failure (daemon down, …) throws: absent is not broken. With `inspect` (the provider's in-process
 * read of its docker), no process is started.
 */
export async function sourceLabel(sh: Shell, image: string, env: Record<string, string> = {}, inspect?: Provider['inspectImage']): Promise<string | undefined> {
  if (inspect) {
    const found = await inspect(image)
    return found ? (found.labels[SOURCE_LABEL] ?? '') : undefined
  }
  const r = await dockerImageInspect(sh, image, LABELS_FORMAT, env)
  if (r.exitCode !== 0) {
    if (/no such (image|object)/i.test(r.stderr)) return undefined
    throw new CommandError(formatCommand('docker', imageInspectArgs(image, LABELS_FORMAT)), r.exitCode, r.stderr, 'is the docker daemon of the cluster running? (npx tsx tasks/start-cluster.ts)')
  }
  try {
    return ((JSON.parse(r.stdout.trim() || 'null') as Record<string, string> | null) ?? {})[SOURCE_LABEL] ?? ''
  } catch {
    return ''
  }
}

const buildEnv = (ctx: Pick<Ctx, 'dockerEnv'>) => ({ ...ctx.dockerEnv, DOCKER_BUILDKIT: '0' })

/** The default base image, made from Debian's static busybox (nothing is pulled). Enabled only for the default base. */
export const buildBase = (deps: Deps, opts: BuildOptions = {}): Step => {
  const base = opts.base ?? DEFAULT_BASE
  const busybox = opts.busybox ?? BUSYBOX
  const dir = opts.sourceDir ?? HELLOGOPHER_DIR
  const missing = () =>
    !existsSync(busybox) ? `${busybox} is missing — apt-get install busybox-static`
    : !isStaticElf(readFileSync(busybox)) ? `${busybox} is not statically linked (it cannot run FROM scratch) — apt-get install busybox-static`
    : undefined
  return {
    title: `Build the base image ${base} from Debian's busybox-static`,
    enabled: base === DEFAULT_BASE,
    skip: async (ctx) => {
      if (missing()) return false // the task says what to install
      const hash = baseSourceHash(busybox, dir)
      return (await sourceLabel(deps.sh, base, ctx.dockerEnv, deps.provider.inspectImage)) === hash ? `${base} already built from this busybox (${hash.slice(0, 12)})` : false
    },
    task: async (ctx, task) => {
      const log = logTo(task)
      const problem = missing()
      if (problem) {
        if (!ctx.dryRun) throw new Error(problem)
        log(`would fail: ${problem}`)
        return
      }
      const contextDir = mkdtempSync(join(tmpdir(), tempPrefix('hellogopher-base')))
      registerTempPath(contextDir) // removed on Ctrl-C or SIGTERM too
      try {
        await deps.sh.run('cp', [busybox, join(contextDir, 'busybox')], { log })
        const dockerfile = rel(join(dir, 'base', 'Dockerfile'))
        await deps.sh.run('docker', dockerBuildArgs(base, baseSourceHash(busybox, dir), contextDir, dockerfile), { log, env: buildEnv(ctx), cwd: ROOT })
      } finally {
        await rm(contextDir, { recursive: true, force: true })
        releaseTempPath(contextDir)
      }
    },
  }
}

/** One tag: host go build, docker build on the base, then into the cluster's runtime when the provider loads images. */
export const buildTag = (deps: Deps, tag: string, opts: BuildOptions = {}): Step => {
  const base = opts.base ?? DEFAULT_BASE
  const dir = opts.sourceDir ?? HELLOGOPHER_DIR
  const { provider, sh } = deps
  const summary = loadTags()[tag]?.summary
  const inRuntime = async (image: string) => !provider.loadImage || (await provider.imageInRuntime(sh, image))
  return {
    title: `Build image ${tag}${summary ? ` — ${summary}` : ''}`,
    skip: async (ctx) => {
      const image = imageRef(ctx, tag)
      const hash = hellogopherSourceHash(tag, base, dir)
      if ((await sourceLabel(sh, image, ctx.dockerEnv, provider.inspectImage)) !== hash) return false
      if (!(await inRuntime(image))) return false // built, not loaded yet: the task loads it
      return `${image} already built from this source (${hash.slice(0, 12)})${provider.loadImage ? ' and in the cluster runtime' : ''}`
    },
    task: async (ctx, task) => {
      const log = logTo(task)
      const image = imageRef(ctx, tag)
      const hash = hellogopherSourceHash(tag, base, dir)
      const built = !ctx.dryRun && (await sourceLabel(sh, image, ctx.dockerEnv, provider.inspectImage)) === hash
      if (built) log(`${image} is already built from this source`)
      else {
        // the versions the build uses, read once per run (up's preflight only checks that the programs are there)
        const tools = await checkTools(sh, ['go', 'docker'])
        log(`with ${tools.map((t) => `${t.name} ${t.version ?? '(version unknown)'}`).join(', ')}`)
        await sh.run('go', goBuildArgs(tag), { log, cwd: dir, env: { CGO_ENABLED: '0' } })
        await sh.run('docker', dockerBuildArgs(image, hash, rel(join(dir, '.build', tag)), rel(join(dir, 'Dockerfile')), base), { log, env: buildEnv(ctx), cwd: ROOT })
      }
      if (provider.loadImage && (ctx.dryRun || !(await provider.imageInRuntime(sh, image)))) await provider.loadImage(sh, image, log)
    },
  }
}

/** The base, then every tag, as flat steps. */
export function buildImages(deps: Deps, tags: readonly string[], opts: BuildOptions = {}): Step[] {
  return [buildBase(deps, opts), ...tags.map((t) => buildTag(deps, t, opts))]
}

/** Validate --tag values (unknown → usage error naming the known ones). */
export function parseTags(flag: unknown): string[] {
  const known = tagNames()
  const given = Array.isArray(flag) ? (flag as string[]) : typeof flag === 'string' ? [flag] : []
  for (const t of given) if (!known.includes(t)) throw new UsageError(`unknown tag '${t}' (known: ${known.join(', ')})`)
  return given.length ? [...new Set(given)].sort((a, b) => Number(a) - Number(b)) : known
}
