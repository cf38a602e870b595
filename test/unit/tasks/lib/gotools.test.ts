/** tasks/lib/gotools.ts: where built tools live, and `go install` only when the stamp does not name the pinned version. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureGoTool, toolsDir, type GoTool } from '../../../../tasks/lib/gotools.ts'
import { fakeShell } from '../../fakes.ts'

const TOOL: GoTool = { name: 'actionlint', pkg: 'github.com/rhysd/actionlint/cmd/actionlint', version: 'v1.7.12' }

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gotools-test-'))
    try {
      await fn(dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

test('toolsDir: under XDG_CACHE_HOME when set, else ~/.cache', () => {
  assert.is(toolsDir({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/learn-k8s-easy/tools')
  assert.is(toolsDir({}), join(homedir(), '.cache', 'learn-k8s-easy', 'tools'))
  assert.is(toolsDir({ XDG_CACHE_HOME: '' }), join(homedir(), '.cache', 'learn-k8s-easy', 'tools'))
})

test('ensureGoTool: no binary yet → go install pkg@version into the tools dir (static), then a stamp naming it', withDir(async (dir) => {
  const sh = fakeShell()
  const lines: string[] = []
  const bin = await ensureGoTool(sh, TOOL, dir, (l) => lines.push(l))
  assert.is(bin, join(dir, 'actionlint'))
  assert.equal(sh.calls.map((c) => [c.bin, c.args]), [['go', ['install', '-trimpath', `${TOOL.pkg}@v1.7.12`]]])
  assert.equal(sh.calls[0]!.opts.env, { GOBIN: dir, CGO_ENABLED: '0' })
  assert.equal(lines, [`$ go install -trimpath ${TOOL.pkg}@v1.7.12`])
  assert.is(readFileSync(join(dir, 'actionlint.version'), 'utf8'), `${TOOL.pkg}@v1.7.12\n`)
}))

test('ensureGoTool: binary and a stamp of the same version → nothing runs', withDir(async (dir) => {
  writeFileSync(join(dir, 'actionlint'), '')
  writeFileSync(join(dir, 'actionlint.version'), `${TOOL.pkg}@v1.7.12\n`)
  const sh = fakeShell()
  assert.is(await ensureGoTool(sh, TOOL, dir), join(dir, 'actionlint'))
  assert.equal(sh.calls, [])
}))

test('ensureGoTool: a stamp of another version, or a binary without a stamp → built again', withDir(async (dir) => {
  writeFileSync(join(dir, 'actionlint'), '')
  writeFileSync(join(dir, 'actionlint.version'), `${TOOL.pkg}@v1.6.0\n`)
  const sh = fakeShell()
  await ensureGoTool(sh, TOOL, dir)
  assert.is(sh.calls.length, 1)
  assert.is(readFileSync(join(dir, 'actionlint.version'), 'utf8'), `${TOOL.pkg}@v1.7.12\n`)
  rmSync(join(dir, 'actionlint.version'))
  const again = fakeShell()
  await ensureGoTool(again, TOOL, dir)
  assert.is(again.calls.length, 1)
}))

test('ensureGoTool --dry-run: the command is shown, no stamp is written', withDir(async (dir) => {
  const sh = fakeShell({ dryRun: true })
  await ensureGoTool(sh, TOOL, dir)
  assert.equal(sh.echoed, [`$ go install -trimpath ${TOOL.pkg}@v1.7.12`])
  assert.not.ok(existsSync(join(dir, 'actionlint.version')))
}))

test.run()
