/**
 * A real container registry for the remote provider's e2e test: distribution's `registry`, built from its
 * Go module into the tool cache, serving plain HTTP on 127.0.0.1:5000 with storage in a temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureGoTool } from '../../tasks/lib/gotools.ts'
import { createShell } from '../../tasks/lib/shell.ts'

export const REGISTRY_ADDR = '127.0.0.1:5000'
export const REGISTRY_TOOL = { name: 'registry', pkg: 'github.com/distribution/distribution/v3/cmd/registry', version: 'v3.1.2' }

export interface RunningRegistry {
  addr: string
  stop(): Promise<void>
}

async function answers(addr: string): Promise<boolean> {
  try {
    const r = await fetch(`http://${addr}/v2/`, { signal: AbortSignal.timeout(1000) })
    return r.status === 200
  } catch {
    return false
  }
}

export async function startRegistry(): Promise<RunningRegistry> {
  if (await answers(REGISTRY_ADDR)) throw new Error(`something already answers on ${REGISTRY_ADDR}; stop it first`)
  const bin = await ensureGoTool(createShell(), REGISTRY_TOOL)
  const dir = mkdtempSync(join(tmpdir(), 'learn-k8s-registry-'))
  const config = join(dir, 'config.yml')
  writeFileSync(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: ${REGISTRY_ADDR}\n`)
  const child: ChildProcess = spawn(bin, ['serve', config], { stdio: 'ignore' })
  for (let i = 0; i < 50 && !(await answers(REGISTRY_ADDR)); i++) await new Promise((r) => setTimeout(r, 200))
  if (!(await answers(REGISTRY_ADDR))) {
    child.kill('SIGKILL')
    throw new Error(`registry did not answer on ${REGISTRY_ADDR} within 10 s`)
  }
  return {
    addr: REGISTRY_ADDR,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
