/**
 * Build the Kubernetes binaries from the Go module proxy. k8s.io/kubernetes replaces its staging modules
 * with ./staging paths that its module zip does not carry, so a generated helper module requires it and
 * replaces each staging module with the published v0.x of the same release. Cached by version.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Log, Shell } from '../../lib/shell.ts'
import { go, goArgs, type GoBuildFlags } from '../../lib/go-cli.ts'
import { BuildProgress, liveProgress } from './progress.ts'
import { BIN_DIR, ETCD_VERSION, K8S_STAGING_VERSION, K8S_VERSION, METRICS_SERVER_VERSION } from './paths.ts'

/** kubeadm is not used by the lab itself: the offline kind node image (tasks/lab/kindnode) takes it from here. */
export const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl', 'kubeadm'] as const
/** Everything the build step leaves in BIN_DIR. */
export const BINARIES = [...COMPONENTS, 'etcd'] as const
const BUILD_DIR = join(BIN_DIR, '..')
const MOD_DIR = join(BUILD_DIR, 'mod')
const STAMP = join(BIN_DIR, '.stamp')

/** The staging modules k/k's go.mod replaces with ./staging/src/… paths. */
export function stagingModules(kkGoMod: string): string[] {
  return [...kkGoMod.matchAll(/^\s*(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\//gm)].map((m) => m[1]!)
}

/** The helper module's go.mod: k/k at its tag, staging modules at the matching published version, k/k's godebug. */
export function helperGoMod(kkGoMod: string, version = K8S_VERSION, stagingVersion = K8S_STAGING_VERSION): string {
  const goLine = /^go\s+(\S+)/m.exec(kkGoMod)?.[1] ?? '1.24.0'
  const godebug = /^godebug\s+.+$/m.exec(kkGoMod)?.[0]
  const replaces = stagingModules(kkGoMod).map((m) => `\t${m} => ${m} ${stagingVersion}`)
  return [
    'module lab.local/k8sbuild',
    '',
    `go ${goLine}`,
    '',
    // godebug defaults come only from the main module: keep k/k's
    ...(godebug ? [godebug, ''] : []),
    `require k8s.io/kubernetes ${version}`,
    '',
    'replace (',
    ...replaces,
    ')',
    '',
  ].join('\n')
}

export function ldflags(version = K8S_VERSION): string {
  const [major, minor] = version.replace(/^v/, '').split('.')
  const x = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((p) => [
    `-X ${p}.gitVersion=${version}`,
    `-X ${p}.gitMajor=${major}`,
    `-X ${p}.gitMinor=${minor}`,
    `-X ${p}.gitTreeState=clean`,
  ])
  return ['-s', '-w', ...x].join(' ')
}

function stampText(): string {
  return `${K8S_VERSION} etcd ${ETCD_VERSION} ${ldflags()}\n`
}

/** Skip reason when every binary of this version is already built. */
export function binariesBuilt(): string | false {
  if (!BINARIES.every((c) => existsSync(join(BIN_DIR, c)))) return false
  if (!existsSync(STAMP) || readFileSync(STAMP, 'utf8') !== stampText()) return false
  return `Kubernetes ${K8S_VERSION} and etcd ${ETCD_VERSION} cached in ${BIN_DIR}`
}

/** How many packages `go list -deps` names for `pkgs` (what a cold `go build` compiles); undefined when it cannot say. */
export async function countDeps(sh: Shell, cwd: string, pkgs: string[], tags?: string): Promise<number | undefined> {
  if (sh.dryRun) return undefined // a plan reads nothing (go list may download modules)
  const r = await go(sh).listDeps(pkgs, tags, { quiet: true, allowFail: true, readOnly: true, cwd })
  const n = r.stdout.split('\n').filter((l) => l.trim()).length
  return r.exitCode === 0 && n ? n : undefined
}

/** The step's title and log, for progress: the title carries the live count on a terminal. */
export interface BuildView {
  log: Log
  /** Replaces the live status (the step's title suffix); absent → progress only in log lines. */
  status?: (s: string) => void
  live?: boolean
}

/** `go build -v …` with its package lines counted into a BuildProgress (the echoed command is the real one). */
export async function goBuildWithProgress(sh: Shell, view: BuildView, label: string, cwd: string, flags: GoBuildFlags, pkgs: string[], components: Record<string, string>, env: Record<string, string>): Promise<void> {
  const total = await countDeps(sh, cwd, pkgs, flags.tags)
  const live = view.live ?? liveProgress()
  const progress = new BuildProgress({ label, total, components, live }, view.log, view.status ?? view.log)
  await go(sh).build(pkgs, { ...flags, verbose: true }, { log: view.log, cwd, env, onLine: (l) => progress.line(l) })
  progress.done()
}

export async function buildKubernetes(sh: Shell, logOrView: Log | BuildView): Promise<void> {
  const view: BuildView = typeof logOrView === 'function' ? { log: logOrView } : logOrView
  const log = view.log
  mkdirSync(MOD_DIR, { recursive: true })
  mkdirSync(BIN_DIR, { recursive: true })
  const dl = await go(sh).modDownloadJson('k8s.io/kubernetes', K8S_VERSION, { log, cwd: MOD_DIR, env: { GOFLAGS: '-mod=mod' } })
  // --dry-run: the download only echoed; the rest of the build depends on what it would fetch
  if (sh.dryRun) return log(`then: a helper module in ${MOD_DIR}, go mod tidy, go build of ${COMPONENTS.join(', ')}, and etcd ${ETCD_VERSION}`)
  const info = JSON.parse(dl.stdout) as { GoMod?: string; Error?: string }
  if (!info.GoMod) throw new Error(`go mod download k8s.io/kubernetes@${K8S_VERSION} gave no go.mod${info.Error ? `: ${info.Error}` : ''}`)
  writeFileSync(join(MOD_DIR, 'go.mod'), helperGoMod(readFileSync(info.GoMod, 'utf8')))
  writeFileSync(
    join(MOD_DIR, 'tools.go'),
    `//go:build tools\n\npackage k8sbuild\n\nimport (\n${COMPONENTS.map((c) => `\t_ "k8s.io/kubernetes/cmd/${c}"`).join('\n')}\n)\n`,
  )
  await go(sh).modTidy({ log, cwd: MOD_DIR })
  const pkgs = COMPONENTS.map((c) => `k8s.io/kubernetes/cmd/${c}`)
  await goBuildWithProgress(
    sh,
    view,
    `Kubernetes ${K8S_VERSION}`,
    MOD_DIR,
    { trimpath: true, tags: 'selinux,notest', ldflags: ldflags(), out: `${BIN_DIR}/` },
    pkgs,
    Object.fromEntries(COMPONENTS.map((c, i) => [pkgs[i]!, c])),
    { CGO_ENABLED: '0' },
  )
  await buildEtcd(sh, view, ETCD_VERSION, join(BIN_DIR, 'etcd'))
  writeFileSync(STAMP, stampText())
}

/**
 * etcd's server module is its main package; a helper module requiring it at `version` builds the binary to `out`.
 * The lab runs ETCD_VERSION; the kind node image builds the version kubeadm names.
 */
export async function buildEtcd(sh: Shell, logOrView: Log | BuildView, version: string, out: string): Promise<void> {
  const view: BuildView = typeof logOrView === 'function' ? { log: logOrView } : logOrView
  const log = view.log
  const modDir = join(BUILD_DIR, version === ETCD_VERSION ? 'etcd-mod' : `etcd-mod-${version}`)
  mkdirSync(modDir, { recursive: true })
  writeFileSync(join(modDir, 'go.mod'), 'module lab.local/etcdbuild\n\ngo 1.24\n')
  writeFileSync(join(modDir, 'tools.go'), '//go:build tools\n\npackage etcdbuild\n\nimport _ "go.etcd.io/etcd/server/v3"\n')
  await go(sh).get('go.etcd.io/etcd/server/v3', version, { log, cwd: modDir })
  const pkg = 'go.etcd.io/etcd/server/v3'
  await goBuildWithProgress(sh, view, `etcd ${version}`, modDir, { trimpath: true, ldflags: '-s -w', out }, [pkg], { [pkg]: 'etcd' }, { CGO_ENABLED: '0' })
}

/** Kept apart from the Kubernetes build and its stamp, so adding it leaves that cache valid. */
const METRICS_SERVER_STAMP = join(BIN_DIR, '.metrics-server.stamp')
export const METRICS_SERVER_PKG = 'sigs.k8s.io/metrics-server/cmd/metrics-server'

/** metrics-server's Makefile stamps its version into client-go's version package. */
export function metricsServerLdflags(version = METRICS_SERVER_VERSION): string {
  return `-s -w -X k8s.io/client-go/pkg/version.gitVersion=${version}`
}

/** `go install` of metrics-server at its tag into BIN_DIR (no registry image: built from the module). */
export function metricsServerInstallArgs(version = METRICS_SERVER_VERSION): string[] {
  return goArgs.install(METRICS_SERVER_PKG, version, { trimpath: true, ldflags: metricsServerLdflags(version) })
}

function metricsServerStampText(): string {
  return `metrics-server ${METRICS_SERVER_VERSION} ${metricsServerLdflags()}\n`
}

/** Skip reason when metrics-server of this version is already built. */
export function metricsServerBuilt(): string | false {
  if (!existsSync(join(BIN_DIR, 'metrics-server'))) return false
  if (!existsSync(METRICS_SERVER_STAMP) || readFileSync(METRICS_SERVER_STAMP, 'utf8') !== metricsServerStampText()) return false
  return `metrics-server ${METRICS_SERVER_VERSION} cached in ${BIN_DIR}`
}

export async function buildMetricsServer(sh: Shell, log: Log): Promise<void> {
  mkdirSync(BIN_DIR, { recursive: true })
  await sh.run('go', metricsServerInstallArgs(), { log, cwd: BUILD_DIR, env: { GOBIN: BIN_DIR, CGO_ENABLED: '0' } })
  if (!sh.dryRun) writeFileSync(METRICS_SERVER_STAMP, metricsServerStampText())
}
