/** tasks/lab/engine/runtime.ts: which capabilities the machine withholds (CapBnd), dockerd's runtime flags, and runc-nocap built only when needed and stale (under temp lab dirs). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assertLabDirs, fakeShell, labTempDirs } from '../../../fakes.ts'

const dirs = labTempDirs('runtime-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const { dockerdRuntimeArgs, ensureNocapRuntime, missingCapabilities, NOCAP_BIN, NOCAP_RUNTIME } = await import('../../../../../tasks/lab/engine/runtime.ts')

test.after(() => dirs.cleanup())
// the lab's build dir, which the Kubernetes build before this step makes
mkdirSync(dirname(NOCAP_BIN), { recursive: true })

const status = (capBnd: string) => `Name:\tnode\nCapInh:\t0000000000000000\nCapBnd:\t${capBnd}\nCapAmb:\t0000000000000000\n`

test('missingCapabilities: the bits 0–40 CapBnd lacks; a full set or no CapBnd line → none', () => {
  assert.equal(missingCapabilities(status('000001ffffffffff')), [])
  // CAP_SYS_RESOURCE is 24: the set these build machines have
  assert.equal(missingCapabilities(status('000001fffeffffff')), [24])
  assert.equal(missingCapabilities(status('000001fffefffffe')), [0, 24])
  assert.equal(missingCapabilities('Name:\tnode\n'), [])
})

test('dockerdRuntimeArgs: runc-nocap as the default runtime only when a capability is missing', () => {
  assert.equal(dockerdRuntimeArgs([]), [])
  assert.equal(dockerdRuntimeArgs([24]), [`--add-runtime=${NOCAP_RUNTIME}=${NOCAP_BIN}`, `--default-runtime=${NOCAP_RUNTIME}`])
  assert.ok(NOCAP_BIN.startsWith(dirs.cache))
})

test('ensureNocapRuntime: nothing on a full set; a static go build with a source stamp when missing; nothing once built and current', async () => {
  const none = fakeShell()
  await ensureNocapRuntime(none, () => {}, [])
  assert.equal(none.calls, [])
  const sh = fakeShell()
  const lines: string[] = []
  await ensureNocapRuntime(sh, (l) => lines.push(l), [24])
  assert.equal(sh.calls.map((c) => c.line), [`go build -trimpath -o ${NOCAP_BIN} .`])
  assert.match(sh.calls[0]!.opts.cwd!, /tasks\/lab\/runc-nocap$/)
  assert.equal(sh.calls[0]!.opts.env, { CGO_ENABLED: '0' })
  assert.match(lines[0]!, /lacks 1 capability \(24\): building runc-nocap/)
  writeFileSync(NOCAP_BIN, '') // what the build leaves
  const again = fakeShell()
  await ensureNocapRuntime(again, () => {}, [24])
  assert.equal(again.calls, [], 'built and its stamp names the current source')
  writeFileSync(`${NOCAP_BIN}.source`, 'an older source\n')
  const stale = fakeShell()
  await ensureNocapRuntime(stale, () => {}, [0, 24])
  assert.is(stale.calls.length, 1, 'a stamp of another source is a rebuild')
})

test('ensureNocapRuntime --dry-run: the build is echoed, no stamp is written', async () => {
  writeFileSync(`${NOCAP_BIN}.source`, 'an older source\n')
  const dry = fakeShell({ dryRun: true })
  await ensureNocapRuntime(dry, () => {}, [24])
  await ensureNocapRuntime(dry, () => {}, [24])
  assert.is(dry.calls.length, 2, 'still stale: nothing was written')
})

test.run()
