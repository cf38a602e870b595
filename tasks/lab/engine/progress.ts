/**
 * Progress of a long `go build -v` (the cold lab build takes minutes): `go build -v` prints each package's import
 * path as it compiles it, so counting those lines against `go list -deps` gives "compiled N/M packages". On a terminal
 * the count is shown live (at most once a second, in place); piped or in CI only one line per finished component
 * and a closing line are written.
 */

/** `1m05s`, `42s`. */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

/** An import path as `go build -v` prints it (one per line); not `go: downloading …`, warnings or errors. */
const PACKAGE = /^[A-Za-z0-9_][\w.\-~]*(?:\/[\w.\-~+]+)*$/

export interface BuildProgressOptions {
  /** What is built, e.g. `Kubernetes v1.34.4`. */
  label: string
  /** Packages `go list -deps` names (an upper bound: cached packages are not compiled, nor printed). */
  total?: number
  /** Main packages: when one is compiled, its component is done compiling (its binary is linked next). */
  components?: Record<string, string>
  /** Live updates (a terminal) or one line per finished component (piped, CI). */
  live: boolean
  now?: () => number
  /** Minimum time between two live updates. */
  everyMs?: number
}

export class BuildProgress {
  private compiled = 0
  private downloads = 0
  private lastShown = -Infinity
  private readonly start: number
  private readonly now: () => number

  constructor(
    private readonly o: BuildProgressOptions,
    /** Where lines that stay go (a task's output): finished components, the closing line. */
    private readonly out: (line: string) => void,
    /** Where the live count goes, replaced on each update (a task's title): used only when `live`. */
    private readonly show: (status: string) => void = out,
  ) {
    this.now = o.now ?? Date.now
    this.start = this.now()
  }

  /** What the count says now. */
  status(): string {
    const of = this.o.total ? `/${this.o.total}` : ''
    const dl = this.downloads ? `, ${this.downloads} modules downloaded` : ''
    return `${this.o.label}: compiled ${this.compiled}${of} packages${dl}, elapsed ${elapsed(this.now() - this.start)}`
  }

  /** One line of the build's output. */
  line(raw: string): void {
    const line = raw.trim()
    if (/^go: downloading /.test(line)) this.downloads++
    else if (PACKAGE.test(line)) {
      this.compiled++
      const component = this.o.components?.[line]
      if (component) this.out(`${component}: compiled (${this.status()})`)
    } else return
    if (this.o.live && this.now() - this.lastShown >= (this.o.everyMs ?? 1000)) {
      this.lastShown = this.now()
      this.show(this.status())
    }
  }

  /** The closing line, written live or not. */
  done(): void {
    this.out(`${this.status()} — done`)
  }
}

/** Whether progress may be shown live: a terminal, and not CI (the same rule as the renderer's). */
export const liveProgress = (): boolean => !!process.stdout.isTTY && !process.env.CI
