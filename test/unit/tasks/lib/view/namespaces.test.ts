/** tasks/lib/view/namespaces.ts: which namespaces status and diagram look at — the tutorial's and default, or the one asked for if it is a namespace name. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../../../../../tasks/lib/cli.ts'
import { namespacesOf } from '../../../../../tasks/lib/view/namespaces.ts'

const usageError = (flag: string) => (e: Error) => e instanceof UsageError && e.message === `--namespace '${flag}' is not a namespace name`

test('namespaces: the tutorial’s and default by default; one with -n; a bad name is a usage error', () => {
  assert.equal(namespacesOf(undefined), ['hellogopher', 'default'])
  assert.equal(namespacesOf('kube-system'), ['kube-system'])
  assert.throws(() => namespacesOf('Bad_Name'), usageError('Bad_Name'))
})

test('namespaces: a DNS label is asked for: lower-case letters, digits and inner hyphens, at most 63 characters', () => {
  assert.equal(namespacesOf('a'), ['a'])
  assert.equal(namespacesOf('team-1'), ['team-1'])
  assert.equal(namespacesOf('x'.repeat(63)), ['x'.repeat(63)])
  for (const bad of ['x'.repeat(64), '-team', 'team-', 'Team', 'team.a', '', 'a b']) assert.throws(() => namespacesOf(bad), usageError(bad), JSON.stringify(bad))
})

test.run()
