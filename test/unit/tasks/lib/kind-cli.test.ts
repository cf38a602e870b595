/** tasks/lib/kind-cli.ts: kind's argv for every verb the kind provider uses, and the runner passing options through. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kind, kindArgs } from '../../../../tasks/lib/kind-cli.ts'
import { fakeShell } from '../../fakes.ts'

test('kindArgs: get clusters, create (with --image only when named), delete, load docker-image', () => {
  assert.equal(kindArgs.getClusters(), ['get', 'clusters'])
  assert.equal(kindArgs.createCluster('dev', '.cache/kind-config.yaml'), ['create', 'cluster', '--name', 'dev', '--config', '.cache/kind-config.yaml'])
  assert.equal(kindArgs.createCluster('dev', 'c.yaml', 'kindest/node:lab'), ['create', 'cluster', '--name', 'dev', '--config', 'c.yaml', '--image', 'kindest/node:lab'])
  assert.equal(kindArgs.deleteCluster('dev'), ['delete', 'cluster', '--name', 'dev'])
  assert.equal(kindArgs.loadDockerImage('programmingpercy/hellogopher:5.0', 'dev'), ['load', 'docker-image', 'programmingpercy/hellogopher:5.0', '--name', 'dev'])
})

test('kind(sh): runs `kind` with the verb argv and the caller options; echoed unless quiet', async () => {
  const sh = fakeShell({ reply: () => ({ stdout: 'dev\n' }) })
  const lines: string[] = []
  const k = kind(sh)
  const listed = await k.getClusters({ quiet: true, allowFail: true, readOnly: true })
  await k.loadDockerImage('a:1', 'dev', { log: (l) => lines.push(l) })
  await k.deleteCluster('dev', { log: (l) => lines.push(l) })
  assert.is(listed.stdout, 'dev\n')
  assert.equal(sh.calls.map((c) => c.line), ['kind get clusters', 'kind load docker-image a:1 --name dev', 'kind delete cluster --name dev'])
  assert.equal(sh.calls[0]!.opts, { quiet: true, allowFail: true, readOnly: true })
  assert.equal(lines, ['$ kind load docker-image a:1 --name dev', '$ kind delete cluster --name dev'])
})

test.run()
