/** tasks/lib/minikube-cli.ts: minikube's argv for every verb, the profile's arguments last as the tutorial types them. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { minikubeArgs } from '../../../../tasks/lib/minikube-cli.ts'

const P = ['-p', 'learn']

test('minikubeArgs: with the default profile (no -p) the argv is what the article types', () => {
  assert.equal(minikubeArgs.start([]), ['start'])
  assert.equal(minikubeArgs.dockerEnv([]), ['docker-env', '--shell', 'bash'])
  assert.equal(minikubeArgs.serviceUrl('hellogopher', 'default', []), ['service', 'hellogopher', '-n', 'default', '--url'])
  assert.equal(minikubeArgs.addonsEnable('metrics-server', []), ['addons', 'enable', 'metrics-server'])
  assert.equal(minikubeArgs.addonsList([]), ['addons', 'list'])
  assert.equal(minikubeArgs.dashboard([]), ['dashboard'])
  assert.equal(minikubeArgs.dashboard([], true), ['dashboard', '--url'])
})

test('minikubeArgs: a named profile goes last; start adds --driver only when chosen', () => {
  assert.equal(minikubeArgs.start(P, 'docker'), ['start', '-p', 'learn', '--driver', 'docker'])
  assert.equal(minikubeArgs.start(P), ['start', '-p', 'learn'])
  assert.equal(minikubeArgs.status(P), ['status', '-o', 'json', '-p', 'learn'])
  assert.equal(minikubeArgs.stop(P), ['stop', '-p', 'learn'])
  assert.equal(minikubeArgs.imageLoad('a:1', P), ['image', 'load', 'a:1', '-p', 'learn'])
  assert.equal(minikubeArgs.imageLs(P), ['image', 'ls', '--format', 'json', '-p', 'learn'])
  assert.equal(minikubeArgs.serviceUrl('hellogopher', 'hellogopher', P), ['service', 'hellogopher', '-n', 'hellogopher', '--url', '-p', 'learn'])
  assert.equal(minikubeArgs.dashboard(P, true), ['dashboard', '--url', '-p', 'learn'])
})

test('minikubeArgs: profile list is for every profile; ip always names its profile', () => {
  assert.equal(minikubeArgs.profileList(), ['profile', 'list', '-o', 'json'])
  assert.equal(minikubeArgs.ip('minikube'), ['ip', '-p', 'minikube'])
})

test.run()
