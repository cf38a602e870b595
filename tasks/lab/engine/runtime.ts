/**
 * The lab dockerd's OCI runtime on machines whose capability bounding set is incomplete (these build machines
 * withhold CAP_SYS_RESOURCE from every process). There `docker run --privileged` — which kind uses for every node
 * and every `docker exec` into one — fails with "runc create failed: unable to apply caps: operation not
 * permitted". runc-nocap (tasks/lab/runc-nocap) removes the capabilities the machine cannot grant from the
 * spec, then runs runc. On a machine with a full bounding set the lab uses plain runc and none of this applies.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Log, Shell } from '../../lib/shell.ts'
import { go } from '../../lib/go-cli.ts'
import { sha256 } from '../images/build.ts'
import { CACHE_DIR } from './paths.ts'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const NOCAP_RUNTIME = 'learn-k8s-nocap'
const SRC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'runc-nocap')
export const NOCAP_BIN = join(CACHE_DIR, 'build', 'runc-nocap')

/** Capabilities 0–40 that the bounding set (CapBnd of /proc/self/status) lacks. */
export function missingCapabilities(status: string = safeRead('/proc/self/status')): number[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)
  if (!m) return []
  const bnd = BigInt(`0x${m[1]}`)
  const missing: number[] = []
  for (let i = 0; i <= 40; i++) if (!(bnd & (1n << BigInt(i)))) missing.push(i)
  return missing
}

function safeRead(p: string): string {
  try {
    return readFileSync(p, 'utf8')
  } catch {
    return ''
  }
}

/** dockerd flags registering runc-nocap as the default runtime, when this machine needs it. */
export function dockerdRuntimeArgs(missing: number[] = missingCapabilities()): string[] {
  return missing.length ? [`--add-runtime=${NOCAP_RUNTIME}=${NOCAP_BIN}`, `--default-runtime=${NOCAP_RUNTIME}`] : []
}

const sourceHash = () => sha256([['main.go', readFileSync(join(SRC_DIR, 'main.go'))], ['go.mod', readFileSync(join(SRC_DIR, 'go.mod'))]])

/** Build runc-nocap into the lab's cache when this machine needs it and it is missing or stale. */
export async function ensureNocapRuntime(sh: Shell, log: Log, missing: number[] = missingCapabilities()): Promise<void> {
  if (!missing.length) return
  const stamp = `${NOCAP_BIN}.source`
  const want = sourceHash()
  if (existsSync(NOCAP_BIN) && safeRead(stamp).trim() === want) return
  log(`this machine's capability bounding set lacks ${missing.length} capabilit${missing.length === 1 ? 'y' : 'ies'} (${missing.join(', ')}): building runc-nocap for privileged containers`)
  await go(sh).build(['.'], { trimpath: true, out: NOCAP_BIN }, { log, cwd: SRC_DIR, env: { CGO_ENABLED: '0' } })
  if (!sh.dryRun) writeFileSync(stamp, `${want}\n`)
}
