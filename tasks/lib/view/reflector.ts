/**
 * Keep a local copy of one collection current by watch (what client-go calls a reflector): list once, then
 * watch from the list's resourceVersion. A watch the server closes is re-opened from the last version seen;
 * an expired version (410 Gone) means list again; a failure (connection lost, HTTP error) is retried with
 * backoff (1 s, 2 s, 4 s … 30 s), reported through onStatus, never thrown. List and watch are injected.
 */

export interface Meta {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string }
}

export interface ListResult<T> {
  items: T[]
  resourceVersion?: string
}

export interface WatchHandle {
  abort(): void
}

export interface ReflectorDeps<T> {
  list(): Promise<ListResult<T>>
  /** Open a watch from `resourceVersion`; `done` is called once when it ends (err undefined/null: closed cleanly). */
  watch(resourceVersion: string | undefined, onEvent: (type: string, obj: T) => void, done: (err: unknown) => void): Promise<WatchHandle>
  /** Wait before a retry; resolves early when the signal aborts. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>
}

export type ReflectorStatus = { state: 'synced' } | { state: 'lost'; message: string; retryInMs: number }

export const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000]
/** A watch that closes cleanly this soon after opening, with nothing seen, is treated as a failure (no hot loop). */
const MIN_WATCH_MS = 1000

const keyOf = (o: Meta) => o.metadata?.uid ?? `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`

export function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}

class Gone extends Error {}

export class Reflector<T extends Meta> {
  private readonly store = new Map<string, T>()
  private readonly stopper = new AbortController()
  private handle?: WatchHandle
  private running?: Promise<void>

  constructor(
    readonly name: string,
    private readonly deps: ReflectorDeps<T>,
    private readonly onChange: () => void,
    private readonly onStatus: (s: ReflectorStatus) => void = () => {},
  ) {}

  private synced = false

  items(): T[] {
    return [...this.store.values()]
  }

  /** Has the first list arrived? */
  hasSynced(): boolean {
    return this.synced
  }

  start(): void {
    this.running ??= this.loop()
  }

  /** Stop watching; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopper.abort()
    this.handle?.abort()
    await this.running
  }

  private get stopped() {
    return this.stopper.signal.aborted
  }

  private async loop(): Promise<void> {
    const sleep = this.deps.sleep ?? realSleep
    let failures = 0
    while (!this.stopped) {
      try {
        const list = await this.deps.list()
        if (this.stopped) return
        this.store.clear()
        for (const o of list.items) this.store.set(keyOf(o), o)
        this.synced = true
        this.onStatus({ state: 'synced' })
        this.onChange()
        let rv = list.resourceVersion
        for (;;) {
          const r = await this.watchOnce(rv)
          if (this.stopped) return
          failures = 0
          rv = r.rv
          if (r.quick) await sleep(MIN_WATCH_MS, this.stopper.signal)
        }
      } catch (e) {
        if (this.stopped) return
        if (e instanceof Gone) continue // the version expired: list again at once
        const wait = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!
        failures++
        this.onStatus({ state: 'lost', message: describe(e), retryInMs: wait })
        await sleep(wait, this.stopper.signal)
      }
    }
  }

  /** One watch, until it ends: the version to go on from, or a throw (failure, or Gone). */
  private watchOnce(rv: string | undefined): Promise<{ rv: string | undefined; quick: boolean }> {
    const opened = Date.now()
    let seen = 0
    return new Promise((resolve, reject) => {
      let settled = false
      const finish = (fn: () => void) => {
        if (!settled) {
          settled = true
          fn()
        }
      }
      this.deps
        .watch(
          rv,
          (type, obj) => {
            if (settled) return
            if (type === 'ERROR') {
              const st = obj as unknown as { code?: number; message?: string }
              this.handle?.abort()
              finish(() => reject(st.code === 410 ? new Gone(st.message) : new Error(`watch error ${st.code ?? ''} ${st.message ?? ''}`.trim())))
              return
            }
            seen++
            const v = obj.metadata?.resourceVersion
            if (v) rv = v
            if (type === 'BOOKMARK') return
            if (type === 'DELETED') this.store.delete(keyOf(obj))
            else this.store.set(keyOf(obj), obj)
            this.onChange()
          },
          (err) => {
            if (err && !(err instanceof Error && err.name === 'AbortError')) finish(() => reject(err))
            else finish(() => resolve({ rv, quick: !seen && Date.now() - opened < MIN_WATCH_MS }))
          },
        )
        .then((h) => {
          this.handle = h
          if (this.stopped) h.abort()
        })
        .catch((e) => finish(() => reject(e)))
    })
  }
}

function describe(e: unknown): string {
  const err = e as Error & { code?: string | number; statusCode?: number; cause?: { code?: string } }
  const code = err?.statusCode ?? err?.code ?? err?.cause?.code
  const msg = err?.message ?? String(e)
  return code && !msg.includes(String(code)) ? `${code} ${msg}` : msg
}
