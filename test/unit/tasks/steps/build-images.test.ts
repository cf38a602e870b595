/** tasks/steps/build-images.ts: exact build commands, the source-hash skip, loading into the runtime, and the busybox base. */
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  baseSourceHash,
  buildBase,
  buildImages,
  buildTag,
  DEFAULT_BASE,
  dockerBuildArgs,
  goBuildArgs,
  hellogopherSourceHash,
  isStaticElf,
  parseTags,
  sourceLabel,
  SOURCE_LABEL,
} from '../../../../tasks/steps/build-images.ts'
import { UsageError } from '../../../../tasks/lib/cli.ts'
import { HELLOGOPHER_DIR } from '../../../../tasks/lib/tutorial.ts'
import { CommandError, type Shell } from '../../../../tasks/lib/shell.ts'
import { evalSkip, fakeDeps, fakeProvider, fakeShell, runStep, testCtx, type Call } from '../../fakes.ts'

/** A minimal ELF64 little-endian header with one program header of the given type (3 = PT_INTERP, 1 = PT_LOAD). */
function elf(phType: number): Buffer {
  const b = Buffer.alloc(64 + 56)
  b.writeUInt32BE(0x7f454c46, 0)
  b[4] = 2
  b[5] = 1
  b.writeBigUInt64LE(64n, 0x20)
  b.writeUInt16LE(56, 0x36)
  b.writeUInt16LE(1, 0x38)
  b.writeUInt32LE(phType, 64)
  return b
}

function sourceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hellogopher-src-'))
  for (const f of readdirSync(HELLOGOPHER_DIR)) if (/\.(go|mod|sum|json)$|^Dockerfile$/.test(f)) copyFileSync(join(HELLOGOPHER_DIR, f), join(dir, f))
  return dir
}

function busyboxFile(phType = 1): string {
  const p = join(mkdtempSync(join(tmpdir(), 'busybox-')), 'busybox')
  writeFileSync(p, elf(phType))
  return p
}

const IMAGE = 'programmingpercy/hellogopher:2.0'
const HASH = hellogopherSourceHash('2.0', DEFAULT_BASE)
const labels = (label?: string) => ({ stdout: JSON.stringify(label === undefined ? null : { [SOURCE_LABEL]: label }) })

/** A lab-like provider that records loads and says whether the image is in the runtime. */
function loadingProvider(inRuntime: boolean) {
  const loaded: string[] = []
  const provider = fakeProvider({
    imageInRuntime: async () => inRuntime,
    loadImage: async (sh: Shell, image: string, log: (l: string) => void) => {
      loaded.push(image)
      await sh.run('ctr', ['images', 'import', `${image}.tar`], { log })
    },
  })
  return { provider, loaded }
}

test('goBuildArgs / dockerBuildArgs: the exact commands', () => {
  assert.equal(goBuildArgs('3.0'), ['build', '-trimpath', '-ldflags', '-s -w -X main.version=3.0', '-o', '.build/3.0/hellogopher', '.'])
  assert.equal(dockerBuildArgs('img:1', 'abc', 'ctx', 'Dockerfile', 'base:1'), ['build', '-t', 'img:1', '--label', `${SOURCE_LABEL}=abc`, '--build-arg', 'BASE=base:1', '-f', 'Dockerfile', 'ctx'])
  assert.equal(dockerBuildArgs('img:1', 'abc', 'ctx', 'Dockerfile'), ['build', '-t', 'img:1', '--label', `${SOURCE_LABEL}=abc`, '-f', 'Dockerfile', 'ctx'])
})

test('isStaticElf: no PT_INTERP → static; PT_INTERP or not ELF → no', () => {
  assert.ok(isStaticElf(elf(1)))
  assert.not.ok(isStaticElf(elf(3)))
  assert.not.ok(isStaticElf(Buffer.from('#!/bin/sh\necho not elf\n'.padEnd(80))))
  assert.not.ok(isStaticElf(Buffer.alloc(10)))
})

test('hellogopherSourceHash: changes with source, tag and base; not with tests', () => {
  const dir = sourceCopy()
  const h = hellogopherSourceHash('1.0', DEFAULT_BASE, dir)
  assert.is(h, hellogopherSourceHash('1.0', DEFAULT_BASE, dir))
  assert.is.not(hellogopherSourceHash('2.0', DEFAULT_BASE, dir), h)
  assert.is.not(hellogopherSourceHash('1.0', 'alpine:3.20', dir), h)
  writeFileSync(join(dir, 'extra_test.go'), 'package main\n')
  assert.is(hellogopherSourceHash('1.0', DEFAULT_BASE, dir), h, 'a test file does not change the image')
  appendFileSync(join(dir, 'main.go'), '\n// changed\n')
  assert.is.not(hellogopherSourceHash('1.0', DEFAULT_BASE, dir), h)
})

test('sourceLabel: absent → undefined, no label → "", label → value, daemon down → throws', async () => {
  const sh = fakeShell({
    reply: (c: Call) =>
      c.args.at(-1) === 'absent:1' ? { exitCode: 1, stderr: 'Error response from daemon: No such image: absent:1' }
      : c.args.at(-1) === 'plain:1' ? { stdout: 'null\n' }
      : c.args.at(-1) === 'down:1' ? { exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///run/x.sock. Is the docker daemon running?' }
      : labels('abc'),
  })
  assert.is(await sourceLabel(sh, 'absent:1'), undefined)
  assert.is(await sourceLabel(sh, 'plain:1'), '')
  assert.is(await sourceLabel(sh, 'x:1', { DOCKER_HOST: 'unix:///d.sock' }), 'abc')
  assert.equal(sh.calls[2]!.opts.env, { DOCKER_HOST: 'unix:///d.sock' })
  try {
    await sourceLabel(sh, 'down:1')
    assert.unreachable()
  } catch (e) {
    assert.instance(e, CommandError)
    assert.match((e as Error).message, /^`docker image inspect --format '\{\{json \.Config\.Labels\}\}' down:1` failed \(exit 1\): Cannot connect/)
  }
})

test("sourceLabel: a provider's in-process read of its docker is used instead of `docker image inspect` (no process)", async () => {
  const sh = fakeShell()
  const images: Record<string, { id: string; labels: Record<string, string> }> = { 'x:1': { id: 'sha256:1', labels: { [SOURCE_LABEL]: 'abc' } }, 'plain:1': { id: 'sha256:2', labels: {} } }
  const inspect = async (image: string) => images[image]
  assert.is(await sourceLabel(sh, 'x:1', {}, inspect), 'abc')
  assert.is(await sourceLabel(sh, 'plain:1', {}, inspect), '')
  assert.is(await sourceLabel(sh, 'absent:1', {}, inspect), undefined)
  assert.equal(sh.calls, [])
})

test('skip: with the provider read, a converged tag starts no process at all', async () => {
  const sh = fakeShell()
  const provider = fakeProvider({ inspectImage: async (image) => (image === IMAGE ? { id: 'sha256:1', labels: { [SOURCE_LABEL]: HASH } } : undefined) })
  assert.is(await evalSkip(buildTag(fakeDeps({ sh, provider }), '2.0'), testCtx()), `${IMAGE} already built from this source (${HASH.slice(0, 12)})`)
  assert.equal(sh.calls, [])
})

test('skip: built from this source and in the runtime → reason with the hash', async () => {
  const { provider } = loadingProvider(true)
  const deps = fakeDeps({ sh: fakeShell({ reply: () => labels(HASH) }), provider })
  assert.is(await evalSkip(buildTag(deps, '2.0'), testCtx()), `${IMAGE} already built from this source (${HASH.slice(0, 12)}) and in the cluster runtime`)
})

test('skip: built but not in the runtime, or built from other source → not skipped', async () => {
  assert.is(await evalSkip(buildTag(fakeDeps({ sh: fakeShell({ reply: () => labels(HASH) }), provider: loadingProvider(false).provider }), '2.0'), testCtx()), false)
  assert.is(await evalSkip(buildTag(fakeDeps({ sh: fakeShell({ reply: () => labels('old') }), provider: loadingProvider(true).provider }), '2.0'), testCtx()), false)
})

test('skip: a provider that builds into the runtime (minikube docker-env) needs only the label', async () => {
  const deps = fakeDeps({ sh: fakeShell({ reply: () => labels(HASH) }), provider: fakeProvider({ imageInRuntime: async () => assert.unreachable('not asked') as never }) })
  assert.is(await evalSkip(buildTag(deps, '2.0'), testCtx()), `${IMAGE} already built from this source (${HASH.slice(0, 12)})`)
})

test('task: go build (CGO_ENABLED=0, in hellogopher/), docker build (classic builder, docker env), then load into the runtime', async () => {
  const { provider, loaded } = loadingProvider(false)
  const sh = fakeShell({ reply: (c) => (c.line.startsWith('docker image inspect') ? { exitCode: 1, stderr: 'No such image' } : undefined) })
  const ctx = testCtx({ dockerEnv: { DOCKER_HOST: 'unix:///run/d.sock' } })
  const step = buildTag(fakeDeps({ sh, provider }), '2.0')
  assert.match(String(step.title), /^Build image 2\.0 — 200 for 10 s/)
  await runStep(step, ctx)
  assert.equal(sh.commands(), [
    'go build -trimpath -ldflags -s -w -X main.version=2.0 -o .build/2.0/hellogopher .',
    `docker build -t ${IMAGE} --label ${SOURCE_LABEL}=${HASH} --build-arg BASE=${DEFAULT_BASE} -f hellogopher/Dockerfile hellogopher/.build/2.0`,
    `ctr images import ${IMAGE}.tar`,
  ])
  const [go, docker] = sh.calls.filter((c) => !c.opts.quiet)
  assert.is(go!.opts.cwd, HELLOGOPHER_DIR)
  assert.equal(go!.opts.env, { CGO_ENABLED: '0' })
  assert.equal(docker!.opts.env, { DOCKER_HOST: 'unix:///run/d.sock', DOCKER_BUILDKIT: '0' })
  assert.equal(loaded, [IMAGE])
})

test('task: already built but not loaded → only the load', async () => {
  const { provider, loaded } = loadingProvider(false)
  const sh = fakeShell({ reply: () => labels(HASH) })
  const t = await runStep(buildTag(fakeDeps({ sh, provider }), '2.0'), testCtx())
  assert.equal(sh.commands(), [`ctr images import ${IMAGE}.tar`])
  assert.is(t.outputs[0], `${IMAGE} is already built from this source`)
  assert.equal(loaded, [IMAGE])
})

test('task: no load when the image is already in the runtime, or the provider builds into it', async () => {
  const a = loadingProvider(true)
  const sh = fakeShell({ reply: (c) => (c.line.startsWith('docker image inspect') ? { exitCode: 1, stderr: 'No such image' } : undefined) })
  await runStep(buildTag(fakeDeps({ sh, provider: a.provider }), '1.0'), testCtx())
  assert.equal(a.loaded, [])
  const sh2 = fakeShell({ reply: (c) => (c.line.startsWith('docker image inspect') ? { exitCode: 1, stderr: 'No such image' } : undefined) })
  await runStep(buildTag(fakeDeps({ sh: sh2, provider: fakeProvider() }), '1.0'), testCtx())
  assert.equal(sh2.commands().map((c) => c.split(' ')[0]), ['go', 'docker'])
})

test('dry-run: every command echoed, the load too; nothing inspected', async () => {
  const { provider, loaded } = loadingProvider(false)
  const sh = fakeShell({ dryRun: true })
  await runStep(buildTag(fakeDeps({ sh, provider }), '5.0'), testCtx({ dryRun: true }))
  assert.equal(sh.calls.filter((c) => c.opts.quiet), [])
  assert.equal(sh.commands().map((c) => c.split(' ').slice(0, 2).join(' ')), ['go build', 'docker build', 'ctr images'])
  assert.equal(loaded, ['programmingpercy/hellogopher:5.0'])
})

test('buildImages: the base first, then one step per tag', () => {
  const steps = buildImages(fakeDeps(), ['1.0', '5.0'])
  assert.equal(steps.map((s) => String(s.title).split(' — ')[0]), [`Build the base image ${DEFAULT_BASE} from Debian's busybox-static`, 'Build image 1.0', 'Build image 5.0'])
})

test('base: enabled only for the default base', () => {
  assert.is(buildBase(fakeDeps()).enabled, true)
  assert.is(buildBase(fakeDeps(), { base: 'alpine:3.20' }).enabled, false)
})

test('base: skip when built from this busybox', async () => {
  const busybox = busyboxFile()
  const hash = baseSourceHash(busybox)
  const deps = fakeDeps({ sh: fakeShell({ reply: () => labels(hash) }) })
  assert.is(await evalSkip(buildBase(deps, { busybox }), testCtx()), `${DEFAULT_BASE} already built from this busybox (${hash.slice(0, 12)})`)
  assert.is(await evalSkip(buildBase(fakeDeps({ sh: fakeShell({ reply: () => labels('old') }) }), { busybox }), testCtx()), false)
})

test('base: copies busybox into a temp context and builds base/Dockerfile there', async () => {
  const busybox = busyboxFile()
  const sh = fakeShell()
  await runStep(buildBase(fakeDeps({ sh }), { busybox }), testCtx({ dockerEnv: { DOCKER_HOST: 'unix:///d.sock' } }))
  const [cp, build] = sh.calls
  assert.is(cp!.bin, 'cp')
  assert.is(cp!.args[0], busybox)
  const ctxDir = cp!.args[1]!.replace(/\/busybox$/, '')
  assert.match(ctxDir, /hellogopher-base-/)
  assert.is(build!.line, `docker build -t ${DEFAULT_BASE} --label ${SOURCE_LABEL}=${baseSourceHash(busybox)} -f hellogopher/base/Dockerfile ${ctxDir}`)
  assert.equal(build!.opts.env, { DOCKER_HOST: 'unix:///d.sock', DOCKER_BUILDKIT: '0' })
})

test('base: a missing or dynamic busybox → a clear error naming busybox-static (a note under --dry-run)', async () => {
  for (const busybox of ['/nonexistent/busybox', busyboxFile(3)]) {
    try {
      await runStep(buildBase(fakeDeps(), { busybox }), testCtx())
      assert.unreachable()
    } catch (e) {
      assert.match((e as Error).message, /apt-get install busybox-static$/)
    }
  }
  const t = await runStep(buildBase(fakeDeps({ sh: fakeShell({ dryRun: true }) }), { busybox: '/nonexistent/busybox' }), testCtx({ dryRun: true }))
  assert.equal(t.outputs, ['would fail: /nonexistent/busybox is missing — apt-get install busybox-static'])
})

test('parseTags: default every tag; repeated/unsorted given tags deduped and sorted; unknown → UsageError', () => {
  assert.equal(parseTags(undefined), ['1.0', '2.0', '3.0', '4.0', '5.0'])
  assert.equal(parseTags(['3.0', '1.0', '3.0']), ['1.0', '3.0'])
  try {
    parseTags(['6.0'])
    assert.unreachable()
  } catch (e) {
    assert.instance(e, UsageError)
    assert.is((e as Error).message, "unknown tag '6.0' (known: 1.0, 2.0, 3.0, 4.0, 5.0)")
  }
})

test.run()
