/**
 * The remote provider, for real: images go through a real registry (distribution, built from its module,
 * on 127.0.0.1:5000) and the lab cluster pulls them from there — as a cluster elsewhere would.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MYSQL_COMPAT_IMAGE } from '../../tasks/lab/images/build.ts'
import { DOCKER_HOST } from '../../tasks/lab/engine/paths.ts'
import { LAB_CONTEXT } from '../../tasks/lab/engine/paths.ts'
import { startRegistry, type RunningRegistry } from '../support/registry.ts'
import { expectOk, httpGet, kube, labEnv, sh, task } from './helpers.ts'

const NS = 'hellogopher'
let registry: RunningRegistry | undefined
const repo = '127.0.0.1:5000/learn'
const mysqlMirror = `${repo}/mysql-compat:mariadb-10.11`
// the docker that builds the images: the lab's, as on a machine whose docker is not the cluster's
const env = () => ({ ...labEnv(), DOCKER_HOST })
const remote = ['--provider', 'remote', '--registry', repo, '--context', LAB_CONTEXT, '--image', `mysql:8.0=${mysqlMirror}`]

test.before(async () => {
  try {
    await setUp()
  } catch (e) {
    // uvu reports a failing hook without its message: say it here
    process.stdout.write(`    setup failed: ${(e as Error).message}\n`)
    throw e
  }
})

async function setUp(): Promise<void> {
  registry = await startRegistry()
  await expectOk(await task('teardown.ts', [], { env: env() }), 'teardown before the remote run')
  // the tutorial's mysql:8.0 cannot be pulled here: mirror the lab's MariaDB build into the registry
  await expectOk(await sh('docker', ['tag', MYSQL_COMPAT_IMAGE, mysqlMirror], { env: env() }), 'docker tag mysql mirror')
  await expectOk(await sh('docker', ['push', mysqlMirror], { env: env() }), 'docker push mysql mirror')
}

test.after(async () => {
  await task('teardown.ts', [...remote, '--yes'], { env: env() })
  await registry?.stop()
})

test('up --provider remote pushes to the registry and the cluster pulls from it', async () => {
  const r = await task('up.ts', remote, { env: env() })
  await expectOk(r, 'up --provider remote', NS)
  assert.match(r.stdout, new RegExp(`docker push ${repo.replace(/\./g, '\\.')}/hellogopher:5\\.0`))
  assert.match(r.stdout, /image override \(remote\): programmingpercy\/hellogopher:5\.0 → 127\.0\.0\.1:5000\/learn\/hellogopher:5\.0/)
  const pods = (await kube().listPods(NS, 'app=hellogopher')).filter((p) => !p.metadata?.deletionTimestamp)
  const c = pods[0]?.spec?.containers[0]
  assert.is(c?.image, `${repo}/hellogopher:5.0`)
  assert.is(c?.imagePullPolicy, 'Always')
  const events = await kube().eventsFor(NS, 'Pod', pods[0]!.metadata!.name!)
  assert.ok(
    events.some((e) => e.reason === 'Pulled' && /Successfully pulled image "127\.0\.0\.1:5000\/learn\/hellogopher:5\.0"/.test(e.message ?? '')),
    `no Pulled event from the registry: ${events.map((e) => `${e.reason}: ${e.message}`).join(' | ')}`,
  )
  const url = /answers "Hello gopher" at (http:\/\/\S+)/.exec(r.stdout)?.[1]
  assert.ok(url, 'no URL printed')
  assert.match((await httpGet(`${url}/`)).body, /Hello gopher/)
})

test('the registry holds what was pushed', async () => {
  const res = await fetch(`http://${repo.split('/')[0]}/v2/learn/hellogopher/tags/list`)
  const body = (await res.json()) as { tags?: string[] }
  assert.equal([...(body.tags ?? [])].sort(), ['1.0', '2.0', '3.0', '4.0', '5.0'])
})

test.run()
