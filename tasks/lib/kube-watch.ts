/** Watches and waits on the cluster, each with a deadline that says what it saw last: Kube's waitFor* methods and the pod recorder. */
import * as https from 'node:https'
import * as http from 'node:http'
import type { CoreV1Event, KubernetesObject, V1Deployment, V1Pod } from '@kubernetes/client-node'
import { describeError, isTransient } from './kube-errors.ts'
import { KubeError, TimeoutError, podSummary, rolloutStatus } from './kube-state.ts'
import { loadClientNode, type Kube, type Ref } from './kube.ts'

export interface WaitOptions {
  timeoutMs: number
  onProgress?: (line: string) => void
}

/** How long a wait pauses before it opens its watch again after a transient failure. */
const REWATCH_MS = 1000

/** One pod as a watch saw it: when it first showed up and when it began to go away (ms since the epoch). */
export interface PodSighting {
  name: string
  images: string[]
  firstSeen: number
  goingAway?: number
}

export interface PodRecorder {
  /** Every pod seen so far, in the order they appeared. */
  sightings(): PodSighting[]
  /** Set when the watch broke: the sightings may be incomplete. */
  error(): string | undefined
  stop(): void
}

/** Open one watch of a collection; `done` is called once when it ends (an abort() of the handle ends it too). */
export async function openWatch<T>(
  kube: Kube,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  onEvent: (phase: string, obj: T) => void,
  done: (err: unknown) => void,
): Promise<AbortController> {
  const { Watch } = await loadClientNode()
  return new Watch((await kube.client()).kc).watch(path, query, onEvent, done)
}

/**
 * Watch a collection until `check` returns a value (done) or the deadline passes. `check` sees every
 * object event; `describe` says what was seen last when the deadline passes.
 */
export async function watchUntil<T, R>(
  kube: Kube,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  check: (obj: T, phase: string) => R | undefined,
  opts: WaitOptions & { what: string; describe?: (last: T | undefined) => string },
): Promise<R> {
  const { Watch } = await loadClientNode()
  const watch = new Watch((await kube.client()).kc)
  let last: T | undefined
  // the last transient failure while the server did not answer; cleared by the next event
  let outage: KubeError | undefined
  let controller: AbortController | undefined
  let timer: NodeJS.Timeout | undefined
  let retry: NodeJS.Timeout | undefined
  try {
    return await new Promise<R>((resolve, reject) => {
      let settled = false
      const finish = (fn: () => void) => {
        if (settled) return
        settled = true
        fn()
      }
      timer = setTimeout(() => {
        const seen = opts.describe ? opts.describe(last) : last ? 'last state did not match' : 'nothing seen'
        const down = outage ? `; the API server was not answering: ${outage.message}` : ''
        // what it saw last, and the outage when there was one: both are what the wait "last saw"
        finish(() => reject(new TimeoutError(Math.round(opts.timeoutMs / 1000), opts.what, `${seen}${down}`)))
      }, opts.timeoutMs)
      // a transient failure (the API server restarting) is ridden out until the deadline, and said as progress
      const failed = (e: unknown) => {
        if (settled) return
        if (!isTransient(e)) return finish(() => reject(describeError(e, `watch ${opts.what}`, kube.server)))
        if (!outage) opts.onProgress?.(`the API server is not answering (${(e as Error).message}); watching again every ${REWATCH_MS / 1000}s until the deadline`)
        outage = describeError(e, `watch ${opts.what}`, kube.server)
        retry = setTimeout(start, REWATCH_MS)
      }
      const start = () =>
        watch
          .watch(
            path,
            { ...query, allowWatchBookmarks: false },
            (phase, obj: T) => {
              if (settled) return
              last = obj
              outage = undefined
              try {
                const r = check(obj, phase)
                if (r !== undefined) finish(() => resolve(r))
              } catch (e) {
                finish(() => reject(e))
              }
            },
            (err) => {
              if (settled) return
              // the server closes watches periodically: re-open; an abort is ours
              if (!err || (err instanceof Error && err.name === 'AbortError')) start()
              else failed(err)
            },
          )
          .then((c) => {
            controller = c
            if (settled) c.abort()
          })
          .catch(failed)
      start()
    })
  } finally {
    if (timer) clearTimeout(timer)
    if (retry) clearTimeout(retry)
    controller?.abort()
  }
}

/** Wait until deployment/name has rolled out its current spec (like `kubectl rollout status`). */
export function waitForRollout(kube: Kube, namespace: string, name: string, opts: WaitOptions): Promise<V1Deployment> {
  return kube.watchUntil<V1Deployment, V1Deployment>(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    { fieldSelector: `metadata.name=${name}` },
    (d) => {
      const s = rolloutStatus(d)
      opts.onProgress?.(s.message)
      return s.done ? d : undefined
    },
    { ...opts, what: `deployment/${name} to roll out`, describe: (d) => (d ? rolloutStatus(d).message : 'deployment not seen') },
  )
}

/** Wait until some pod matching the selector satisfies `ready` (e.g. Running and Ready). */
export function waitForPod(kube: Kube, namespace: string, labelSelector: string, ready: (p: V1Pod) => boolean, opts: WaitOptions & { what: string }): Promise<V1Pod> {
  return kube.watchUntil<V1Pod, V1Pod>(
    `/api/v1/namespaces/${namespace}/pods`,
    { labelSelector },
    (p, phase) => {
      if (phase === 'DELETED') return undefined
      opts.onProgress?.(podSummary(p))
      return ready(p) ? p : undefined
    },
    { ...opts, describe: (p) => (p ? podSummary(p) : `no pod matching ${labelSelector}`) },
  )
}

/** Wait until the object is gone (after a delete). */
export async function waitForDeletion(kube: Kube, ref: Ref, opts: WaitOptions): Promise<void> {
  const fieldSelector = `metadata.name=${ref.name}`
  // a list gives the version to watch from: a deletion between the look and the watch is still seen
  const list = await kube.must(`list ${ref.kind.toLowerCase()}/${ref.name}`, () =>
    kube.client().then((k) => k.objects.list(ref.apiVersion, ref.kind, ref.namespace, undefined, undefined, undefined, fieldSelector)),
  )
  if (!list.items.length) return
  const plural = `${ref.kind.toLowerCase()}s`
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`
  const path = `${base}${ref.namespace ? `/namespaces/${ref.namespace}` : ''}/${plural}`
  await kube.watchUntil<KubernetesObject, true>(
    path,
    { fieldSelector, resourceVersion: list.metadata?.resourceVersion },
    (_o, phase) => (phase === 'DELETED' ? true : undefined),
    { ...opts, what: `${ref.kind.toLowerCase()}/${ref.name} to be deleted` },
  )
}

/** Wait until an Event about the object matches (e.g. Unhealthy "Readiness probe failed"), like `kubectl describe` shows. */
export function waitForEvent(kube: Kube, namespace: string, kind: string, name: string, match: (e: CoreV1Event) => boolean, opts: WaitOptions & { what: string }): Promise<CoreV1Event> {
  return kube.watchUntil<CoreV1Event, CoreV1Event>(
    `/api/v1/namespaces/${namespace}/events`,
    { fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` },
    (e, phase) => (phase !== 'DELETED' && match(e) ? e : undefined),
    { ...opts, describe: (e) => (e ? `last event ${e.reason ?? ''}: ${(e.message ?? '').trim()}` : `no event about ${kind.toLowerCase()}/${name}`) },
  )
}

/**
 * Follow a container's log (`kubectl logs -f`) until a line matches; returns that line. Fails at the deadline,
 * or when the log ends first (the container stopped), saying which line came last.
 */
export async function waitForLog(kube: Kube, namespace: string, pod: string, container: string, pattern: RegExp, opts: WaitOptions & { what: string }): Promise<string> {
  const { server, options } = await kube.requestTarget()
  const url = new URL(`/api/v1/namespaces/${namespace}/pods/${pod}/log`, server)
  url.searchParams.set('container', container)
  url.searchParams.set('follow', 'true')
  const reqOpts: https.RequestOptions = { ...options, method: 'GET' }
  const mod = url.protocol === 'http:' ? http : https
  let last = 'no log line yet'
  let req: http.ClientRequest | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    return await new Promise<string>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(Math.round(opts.timeoutMs / 1000), opts.what, last, 'last log line')),
        opts.timeoutMs,
      )
      req = mod.request(url, reqOpts, (res) => {
        let body = ''
        let partial = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          if (res.statusCode !== 200) {
            body += d
            return
          }
          const lines = (partial + d).split('\n')
          partial = lines.pop() ?? ''
          for (const line of lines) {
            if (!line.trim()) continue
            last = line
            opts.onProgress?.(line)
            if (pattern.test(line)) resolve(line)
          }
        })
        // destroying the request once a line matched aborts the response too: nothing to report then
        res.on('error', (e) => reject(describeError(e, `follow the log of pod/${pod}`, server)))
        res.on('end', () => {
          if (res.statusCode !== 200) {
            let reason = body.trim()
            try {
              reason = (JSON.parse(body) as { message?: string }).message ?? reason
            } catch {
              // not JSON: keep the raw text
            }
            reject(new KubeError(`read the log of pod/${pod} in ${namespace}: HTTP ${res.statusCode} ${reason}`, res.statusCode))
          } else if (partial && pattern.test(partial)) resolve(partial)
          else reject(new KubeError(`the log of pod/${pod} ended (its container stopped) before ${opts.what}; last log line: ${partial || last}`))
        })
      })
      req.on('error', (e) => reject(describeError(e, `follow the log of pod/${pod}`, server)))
      req.end()
    })
  } finally {
    if (timer) clearTimeout(timer)
    req?.destroy()
  }
}

/**
 * Watch pods (what `kubectl get pods -w` shows) and note when each was first seen and when it began to go
 * (deletionTimestamp set, or deleted), until stop(). For showing the order of a rolling update.
 */
export async function recordPods(kube: Kube, namespace: string, labelSelector: string): Promise<PodRecorder> {
  const seen = new Map<string, PodSighting>()
  const { Watch } = await loadClientNode()
  const watch = new Watch((await kube.client()).kc)
  let stopped = false
  let error: string | undefined
  let controller: AbortController | undefined
  const onEvent = (phase: string, p: V1Pod) => {
    const name = p.metadata?.name ?? '?'
    const now = Date.now()
    let s = seen.get(name)
    if (!s) seen.set(name, (s = { name, images: (p.spec?.containers ?? []).map((c) => c.image ?? ''), firstSeen: now }))
    if (s.goingAway === undefined && (phase === 'DELETED' || p.metadata?.deletionTimestamp)) s.goingAway = now
  }
  const start = (): Promise<void> =>
    watch
      .watch(`/api/v1/namespaces/${namespace}/pods`, { labelSelector, allowWatchBookmarks: false }, onEvent, (err) => {
        if (stopped) return
        // the server closes watches now and then: re-open (pods already seen keep their first sighting)
        if (err && !(err instanceof Error && err.name === 'AbortError')) error = describeError(err, `watch pods in ${namespace}`, kube.server).message
        else void start().catch((e) => (error = describeError(e, `watch pods in ${namespace}`, kube.server).message))
      })
      .then((c) => {
        controller = c
        if (stopped) c.abort()
      })
  await start().catch((e) => {
    throw describeError(e, `watch pods in ${namespace}`, kube.server)
  })
  return {
    sightings: () => [...seen.values()].sort((a, b) => a.firstSeen - b.firstSeen),
    error: () => error,
    stop: () => {
      stopped = true
      controller?.abort()
    },
  }
}
