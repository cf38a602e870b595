/** tasks/lib/run.ts: a run's default settings (the tutorial's namespace, the last tag, every tag) and the image the cluster runs. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { clusterImage, defaultCtx } from '../../../../tasks/lib/run.ts'
import { DEFAULT_IMAGE_REPO, NAMESPACE, tagNames } from '../../../../tasks/lib/tutorial.ts'
import { fakeProvider } from '../../fakes.ts'

test('defaultCtx: the tutorial namespace, ends on 5.0, builds every tag, the article\'s repository, not a dry run', () => {
  const ctx = defaultCtx()
  assert.is(ctx.namespace, NAMESPACE)
  assert.is(ctx.tag, '5.0')
  assert.equal(ctx.tags, tagNames())
  assert.is(ctx.imageRepo, DEFAULT_IMAGE_REPO)
  assert.is(ctx.dryRun, false)
  assert.is(ctx.verbose, false)
  assert.is(ctx.dockerEnv, undefined)
})

test('defaultCtx: what is given wins, the rest stays default', () => {
  const ctx = defaultCtx({ tag: '2.0', tags: ['2.0'], dryRun: true })
  assert.is(ctx.tag, '2.0')
  assert.equal(ctx.tags, ['2.0'])
  assert.is(ctx.dryRun, true)
  assert.is(ctx.namespace, NAMESPACE)
})

test('clusterImage: the provider\'s override (a registry ref) when it has one, else the image itself', () => {
  const remote = fakeProvider({ imageOverrides: () => ({ 'programmingpercy/hellogopher:5.0': 'localhost:5001/hellogopher:5.0' }) })
  assert.is(clusterImage({ provider: remote }, 'programmingpercy/hellogopher:5.0'), 'localhost:5001/hellogopher:5.0')
  assert.is(clusterImage({ provider: remote }, 'programmingpercy/hellogopher:4.0'), 'programmingpercy/hellogopher:4.0')
  assert.is(clusterImage({ provider: fakeProvider() }, 'mysql:8.0'), 'mysql:8.0')
})

test.run()
