/**
 * Upstream Conformance on the lab (npm run test:conformance): the lab's claim to be real Kubernetes, measured by
 * Kubernetes' own e2e suite, built here from the lab's Kubernetes module.
 *
 *   1. e2e.test and agnhost from the module, with the lab's build settings (cached: test/conformance/build.ts)
 *   2. the images the specs run, under their upstream names, built by the lab's dockerd (cached by recipe hash:
 *      test/conformance/images.ts), imported into the lab's containerd when they are not there yet
 *   3. e2e.test on the lab with the label filter `Conformance && !Serial && !Disruptive && !Slow` and a focus:
 *        (default)     a focused set: Services/DNS, sig-node, storage ConfigMap/Secret/Downward API/Projected/
 *                      EmptyDir/Subpath, apps workloads, api-machinery
 *        --slice ci    Services, DNS, ConfigMap, Secrets, Downward API — CI's slice (≤ 10 minutes on 2 cores)
 *        --all         every spec of the label filter
 *        --focus RE    your own regex(es) instead
 *      Specs this machine can never pass are skipped by name and listed with the reason (report.ts KNOWN_LIMITS).
 *   4. a table by area (passed/run, time), every failure's first error line, and the closing line
 *      `N passed, N failed, N skipped`; exit 1 when a spec failed.
 *
 * It needs the lab up (npx tsx tasks/lab/up.ts). The specs create and delete namespaces of their own (e2e-tests-…)
 * on it; the tutorial's objects are not touched. The reports stay in ~/.cache/learn-k8s-easy/lab/conformance/.
 */
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { isMain, parseCli, runMain, usage, UsageError, type CommandSpec } from '../../tasks/lib/cli.ts'
import { trackChild, untrackChild } from '../../tasks/lib/lifecycle.ts'
import { runtimeConfigDigest } from '../../tasks/lab/engine/containerd.ts'
import { createShell, ToolMissingError, type Shell } from '../../tasks/lib/shell.ts'
import { buildPauseImage, imageId } from '../../tasks/lab/images/build.ts'
import { CACHE_DIR, CONTAINERD_SOCK, DOCKER_HOST, DOCKER_SOCK, KUBECONFIG, kubectlBin } from '../../tasks/lab/engine/paths.ts'
import { AGNHOST, buildE2e, E2E_TEST, e2eBuilt, kubernetesModuleDir } from './build.ts'
import { buildE2eImages, E2E_IMAGES } from './images.ts'
import { e2eArgs, formatReport, KNOWN_LIMITS, outcomes, SETS, type SetName, type SuiteReport } from './report.ts'

const cmd: CommandSpec = {
  name: 'test/conformance/run.ts',
  summary: "Run upstream's Conformance specs (Conformance && !Serial && !Disruptive && !Slow) on the lab, with e2e.test and the images built here from the lab's Kubernetes module. Default: a focused set.",
  flags: {
    slice: { type: 'string', choices: ['ci'], description: `a named slice: ci = ${SETS.ci.describe}` },
    all: { type: 'boolean', description: 'every spec of the label filter (takes hours on 2 cores)' },
    focus: { type: 'string', multiple: true, description: 'a ginkgo focus regex on the spec text instead of a set (repeatable: they OR)' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  examples: ['npm run test:conformance -- --slice ci', 'npm run test:conformance -- --all', "npm run test:conformance -- --focus '\\[sig-network\\] DNS '"],
}

export const REPORT_DIR = join(CACHE_DIR, 'conformance', 'last')

export interface Choice {
  set: SetName
  focus: string[]
}

/** Flags → what to run; bad combinations are usage errors. */
export function choose(flags: Record<string, unknown>): Choice {
  const focus = (flags.focus as string[] | undefined) ?? []
  const picked = [flags.slice ? '--slice' : '', flags.all ? '--all' : '', focus.length ? '--focus' : ''].filter(Boolean)
  if (picked.length > 1) throw new UsageError(`${picked.join(' and ')} do not go together: pick one`)
  for (const f of focus) {
    try {
      new RegExp(f)
    } catch {
      throw new UsageError(`--focus '${f}' is not a regular expression`)
    }
  }
  if (focus.length) return { set: 'all', focus }
  return { set: flags.all ? 'all' : flags.slice === 'ci' ? 'ci' : 'focused', focus: [] }
}

const say = (l: string) => process.stdout.write(`${l}\n`)
const logIndented = (l: string) => say(`  ${l}`)

async function preflight(sh: Shell): Promise<void> {
  for (const t of ['go', 'docker', 'ctr']) if (!(await sh.which(t))) throw new ToolMissingError(t)
  const missing = [
    [KUBECONFIG, 'the lab kubeconfig'],
    [kubectlBin(), "the lab's kubectl"],
    [DOCKER_SOCK, "the lab's dockerd socket"],
    [CONTAINERD_SOCK, "the lab's containerd socket"],
  ].find(([p]) => !existsSync(p!))
  if (missing) throw new Error(`${missing[1]} (${missing[0]}) is missing: is the lab up? (npx tsx tasks/lab/up.ts)`)
  const ready = await sh.run(kubectlBin(), ['--kubeconfig', KUBECONFIG, 'get', '--raw', '/readyz'], { quiet: true, allowFail: true, readOnly: true })
  if (ready.exitCode !== 0) throw new Error(`the lab's apiserver does not answer (${ready.stderr.trim().split('\n').pop()}): is the lab up? (npx tsx tasks/lab/up.ts)`)
}

/** docker save → ctr import, for the images whose runtime copy is not the one docker has. */
async function loadImages(sh: Shell): Promise<void> {
  const stale: string[] = []
  for (const { ref } of E2E_IMAGES) {
    const id = await imageId(sh, ref)
    if (!id) throw new Error(`${ref} is not in the lab's dockerd after the build`)
    if ((await runtimeConfigDigest(sh, ref)) !== id) stale.push(ref)
  }
  if (!stale.length) {
    say('  every image is in the lab containerd')
    return
  }
  const tar = join(process.env.TMPDIR ?? '/tmp', `lab-e2e-images-${process.pid}.tar`)
  try {
    await sh.run('docker', ['save', '-o', tar, ...stale], { log: logIndented })
    await sh.run('ctr', ['--address', CONTAINERD_SOCK, '-n', 'k8s.io', 'images', 'import', tar], { log: logIndented })
  } finally {
    rmSync(tar, { force: true })
  }
}

/** e2e.test, its output streamed and kept in REPORT_DIR/e2e.log. Resolves with its exit code. */
function runE2e(args: string[]): Promise<number> {
  const log = createWriteStream(join(REPORT_DIR, 'e2e.log'))
  return new Promise((resolve, reject) => {
    const child = spawn(E2E_TEST, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG } })
    trackChild(child.pid)
    for (const s of [child.stdout, child.stderr]) {
      s.on('data', (d: Buffer) => {
        process.stdout.write(d)
        log.write(d)
      })
    }
    child.on('error', reject)
    child.on('close', (code, signal) => {
      untrackChild(child.pid)
      log.end()
      resolve(code ?? (signal ? 128 : 1))
    })
  })
}

export async function conformance(argv: string[]): Promise<number> {
  const parsed = parseCli(cmd, argv)
  if (parsed.help) {
    say(usage(cmd))
    return 0
  }
  const choice = choose(parsed.flags)
  const sh = createShell({ env: { DOCKER_HOST } })
  await preflight(sh)

  say(`e2e.test and agnhost from the lab's Kubernetes module`)
  const cached = e2eBuilt()
  if (cached) say(`  ${cached}`)
  else await buildE2e(sh, logIndented)

  say('Images the specs run, under their upstream names (built here, nothing pulled)')
  const { dir } = await kubernetesModuleDir(sh, logIndented)
  const built = await buildE2eImages(sh, logIndented, { agnhost: AGNHOST, porterDir: join(dir, 'test', 'images', 'agnhost', 'porter') }, () => buildPauseImage(sh, logIndented))
  say(built.length ? `  built ${built.join(', ')}` : '  every image is up to date')
  await loadImages(sh)

  rmSync(REPORT_DIR, { recursive: true, force: true })
  mkdirSync(REPORT_DIR, { recursive: true })
  const jsonReport = join(REPORT_DIR, 'report.json')
  const args = e2eArgs(choice.set, { kubeconfig: KUBECONFIG, kubectl: kubectlBin(), reportDir: REPORT_DIR, jsonReport }, choice.focus)
  say(`Conformance on the lab: ${choice.focus.length ? `focus ${choice.focus.join(' | ')}` : SETS[choice.set].describe}`)
  for (const k of KNOWN_LIMITS) say(`  skipped by name: "${k.spec}" — ${k.reason}`)
  say(`  ${E2E_TEST} ${args.map((a) => (/[\s|&!()[\]\\]/.test(a) ? `'${a}'` : a)).join(' ')}`)
  const t0 = Date.now()
  const code = await runE2e(args)
  const wall = (Date.now() - t0) / 1000
  if (!existsSync(jsonReport)) throw new Error(`e2e.test exited ${code} without a report (${join(REPORT_DIR, 'e2e.log')})`)
  const reports = JSON.parse(readFileSync(jsonReport, 'utf8')) as SuiteReport[]
  const o = outcomes(reports, [...SETS[choice.set].focus, ...choice.focus])
  say('')
  say(`Report: ${REPORT_DIR}`)
  const special = reports.flatMap((r) => r.SpecialSuiteFailureReasons ?? [])
  if (special.length) say(`suite: ${special.join('; ')}`)
  const failed = o.some((x) => x.state === 'failed')
  // the totals line stays the last line
  if (!failed && code !== 0) say(`e2e.test exited ${code} with no failed spec: see ${join(REPORT_DIR, 'e2e.log')}`)
  say(formatReport(o, wall))
  return failed || code !== 0 ? 1 : 0
}

if (isMain(import.meta.url)) await runMain(cmd, () => conformance(process.argv.slice(2)))
