/**
 * Lint the GitHub Actions workflows with actionlint, built from its Go module into the project's tool cache
 * (skipped when that version is already there). Exit 0 when clean; 1 with a one-line summary and actionlint's
 * findings otherwise. Reads only (besides the tool cache).
 */
import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import type { CommandSpec, Parsed } from './lib/cli.ts'
import { command } from './lib/command.ts'
import { ROOT } from './lib/tutorial.ts'
import { createShell, type Shell } from './lib/shell.ts'
import { ensureGoTool, toolsDir } from './lib/gotools.ts'

export { toolsDir }

export const ACTIONLINT_VERSION = 'v1.7.12'
export const ACTIONLINT_MODULE = 'github.com/rhysd/actionlint/cmd/actionlint'

/** The workflow files: `.github/workflows/*.yml|yaml`, sorted, relative to the repo root. */
export function workflowFiles(root = ROOT): string[] {
  const dir = join(root, '.github', 'workflows')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join('.github', 'workflows', f))
}

/** One line per finding (`file:line:col: message [rule]`); the rest is actionlint's code snippets. */
export function countFindings(output: string): { findings: number; files: number } {
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
  const hits = lines.map((l) => /^(.+?):\d+:\d+: /.exec(l)?.[1]).filter((f): f is string => !!f)
  return { findings: hits.length, files: new Set(hits).size }
}

/** The actionlint binary at the pinned version, built from its module on first use. */
export function ensureActionlint(sh: Shell, dir = toolsDir(), log: (l: string) => void = () => {}): Promise<string> {
  return ensureGoTool(sh, { name: 'actionlint', pkg: ACTIONLINT_MODULE, version: ACTIONLINT_VERSION }, dir, log)
}

const cmd: CommandSpec = {
  name: 'tasks/lint-workflows.ts',
  summary: `Lint .github/workflows/*.yml with actionlint ${ACTIONLINT_VERSION} (built from its Go module into ${toolsDir().replace(homedir(), '~')} on first use). Exit 1 on any finding.`,
  positionals: '[workflow.yml ...]',
  flags: {
    verbose: { type: 'boolean', short: 'v', description: 'show the go install command and actionlint version' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  examples: ['npx tsx tasks/lint-workflows.ts', 'npx tsx tasks/lint-workflows.ts /tmp/broken.yml'],
}

async function lintWorkflows({ parsed }: { parsed: Parsed }): Promise<number> {
  const out = (l: string) => process.stderr.write(`${l}\n`)
  const files = parsed.positionals.length ? parsed.positionals.map((f) => resolve(f)) : workflowFiles().map((f) => join(ROOT, f))
  if (!files.length) throw new Error(`no workflow files in ${relative(process.cwd(), join(ROOT, '.github', 'workflows')) || '.'} — nothing to lint`)
  for (const f of files) if (!existsSync(f)) throw new Error(`${f}: no such file`)
  const sh = createShell({ verbose: !!parsed.flags.verbose })
  const bin = await ensureActionlint(sh, toolsDir(), parsed.flags.verbose ? out : () => {})
  const shown = files.map((f) => relative(process.cwd(), f) || f)
  // actionlint runs from the repo root: it finds the repository's config (.github/actionlint.yaml) from there
  const r = await sh.run(bin, ['-no-color', ...files], { quiet: true, allowFail: true, readOnly: true, cwd: ROOT })
  if (r.exitCode === 0) {
    process.stdout.write(`actionlint ${ACTIONLINT_VERSION}: ${shown.join(', ')} — no problems\n`)
    return 0
  }
  const { findings, files: bad } = countFindings(r.stdout)
  if (!findings) throw new Error(`actionlint exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`)
  process.stdout.write(`actionlint ${ACTIONLINT_VERSION}: ${findings} problem${findings === 1 ? '' : 's'} in ${bad} file${bad === 1 ? '' : 's'}\n${r.stdout.trimEnd()}\n`)
  return 1
}

await command({ spec: cmd, guard: false, run: lintWorkflows }).mainIf(import.meta.url)
