/** tasks/lib/flags.ts: --namespace (a DNS label; -n like kubectl) and --timeout (whole seconds), checked before any cluster is read. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseCli, UsageError } from '../../../../tasks/lib/cli.ts'
import { NAMESPACE_FLAG, namespaceFlag, TIMEOUT_FLAG, timeoutFlag } from '../../../../tasks/lib/flags.ts'
import { spec } from '../../../../tasks/lib/task.ts'

const nsCases: Array<[string | undefined, string | RegExp]> = [
  [undefined, 'hellogopher'],
  ['default', 'default'],
  ['team-a', 'team-a'],
  ['Team', /not a valid namespace/],
  ['-x', /not a valid namespace/],
  ['a'.repeat(64), /not a valid namespace/],
]
for (const [ns, want] of nsCases) {
  test(`namespaceFlag(${JSON.stringify(ns)})`, () => {
    if (typeof want === 'string') assert.is(namespaceFlag({ namespace: ns }), want)
    else assert.throws(() => namespaceFlag({ namespace: ns }), (e: Error) => e instanceof UsageError && want.test(e.message))
  })
}

const timeoutCases: Array<[string | undefined, number | RegExp]> = [
  [undefined, 120_000],
  ['30', 30_000],
  ['0', /whole number/],
  ['1.5', /whole number/],
  ['abc', /whole number/],
]
for (const [v, want] of timeoutCases) {
  test(`timeoutFlag(${JSON.stringify(v)})`, () => {
    if (typeof want === 'number') assert.is(timeoutFlag({ timeout: v }), want)
    else assert.throws(() => timeoutFlag({ timeout: v }), (e: Error) => e instanceof UsageError && want.test(e.message))
  })
}

test('-n is --namespace, as in kubectl', () => {
  const cmd = spec('tasks/example.ts', 'An example.', { namespace: NAMESPACE_FLAG, timeout: TIMEOUT_FLAG })
  assert.is(namespaceFlag(parseCli(cmd, ['-n', 'team-a']).flags), 'team-a')
  assert.is(namespaceFlag(parseCli(cmd, ['--namespace', 'team-b']).flags), 'team-b')
  assert.is(namespaceFlag(parseCli(cmd, []).flags), 'hellogopher')
  assert.throws(() => namespaceFlag(parseCli(cmd, ['-n', 'Team']).flags), (e: Error) => e instanceof UsageError && /--namespace 'Team'/.test(e.message))
})

test.run()
