/**
 * tasks/lib/view/reflector.ts: a local copy of one collection kept current by watch, with scripted list and watch —
 * list, then watch from its version; re-watch from the last version on a clean close; list again at once on 410 Gone;
 * back off (1 s, 2 s … 30 s) on a failure, reported, never thrown; stop() ends it. And realSleep, the abortable wait.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BACKOFF_MS, realSleep, Reflector, type Meta, type ReflectorStatus } from '../../../../../tasks/lib/view/reflector.ts'

interface Obj extends Meta {
  v?: number
}
const obj = (name: string, rv: string, v = 0): Obj => ({ metadata: { name, namespace: 'ns', uid: name, resourceVersion: rv }, v })

interface Script {
  lists: Array<{ items: Obj[]; resourceVersion: string } | Error>
  /** Per watch: events to deliver, then how it ends. */
  watches: Array<{ events: Array<[string, Obj | { code: number; message: string }]>; end: 'close' | Error | 'hang' }>
}

function scripted(s: Script) {
  const watchedFrom: Array<string | undefined> = []
  const sleeps: number[] = []
  const statuses: ReflectorStatus[] = []
  let changes = 0
  let listed = 0
  let idle: () => void = () => {}
  const finished = new Promise<void>((r) => (idle = r))
  const r = new Reflector<Obj>(
    'things in ns',
    {
      async list() {
        const next = s.lists[listed++]
        if (!next) {
          idle()
          return new Promise(() => {}) // no more script: hang here
        }
        if (next instanceof Error) throw next
        return next
      },
      async watch(rv, onEvent, done) {
        watchedFrom.push(rv)
        const w = s.watches.shift()
        let aborted = false
        if (!w) {
          idle()
          return { abort: () => done(Object.assign(new Error('aborted'), { name: 'AbortError' })) }
        }
        queueMicrotask(() => {
          for (const [type, o] of w.events) onEvent(type, o as Obj)
          if (w.end === 'hang') return
          if (!aborted) done(w.end === 'close' ? null : w.end)
        })
        return { abort: () => ((aborted = true), done(Object.assign(new Error('aborted'), { name: 'AbortError' }))) }
      },
      async sleep(ms) {
        sleeps.push(ms)
      },
    },
    () => changes++,
    (st) => statuses.push(st),
  )
  return { r, watchedFrom, sleeps, statuses, finished, changes: () => changes, listed: () => listed }
}

test('reflector: list, then watch from its version; events update the copy; a clean close re-watches from the last version', async () => {
  const s = scripted({
    lists: [{ items: [obj('a', '5'), obj('b', '6')], resourceVersion: '10' }],
    watches: [
      { events: [['ADDED', obj('c', '11')], ['MODIFIED', obj('a', '12', 1)], ['DELETED', obj('b', '13')]], end: 'close' },
      { events: [['BOOKMARK', obj('', '20')]], end: 'close' },
    ],
  })
  s.r.start()
  await s.finished
  assert.equal(s.watchedFrom, ['10', '13', '20'])
  assert.equal(s.r.items().map((o) => [o.metadata!.name, o.v]).sort(), [['a', 1], ['c', 0]])
  assert.ok(s.r.hasSynced())
  assert.is(s.listed(), 1, 'a clean close must not list again')
  assert.equal(s.statuses, [{ state: 'synced' }])
  assert.is(s.changes(), 4) // the list, then three object events (not the bookmark)
  await s.r.stop()
})

test('reflector: a lost watch is reported and retried with growing backoff, then listed again; 410 Gone lists again at once', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 10.250.0.1:6443'), { code: 'ECONNREFUSED' })
  const s = scripted({
    lists: [{ items: [obj('a', '5')], resourceVersion: '10' }, refused, { items: [obj('z', '30')], resourceVersion: '30' }, { items: [obj('y', '40')], resourceVersion: '40' }],
    watches: [
      { events: [], end: new Error('socket hang up') },
      { events: [['ERROR', { code: 410, message: 'too old resource version: 30 (35)' }]], end: 'hang' },
    ],
  })
  s.r.start()
  await s.finished
  assert.equal(s.sleeps, [1000, 2000], 'backoff 1 s after the broken watch, 2 s after the refused list')
  assert.equal(s.statuses, [
    { state: 'synced' },
    { state: 'lost', message: 'socket hang up', retryInMs: 1000 },
    { state: 'lost', message: 'connect ECONNREFUSED 10.250.0.1:6443', retryInMs: 2000 },
    { state: 'synced' },
    { state: 'synced' },
  ])
  assert.is(s.listed(), 4, 'listed: first, refused, after the backoff, after the 410')
  // after the last list the copy is exactly what it returned: nothing stale from before
  assert.equal(s.r.items().map((o) => o.metadata!.name), ['y'])
  await s.r.stop()
})

test('reflector: stop() ends a watch that is open', async () => {
  const s = scripted({ lists: [{ items: [], resourceVersion: '1' }], watches: [{ events: [], end: 'hang' }] })
  s.r.start()
  await new Promise((r) => setTimeout(r, 10))
  await s.r.stop()
  assert.equal(s.watchedFrom, ['1'])
  assert.is(s.listed(), 1)
})

test('reflector: failures back off 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s each', async () => {
  const down = () => Object.assign(new Error('connect ECONNREFUSED 10.250.0.1:6443'), { code: 'ECONNREFUSED' })
  const s = scripted({ lists: [...Array.from({ length: 7 }, down), { items: [], resourceVersion: '1' }], watches: [] })
  s.r.start()
  await s.finished
  assert.equal(s.sleeps, [1000, 2000, 4000, 8000, 16000, 30000, 30000])
  assert.equal(BACKOFF_MS.at(-1), 30000)
  assert.equal(s.statuses.map((st) => (st.state === 'lost' ? st.retryInMs : st.state)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 'synced'])
  assert.is(s.listed(), 8)
  await s.r.stop()
})

test('reflector: the backoff starts over after a watch that ended well', async () => {
  const s = scripted({
    lists: [new Error('socket hang up'), { items: [], resourceVersion: '1' }, { items: [], resourceVersion: '5' }],
    watches: [
      { events: [['ADDED', obj('a', '2')]], end: 'close' },
      { events: [], end: new Error('other side closed') },
    ],
  })
  s.r.start()
  await s.finished
  assert.equal(s.sleeps, [1000, 1000])
  assert.equal(s.watchedFrom, ['1', '2', '5'])
  await s.r.stop()
})

test('reflector: an ERROR event other than 410 is a lost watch (code and message), retried after the backoff by listing again', async () => {
  const s = scripted({
    lists: [{ items: [obj('a', '5')], resourceVersion: '10' }, { items: [obj('b', '20')], resourceVersion: '20' }],
    watches: [{ events: [['ERROR', { code: 500, message: 'internal error' }], ['ADDED', obj('late', '11')]], end: 'hang' }],
  })
  s.r.start()
  await s.finished
  assert.equal(s.statuses, [{ state: 'synced' }, { state: 'lost', message: 'watch error 500 internal error', retryInMs: 1000 }, { state: 'synced' }])
  assert.equal(s.sleeps, [1000])
  assert.equal(s.r.items().map((o) => o.metadata!.name), ['b'], 'an event after the ERROR was applied')
  await s.r.stop()
})

test('reflector: a watch that closes at once with nothing seen waits before it re-opens (no hot loop)', async () => {
  const s = scripted({ lists: [{ items: [], resourceVersion: '10' }], watches: [{ events: [], end: 'close' }] })
  s.r.start()
  await s.finished
  assert.equal(s.sleeps, [1000])
  assert.equal(s.watchedFrom, ['10', '10'])
  assert.equal(s.statuses, [{ state: 'synced' }])
  await s.r.stop()
})

test('reflector: a failure with an HTTP status not in its message is reported as "<status> <message>"', async () => {
  const s = scripted({ lists: [Object.assign(new Error('Forbidden'), { statusCode: 403 }), { items: [], resourceVersion: '1' }], watches: [] })
  s.r.start()
  await s.finished
  assert.equal(s.statuses, [{ state: 'lost', message: '403 Forbidden', retryInMs: 1000 }, { state: 'synced' }])
  await s.r.stop()
})

test('reflector: objects without a uid are kept apart by namespace and name', async () => {
  const noUid = (ns: string, name: string, rv: string, v = 0): Obj => ({ metadata: { name, namespace: ns, resourceVersion: rv }, v })
  const s = scripted({
    lists: [{ items: [noUid('a', 'x', '1'), noUid('b', 'x', '2')], resourceVersion: '2' }],
    watches: [{ events: [['MODIFIED', noUid('a', 'x', '3', 7)]], end: 'hang' }],
  })
  s.r.start()
  for (let i = 0; i < 100 && s.changes() < 2; i++) await new Promise((r) => setImmediate(r))
  assert.is(s.changes(), 2, 'the list and the MODIFIED event')
  assert.equal(s.r.items().map((o) => [o.metadata!.namespace, o.v]).sort(), [['a', 7], ['b', 0]])
  await s.r.stop()
})

test('realSleep: resolves at once when the signal is already aborted, and as soon as it aborts', async () => {
  const gone = new AbortController()
  gone.abort()
  await realSleep(60_000, gone.signal)
  const c = new AbortController()
  const slept = realSleep(60_000, c.signal)
  c.abort()
  await slept
})

test.run()
