/**
 * tasks/lib/kube-errors.ts: a failed API call (client-node's ApiException, kube-rest's RestError, a network error)
 * as a KubeError naming what failed, with the server's reason and a hint; 404 told apart; which failures a wait rides out.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiException } from '@kubernetes/client-node'
import { describeError, isNotFound, isTransient } from '../../../../tasks/lib/kube-errors.ts'
import { RestError } from '../../../../tasks/lib/kube-rest.ts'
import { KubeError } from '../../../../tasks/lib/kube-state.ts'

const SERVER = 'https://10.250.0.1:6443'
const status = (message: string) => JSON.stringify({ kind: 'Status', message })
const sys = (code: string, message = `connect ${code} 10.250.0.1:6443`) => Object.assign(new Error(message), { code })

test('describeError: an HTTP answer → "<what>: HTTP <code> <server message>", a KubeError with that status (ApiException and RestError alike)', () => {
  const api = describeError(new ApiException(404, 'Not Found', status('pods "p" not found'), {}), 'read pod/p', SERVER)
  assert.instance(api, KubeError)
  assert.is(api.message, 'read pod/p: HTTP 404 pods "p" not found')
  assert.is(api.status, 404)
  const rest = describeError(new RestError(409, status('configmaps "c" already exists'), 'POST /x'), 'create configmap/c', SERVER)
  assert.is(rest.message, 'create configmap/c: HTTP 409 configmaps "c" already exists')
  assert.is(rest.status, 409)
})

test('describeError: a body given as an object is read the same; a body without a message gives the status alone', () => {
  assert.is(describeError(new ApiException(422, 'x', { kind: 'Status', message: 'spec.replicas: Invalid value: -1' }, {}), 'apply', SERVER).message, 'apply: HTTP 422 spec.replicas: Invalid value: -1')
  assert.is(describeError(new ApiException(500, 'x', '{}', {}), 'list pods', SERVER).message, 'list pods: HTTP 500')
})

test('describeError: a body that is not JSON is quoted raw, cut to 200 characters', () => {
  const e = describeError(new RestError(502, `<html>Bad Gateway</html>${'x'.repeat(300)}`, 'GET /x'), 'list pods', SERVER)
  assert.is(e.message, `list pods: HTTP 502 <html>Bad Gateway</html>${'x'.repeat(200 - '<html>Bad Gateway</html>'.length)}`)
})

test('describeError: 401 says to check the credentials, 403 to use a context with more rights (after " — ")', () => {
  const unauth = describeError(new ApiException(401, 'Unauthorized', status('Unauthorized'), {}), 'list nodes', SERVER)
  assert.is(unauth.message, 'list nodes: HTTP 401 Unauthorized — check the credentials in your kubeconfig')
  assert.is(unauth.problem, 'list nodes: HTTP 401 Unauthorized')
  const forbidden = describeError(new RestError(403, status('nodes is forbidden'), 'GET /api/v1/nodes'), 'list nodes', SERVER)
  assert.is(forbidden.message, 'list nodes: HTTP 403 nodes is forbidden — your user lacks permission for this; use a context with more rights')
})

test('describeError: an unreachable server (code, undici cause, or only the message) names the server and says to start the cluster', () => {
  const refused = describeError(sys('ECONNREFUSED'), "context 'learn-k8s-lab'", SERVER)
  assert.is(refused.problem, `context 'learn-k8s-lab': cannot reach ${SERVER} (ECONNREFUSED)`)
  assert.match(refused.message, / — is the cluster running\? start it \(npx tsx tasks\/start-cluster\.ts\) or pick another context$/)
  assert.is(refused.status, undefined)
  const wrapped = describeError(Object.assign(new Error('fetch failed'), { cause: { code: 'ENOTFOUND' } }), 'list pods', SERVER)
  assert.is(wrapped.problem, `list pods: cannot reach ${SERVER} (ENOTFOUND)`)
  const textOnly = describeError(new Error('connect EHOSTUNREACH 10.0.0.9:6443'), 'list pods', SERVER)
  assert.is(textOnly.problem, `list pods: cannot reach ${SERVER} (connect EHOSTUNREACH 10.0.0.9:6443)`)
})

test('describeError: any other failure → "<what>: <its message>", no status, no hint', () => {
  const e = describeError(new Error('unexpected token in JSON'), 'read pod/p', SERVER)
  assert.is(e.message, 'read pod/p: unexpected token in JSON')
  assert.is(e.problem, e.message)
  assert.is(e.status, undefined)
})

test('isNotFound: a 404 from either client; not another status, not an error without a body, not a plain object', () => {
  assert.ok(isNotFound(new ApiException(404, 'Not Found', '', {})))
  assert.ok(isNotFound(new RestError(404, status('not found'), 'GET /x')))
  assert.not.ok(isNotFound(new RestError(403, status('forbidden'), 'GET /x')))
  assert.not.ok(isNotFound(Object.assign(new Error('x'), { code: 404 })))
  assert.not.ok(isNotFound({ code: 404, body: '' }))
  assert.not.ok(isNotFound(undefined))
})

test('isTransient: a wait rides out the API server not answering, and stops at once on anything else', () => {
  assert.ok(isTransient(sys('ECONNREFUSED')), 'kube-apiserver restarting')
  assert.ok(isTransient(sys('ECONNRESET')))
  assert.ok(isTransient(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } })), 'undici wraps the cause')
  assert.ok(isTransient(new Error('socket hang up')))
  assert.ok(isTransient(new Error('other side closed')))
  assert.ok(isTransient(new ApiException(503, 'Service Unavailable', '', {})))
  assert.ok(isTransient(new ApiException(429, 'Too Many Requests', '', {})))
  assert.ok(isTransient(new RestError(502, 'Bad Gateway', 'GET /x')))
  assert.not.ok(isTransient(new ApiException(403, 'Forbidden', '', {})))
  assert.not.ok(isTransient(new ApiException(404, 'Not Found', '', {})))
  assert.not.ok(isTransient(new Error('unexpected token in JSON')))
  assert.not.ok(isTransient(sys('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere')), 'a name that does not resolve does not come back by waiting')
})

test.run()
