/** Programs the project builds from their Go modules into its tool cache (actionlint, the test registry). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Shell } from './shell.ts'
import { go } from './go-cli.ts'

/** Where tools built for this project live: `${XDG_CACHE_HOME:-~/.cache}/learn-k8s-easy/tools`. */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'learn-k8s-easy', 'tools')
}

export interface GoTool {
  /** binary name `go install` produces */
  name: string
  /** package path of the main package */
  pkg: string
  version: string
}

/** The tool's binary at the pinned version: `go install pkg@version` unless a stamp says it is already built. */
export async function ensureGoTool(sh: Shell, tool: GoTool, dir = toolsDir(), log: (l: string) => void = () => {}): Promise<string> {
  const bin = join(dir, tool.name)
  const stamp = `${bin}.version`
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === `${tool.pkg}@${tool.version}`) return bin
  await go(sh).install(tool.pkg, tool.version, { trimpath: true }, { log, env: { GOBIN: dir, CGO_ENABLED: '0' } })
  if (!sh.dryRun) writeFileSync(stamp, `${tool.pkg}@${tool.version}\n`)
  return bin
}
