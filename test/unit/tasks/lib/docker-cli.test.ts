/** tasks/lib/docker-cli.ts: the one `docker image inspect` — its argv, and a quiet read allowed to fail. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { docker, dockerArgs, dockerImageInspect, ID_FORMAT, imageInspectArgs, LABELS_FORMAT, NETWORK_IPS_FORMAT } from '../../../../tasks/lib/docker-cli.ts'
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

test('dockerArgs: the argv of every verb, as the lab and the kind node image build run them', () => {
  assert.equal(dockerArgs.serverVersion(), ['version', '--format', '{{.Server.Version}}'])
  assert.equal(dockerArgs.build({ context: '/tmp/ctx', ref: 'r:1', labels: { 'learn-k8s.source': 'abc' }, buildArgs: ['--build-arg', 'A=1'] }), [
    'build', '--force-rm', '--build-arg', 'A=1', '--label', 'learn-k8s.source=abc', '-t', 'r:1', '/tmp/ctx',
  ])
  assert.equal(dockerArgs.build({ context: '.', ref: 'r:1' }), ['build', '--force-rm', '-t', 'r:1', '.'])
  assert.equal(dockerArgs.importTar('/c/root.tar', 'base:1', ['LABEL k=v']), ['import', '--change', 'LABEL k=v', '/c/root.tar', 'base:1'])
  assert.equal(dockerArgs.tag('a:1', 'b:1'), ['tag', 'a:1', 'b:1'])
  assert.equal(dockerArgs.imageRm('sha256:1'), ['image', 'rm', 'sha256:1'])
  assert.equal(dockerArgs.save('/t/i.tar', ['a:1', 'b:2']), ['save', '-o', '/t/i.tar', 'a:1', 'b:2'])
  assert.equal(dockerArgs.runDetached('n', 'img', ['--entrypoint', 'sleep'], ['infinity']), ['run', '-d', '--name', 'n', '--entrypoint', 'sleep', 'img', 'infinity'])
  assert.equal(dockerArgs.cp('/bin/x', 'n:/usr/bin/x'), ['cp', '/bin/x', 'n:/usr/bin/x'])
  assert.equal(dockerArgs.exec('n', ['ctr', 'version']), ['exec', 'n', 'ctr', 'version'])
  assert.equal(dockerArgs.exec('n', ['sh', '-c', 'cat > f'], { stdin: true }), ['exec', '-i', 'n', 'sh', '-c', 'cat > f'])
  assert.equal(dockerArgs.commit('n', 'node:1', ['ENTRYPOINT [ "/init" ]', 'LABEL k=v']), ['commit', '--change', 'ENTRYPOINT [ "/init" ]', '--change', 'LABEL k=v', 'n', 'node:1'])
  assert.equal(dockerArgs.rm('n'), ['rm', '-f', '-v', 'n'])
})

test('docker(sh): runs docker through the shell with the options given (stdin: -i, not passed on)', async () => {
  const sh = fakeShell()
  const d = docker(sh)
  await d.exec('n', ['sh', '-c', 'cat > /kind/version'], { stdin: true, input: 'v1', quiet: true })
  await d.save('/t/i.tar', ['a:1'], { env: { DOCKER_HOST: 'unix:///x.sock' } })
  assert.equal(sh.calls.map((c) => c.line), ['docker exec -i n sh -c cat > /kind/version', 'docker save -o /t/i.tar a:1'])
  assert.equal(sh.calls[0]!.opts, { input: 'v1', quiet: true })
  assert.equal(sh.calls[1]!.opts, { env: { DOCKER_HOST: 'unix:///x.sock' } })
})

test("dockerArgs: the providers' and the tutorial builds' verbs (buildFile, inspect, start, push, manifestInspect)", () => {
  assert.equal(dockerArgs.buildFile({ ref: 'img:1', labels: { 'learn-k8s-easy/source': 'abc' }, buildArgs: { BASE: 'base:1' }, dockerfile: 'Dockerfile', context: 'ctx' }), ['build', '-t', 'img:1', '--label', 'learn-k8s-easy/source=abc', '--build-arg', 'BASE=base:1', '-f', 'Dockerfile', 'ctx'])
  assert.equal(dockerArgs.buildFile({ ref: 'img:1', dockerfile: 'D', context: '.' }), ['build', '-t', 'img:1', '-f', 'D', '.'])
  assert.equal(dockerArgs.inspect(NETWORK_IPS_FORMAT, 'kind-control-plane'), ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', 'kind-control-plane'])
  assert.equal(dockerArgs.inspect('{{.State.Status}}', 'n'), ['inspect', '-f', '{{.State.Status}}', 'n'])
  assert.equal(dockerArgs.start('n'), ['start', 'n'])
  assert.equal(dockerArgs.push('127.0.0.1:5000/a:1'), ['push', '127.0.0.1:5000/a:1'])
  assert.equal(dockerArgs.manifestInspect('r/a:1'), ['manifest', 'inspect', 'r/a:1'])
  assert.equal(dockerArgs.manifestInspect('127.0.0.1:5000/a:1', true), ['manifest', 'inspect', '--insecure', '127.0.0.1:5000/a:1'])
})

test.run()
