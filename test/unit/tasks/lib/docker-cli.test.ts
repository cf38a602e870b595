/** tasks/lib/docker-cli.ts: the one `docker image inspect` — its argv, and a quiet read allowed to fail. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { dockerImageInspect, ID_FORMAT, imageInspectArgs, LABELS_FORMAT } from '../../../../tasks/lib/docker-cli.ts'
import { fakeShell } from '../../fakes.ts'

test('imageInspectArgs: image inspect --format <format> <ref>', () => {
  assert.equal(imageInspectArgs('programmingpercy/hellogopher:5.0', ID_FORMAT), ['image', 'inspect', '--format', '{{.Id}}', 'programmingpercy/hellogopher:5.0'])
  assert.equal(imageInspectArgs('mysql:8.0', LABELS_FORMAT), ['image', 'inspect', '--format', '{{json .Config.Labels}}', 'mysql:8.0'])
})

test('dockerImageInspect: a quiet read that may fail, with the env only when given', async () => {
  const sh = fakeShell({ reply: () => ({ exitCode: 1, stderr: 'Error: No such image: x:1' }) })
  const r = await dockerImageInspect(sh, 'x:1', ID_FORMAT)
  assert.is(r.exitCode, 1)
  await dockerImageInspect(sh, 'x:1', ID_FORMAT, { DOCKER_HOST: 'unix:///run/d.sock' })
  assert.equal(sh.calls.map((c) => c.line), ['docker image inspect --format {{.Id}} x:1', 'docker image inspect --format {{.Id}} x:1'])
  assert.equal(sh.calls[0]!.opts, { quiet: true, allowFail: true, readOnly: true })
  assert.equal(sh.calls[1]!.opts, { env: { DOCKER_HOST: 'unix:///run/d.sock' }, quiet: true, allowFail: true, readOnly: true })
  assert.equal(sh.commands(), [], 'a read is not echoed as a command the learner runs')
})

test.run()
