/**
 * Upstream's e2e suite (`e2e.test`) and agnhost, built from the lab's own Kubernetes module with the lab's build
 * settings (tasks/lab/engine/build.ts): a helper module like the lab's, importing k8s.io/kubernetes/test/e2e and agnhost
 * under a `tools` build tag, `go mod tidy` (adds ginkgo/gomega), then `go test -c` / `go build`.
 * Cached: a stamp names the version, flags and module; a second run only checks.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Shell } from '../../tasks/lib/shell.ts'
import { helperGoMod, ldflags } from '../../tasks/lab/engine/build.ts'
import { BIN_DIR, K8S_VERSION } from '../../tasks/lab/engine/paths.ts'

const BUILD_DIR = join(BIN_DIR, '..')
export const E2E_MOD_DIR = join(BUILD_DIR, 'e2e-mod')
export const E2E_BIN_DIR = join(BUILD_DIR, 'e2e')
export const E2E_TEST = join(E2E_BIN_DIR, 'e2e.test')
export const AGNHOST = join(E2E_BIN_DIR, 'agnhost')
const STAMP = join(E2E_BIN_DIR, '.stamp')

export const E2E_PKG = 'k8s.io/kubernetes/test/e2e'
export const AGNHOST_PKG = 'k8s.io/kubernetes/test/images/agnhost'
/** agnhost's version (test/images/agnhost/VERSION in the module, checked at build); its Makefile stamps it into main.Version. */
export const AGNHOST_VERSION = '2.56'
/** The lab's build tags (tasks/lab/engine/build.ts). */
const TAGS = 'selinux,notest'

export const TOOLS_GO = `//go:build tools\n\npackage k8sbuild\n\nimport (\n\t_ "${E2E_PKG}"\n\t_ "${AGNHOST_PKG}"\n)\n`

export function e2eBuildArgs(out: { e2e: string; agnhost: string }, version = K8S_VERSION): { e2e: string[]; agnhost: string[] } {
  const common = ['-trimpath', '-tags', TAGS, '-ldflags', ldflags(version)]
  return {
    e2e: ['test', '-c', ...common, '-o', out.e2e, E2E_PKG],
    agnhost: ['build', '-trimpath', '-tags', TAGS, '-ldflags', `${ldflags(version)} -X main.Version=${AGNHOST_VERSION}`, '-o', out.agnhost, AGNHOST_PKG],
  }
}

function stampText(): string {
  const a = e2eBuildArgs({ e2e: E2E_TEST, agnhost: AGNHOST })
  return `${K8S_VERSION}\n${a.e2e.join(' ')}\n${a.agnhost.join(' ')}\n${TOOLS_GO}`
}

/** Why no build is needed, or false. */
export function e2eBuilt(): string | false {
  if (!existsSync(E2E_TEST) || !existsSync(AGNHOST)) return false
  if (!existsSync(STAMP) || readFileSync(STAMP, 'utf8') !== stampText()) return false
  return `e2e.test and agnhost for ${K8S_VERSION} cached in ${E2E_BIN_DIR}`
}

/** The Kubernetes module's directory in the Go module cache (for agnhost's porter certificates). */
export async function kubernetesModuleDir(sh: Shell, log: (l: string) => void): Promise<{ dir: string; goMod: string }> {
  mkdirSync(E2E_MOD_DIR, { recursive: true })
  const dl = await sh.run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${K8S_VERSION}`], { log, cwd: E2E_MOD_DIR, env: { GOFLAGS: '-mod=mod' }, quiet: true, readOnly: true })
  const info = JSON.parse(dl.stdout) as { Dir?: string; GoMod?: string; Error?: string }
  if (!info.Dir || !info.GoMod) throw new Error(`go mod download k8s.io/kubernetes@${K8S_VERSION} gave no module${info.Error ? `: ${info.Error}` : ''}`)
  return { dir: info.Dir, goMod: info.GoMod }
}

export async function buildE2e(sh: Shell, log: (l: string) => void): Promise<void> {
  const { dir, goMod } = await kubernetesModuleDir(sh, log)
  const agnhostVersion = readFileSync(join(dir, 'test', 'images', 'agnhost', 'VERSION'), 'utf8').trim()
  if (agnhostVersion !== AGNHOST_VERSION) throw new Error(`k8s.io/kubernetes@${K8S_VERSION} carries agnhost ${agnhostVersion}, not ${AGNHOST_VERSION}: update AGNHOST_VERSION and the image tag`)
  mkdirSync(E2E_BIN_DIR, { recursive: true })
  writeFileSync(join(E2E_MOD_DIR, 'go.mod'), helperGoMod(readFileSync(goMod, 'utf8')))
  writeFileSync(join(E2E_MOD_DIR, 'tools.go'), TOOLS_GO)
  await sh.run('go', ['mod', 'tidy'], { log, cwd: E2E_MOD_DIR })
  const args = e2eBuildArgs({ e2e: E2E_TEST, agnhost: AGNHOST })
  const env = { CGO_ENABLED: '0' }
  // a background build: nice, so the lab keeps its CPU
  await sh.run('nice', ['-n', '10', 'go', ...args.e2e], { log, cwd: E2E_MOD_DIR, env })
  await sh.run('nice', ['-n', '10', 'go', ...args.agnhost], { log, cwd: E2E_MOD_DIR, env })
  writeFileSync(STAMP, stampText())
}
