/**
 * What `npm run test:conformance` runs and how it reports: the spec sets (focus regexes), the known limits of
 * this machine (skipped with their reason, never silently), the e2e.test arguments, and the summary of ginkgo's
 * JSON report (passed / failed / skipped, by area, with each failure's first error line).
 */

/** Upstream's Conformance set that runs on one node without disrupting it. */
export const LABEL_FILTER = 'Conformance && !Serial && !Disruptive && !Slow'

export type SetName = 'focused' | 'ci' | 'all'

/**
 * Focus regexes (ginkgo ORs repeated --ginkgo.focus flags), matched against a spec's full text
 * ("[sig-network] Services should …"). `all` has none: the label filter alone.
 */
export const SETS: Record<SetName, { describe: string; focus: readonly string[] }> = {
  // measured on the lab (2 cores): Services 16 specs 2m13s, DNS 8 specs 2m31s, sig-node ConfigMap/Secrets/Downward API
  // 16 specs 45s, Downward API volume 11 specs 46s; the storage ConfigMap and Secrets volume specs (20 specs, 3m37s:
  // most wait for the kubelet's volume resync) are left to the default set, so the slice stays well under 10 minutes
  ci: {
    describe: 'Services, DNS, ConfigMap/Secrets as env, Downward API (the CI slice: ≤ 10 minutes on 2 cores)',
    focus: [
      String.raw`\[sig-network\] (Services|DNS) `,
      String.raw`\[sig-node\] (ConfigMap|Secrets|Downward API) `,
      String.raw`\[sig-storage\] Downward API volume `,
    ],
  },
  focused: {
    describe: 'sig-network Services/DNS, sig-node, sig-storage ConfigMap/Secret/Downward API/Projected/EmptyDir/Subpath, sig-apps workloads, sig-api-machinery',
    focus: [
      String.raw`\[sig-network\] (Services|DNS) `,
      String.raw`\[sig-node\] `,
      String.raw`\[sig-storage\] (ConfigMap|Secrets|Downward API volume|Projected \w+|EmptyDir volumes|Subpath) `,
      String.raw`\[sig-apps\] (Deployment|ReplicaSet|Job|StatefulSet|ReplicationController) `,
      String.raw`\[sig-api-machinery\] `,
    ],
  },
  all: { describe: `the whole ${LABEL_FILTER} set`, focus: [] },
}

/** Specs this machine can never pass, whatever the cluster does: skipped by name, listed with the reason. */
export const KNOWN_LIMITS: ReadonlyArray<{ spec: string; reason: string }> = [
  {
    spec: 'serve endpoints on same port and different protocols',
    reason:
      "this machine's network accepts a TCP connection to any address and port, so the spec never sees TCP stop answering after the TCP port is removed",
  },
]

export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function skipRegex(): string {
  return KNOWN_LIMITS.map((k) => escapeRegex(k.spec)).join('|')
}

export interface RunPaths {
  kubeconfig: string
  kubectl: string
  reportDir: string
  jsonReport: string
}

/** e2e.test's arguments for a set. */
export function e2eArgs(set: SetName, p: RunPaths, extraFocus: readonly string[] = []): string[] {
  const focus = [...SETS[set].focus, ...extraFocus]
  return [
    `--kubeconfig=${p.kubeconfig}`,
    '--provider=skeleton',
    `--kubectl-path=${p.kubectl}`,
    `--report-dir=${p.reportDir}`,
    `--ginkgo.label-filter=${LABEL_FILTER}`,
    ...focus.map((f) => `--ginkgo.focus=${f}`),
    `--ginkgo.skip=${skipRegex()}`,
    `--ginkgo.json-report=${p.jsonReport}`,
    // the default (1 h) is too short for the whole set on 2 cores
    `--ginkgo.timeout=${set === 'all' ? '6h' : '1h'}`,
    '--ginkgo.no-color',
  ]
}

// ── ginkgo's JSON report (ginkgo v2 types.Report) ────────────────────────────
export interface SpecReport {
  ContainerHierarchyTexts?: string[] | null
  ContainerHierarchyLabels?: string[][] | null
  LeafNodeText?: string
  LeafNodeType?: string
  LeafNodeLabels?: string[] | null
  State?: string
  /** nanoseconds */
  RunTime?: number
  Failure?: { Message?: string; ForwardedPanic?: string } | null
}

export interface SuiteReport {
  SuiteSucceeded?: boolean
  RunTime?: number
  SpecReports?: SpecReport[] | null
  /** e.g. a BeforeSuite failure: no spec ran */
  SpecialSuiteFailureReasons?: string[] | null
}

export interface Outcome {
  name: string
  area: string
  state: 'passed' | 'failed' | 'skipped'
  seconds: number
  /** failure: first error line; skipped: the reason */
  detail: string
}

const FAILED_STATES = new Set(['failed', 'panicked', 'timedout', 'interrupted', 'aborted'])

export function fullText(s: SpecReport): string {
  return [...(s.ContainerHierarchyTexts ?? []), s.LeafNodeText ?? ''].filter(Boolean).join(' ')
}

export function labelsOf(s: SpecReport): string[] {
  return [...(s.ContainerHierarchyLabels ?? []).flat(), ...(s.LeafNodeLabels ?? [])]
}

/** LABEL_FILTER, as a predicate (for deciding which known-limit skips belong to the set that ran). */
export function inLabelSet(labels: readonly string[]): boolean {
  return labels.includes('Conformance') && !['Serial', 'Disruptive', 'Slow'].some((l) => labels.includes(l))
}

/** The first line of a failure that says something (gomega's messages often start with a blank line). */
export function firstErrorLine(message: string | undefined): string {
  const lines = (message ?? '').split('\n').map((l) => l.trim()).filter((l) => l.length > 0)
  if (!lines.length) return '(no message)'
  // gomega's "Expected\n    <value>\nto …" or "Unexpected error:\n    <err>": the line alone says nothing
  let line = lines[0]!
  for (let i = 1; i < lines.length && (line === 'Expected' || line.endsWith(':')) && line.length < 240; i++) line = `${line} ${lines[i]}`
  return line.length > 240 ? `${line.slice(0, 237)}...` : line
}

/**
 * Outcomes of the specs that belong to the run: every spec that ran, and every known-limit spec the set
 * selects (skipped here, with its reason). Specs the focus or label filter left out are not listed.
 */
export function outcomes(reports: SuiteReport[], focus: readonly string[]): Outcome[] {
  const focusRes = focus.map((f) => new RegExp(f))
  const inFocus = (name: string) => focusRes.length === 0 || focusRes.some((r) => r.test(name))
  const out: Outcome[] = []
  for (const suite of reports) {
    for (const s of suite.SpecReports ?? []) {
      if (s.LeafNodeType && s.LeafNodeType !== 'It') {
        // suite-level nodes (BeforeSuite, ReportAfterSuite…) count only when they fail: then no spec may have run
        if (FAILED_STATES.has(s.State ?? '')) {
          out.push({ name: [s.LeafNodeType, s.LeafNodeText].filter(Boolean).join(' '), area: '(suite)', state: 'failed', seconds: (s.RunTime ?? 0) / 1e9, detail: firstErrorLine(s.Failure?.Message || s.Failure?.ForwardedPanic) })
        }
        continue
      }
      const name = fullText(s)
      const area = s.ContainerHierarchyTexts?.[0] ?? '(top level)'
      const seconds = (s.RunTime ?? 0) / 1e9
      const state = s.State ?? ''
      if (state === 'passed') out.push({ name, area, state: 'passed', seconds, detail: '' })
      else if (FAILED_STATES.has(state)) out.push({ name, area, state: 'failed', seconds, detail: firstErrorLine(s.Failure?.Message || s.Failure?.ForwardedPanic) })
      else if (state === 'skipped') {
        const limit = KNOWN_LIMITS.find((k) => name.includes(k.spec))
        if (limit && inLabelSet(labelsOf(s)) && inFocus(name)) out.push({ name, area, state: 'skipped', seconds, detail: `known limit: ${limit.reason}` })
        // skipped while running (e2eskipper): it says why
        else if (s.Failure?.Message) out.push({ name, area, state: 'skipped', seconds, detail: firstErrorLine(s.Failure.Message) })
      }
    }
  }
  return out
}

export function duration(seconds: number): string {
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  return h ? `${h}h${String(m).padStart(2, '0')}m${String(r).padStart(2, '0')}s` : m ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`
}

/** The closing line every report script of the project ends with. */
export function totalsLine(o: readonly Outcome[]): string {
  const n = (st: Outcome['state']) => o.filter((x) => x.state === st).length
  const skipped = n('skipped')
  return `${n('passed')} passed, ${n('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`
}

/** The report: a table by area (passed/run, time), then failures and skips with their first line. */
export function formatReport(o: readonly Outcome[], wallSeconds: number): string {
  const areas = new Map<string, { passed: number; run: number; seconds: number }>()
  for (const x of o) {
    const a = areas.get(x.area) ?? { passed: 0, run: 0, seconds: 0 }
    if (x.state !== 'skipped') a.run++
    if (x.state === 'passed') a.passed++
    a.seconds += x.seconds
    areas.set(x.area, a)
  }
  const rows = [...areas.entries()].sort(([a], [b]) => a.localeCompare(b))
  const width = Math.max('area'.length, ...rows.map(([a]) => a.length)) + 2
  const lines = [`${'area'.padEnd(width)}${'passed/run'.padEnd(12)}time`]
  for (const [area, a] of rows) lines.push(`${area.padEnd(width)}${`${a.passed}/${a.run}`.padEnd(12)}${duration(a.seconds)}`)
  const failed = o.filter((x) => x.state === 'failed')
  const skipped = o.filter((x) => x.state === 'skipped')
  if (failed.length) lines.push('', 'Failed:', ...failed.map((x) => `  ✗ ${x.name}\n      ${x.detail}`))
  if (skipped.length) lines.push('', 'Skipped:', ...skipped.map((x) => `  - ${x.name}\n      ${x.detail}`))
  lines.push('', `took ${duration(wallSeconds)}`, totalsLine(o))
  return lines.join('\n')
}
