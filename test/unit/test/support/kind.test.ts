/** test/support/kind.ts: the environment the kind suites run with, and the rules that keep kind's traffic here. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KIND_BRIDGE, kindEnv, KIND_KUBECONFIG, RULES } from '../../../support/kind.ts'
import { BIN_DIR, DOCKER_HOST } from '../../../../tasks/lab/engine/paths.ts'
import { KIND_NODE_IMAGE } from '../../../../tasks/lab/kindnode/build.ts'

test("kind suites: the lab's docker, the offline image, the harness kubeconfig, kind and kubectl first on PATH", () => {
  const env = kindEnv({ PATH: '/usr/bin:/bin', XDG_CACHE_HOME: '/c', HOME: '/root' })
  assert.is(env.E2E_PROVIDER, 'kind')
  assert.is(env.DOCKER_HOST, DOCKER_HOST)
  assert.is(env.KIND_NODE_IMAGE, KIND_NODE_IMAGE)
  assert.is(env.KUBECONFIG, KIND_KUBECONFIG)
  assert.is(env.PATH, `/c/learn-k8s-easy/tools:${BIN_DIR}:/usr/bin:/bin`)
})

test('nothing a kind node sends is forwarded off its bridge, nor DNATed by the host (the lab shares 10.96.0.0/16)', () => {
  const forward = RULES.find((r) => r[0] === 'DOCKER-USER')!
  assert.equal(forward, ['DOCKER-USER', '-i', KIND_BRIDGE, '!', '-o', KIND_BRIDGE, '-j', 'DROP'])
  const nat = RULES.find((r) => r[0] === 'PREROUTING')!
  assert.equal(nat, ['PREROUTING', '-t', 'nat', '-i', KIND_BRIDGE, '-j', 'RETURN'])
})

test.run()
