/** tasks/steps/verify-hello.ts: lesson 4's observable — GET until "Hello gopher" within a deadline, a tunnel closed after. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { directEndpoint } from '../../../../tasks/lib/providers/types.ts'
import { httpUntil, verifyHello, type Fetcher } from '../../../../tasks/steps/verify-hello.ts'
import { fakeDeps, fakeKube, fakeProvider, runStep, testCtx } from '../../fakes.ts'

test('httpUntil: retries through refusals and 503s until "Hello gopher"', async () => {
  const answers: Array<Error | { status: number; body: string }> = [
    Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
    { status: 503, body: 'no endpoints' },
    { status: 200, body: 'Hello gopher\n' },
  ]
  const logs: string[] = []
  const fetcher: Fetcher = async () => {
    const a = answers.shift()!
    if (a instanceof Error) throw a
    return a
  }
  const r = await httpUntil('http://x:31234', 'Hello gopher', 10_000, fetcher, (l) => logs.push(l))
  assert.equal(r, { status: 200, body: 'Hello gopher\n' })
  assert.equal(logs, ['GET http://x:31234: ECONNREFUSED; retrying', 'GET http://x:31234: HTTP 503 no endpoints; retrying'])
})

test('httpUntil: past the deadline it says what it saw last', async () => {
  try {
    await httpUntil('http://x:31234', 'Hello gopher', 500, async () => ({ status: 500, body: 'Im timed out' }))
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).message, 'GET http://x:31234 did not answer "Hello gopher" within 1s; last: HTTP 500 Im timed out')
  }
})

test("verifyHello: GETs the provider's URL and records it; dry-run only says what it would do", async () => {
  const result: { url?: string } = {}
  const deps = fakeDeps({ kube: fakeKube({}), provider: fakeProvider({ serviceUrl: async () => directEndpoint('http://10.250.0.1:31234') }) })
  const t = await runStep(verifyHello(deps, result, { fetcher: async () => ({ status: 200, body: 'Hello gopher' }) }), testCtx())
  assert.is(result.url, 'http://10.250.0.1:31234')
  assert.equal(t.outputs, ['GET http://10.250.0.1:31234 → 200 Hello gopher'])
  const dry = await runStep(verifyHello(fakeDeps(), {}), testCtx({ dryRun: true }))
  assert.equal(dry.outputs, ['GET <service URL>/ — expect 200 "Hello gopher"'])
})

test('verifyHello: a tunnel endpoint stays open for the whole check and is closed after it, also when the check fails', async () => {
  for (const answers of [true, false]) {
    const events: string[] = []
    const endpoint = { url: 'http://127.0.0.1:52345', reopen: 'minikube service hellogopher -n hellogopher --url', close: async () => void events.push('close') }
    const deps = fakeDeps({ kube: fakeKube({}), provider: fakeProvider({ serviceUrl: async () => (events.push('open'), endpoint) }) })
    const fetcher: Fetcher = async (url) => (events.push(`GET ${url}`), answers ? { status: 200, body: 'Hello gopher' } : { status: 503, body: 'no' })
    const result: { url?: string; reopen?: string } = {}
    try {
      await runStep(verifyHello(deps, result, { fetcher, timeoutMs: 500 }), testCtx())
      assert.ok(answers, 'a failing check must throw')
    } catch (e) {
      assert.not.ok(answers, (e as Error).message)
    }
    assert.equal(events, ['open', 'GET http://127.0.0.1:52345', 'close'])
    assert.is(result.reopen, endpoint.reopen)
  }
})

test.run()
