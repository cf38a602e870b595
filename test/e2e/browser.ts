/**
 * Headless Chromium for the diagram suite: a PNG screenshot of an SVG file as a browser draws it, the DOM a
 * browser parsed from it, and the boxes as laid out with real fonts (each object's box size and whether every
 * line of text fits inside its box). Debian's `chromium` (apt-get install chromium); CHROMIUM=path overrides.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sh, type Ran } from './helpers.ts'

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome']

/** The browser to run; fails saying how to install it (a missing browser is a failure, not a skip). */
export async function chromium(): Promise<string> {
  if (process.env.CHROMIUM) return process.env.CHROMIUM
  for (const c of CANDIDATES) {
    const r = await sh('sh', ['-c', `command -v ${c}`])
    if (r.code === 0 && r.stdout.trim()) return r.stdout.trim()
  }
  throw new Error('no Chromium found (tried chromium, chromium-browser, google-chrome): apt-get install -y --no-install-recommends chromium, or set CHROMIUM=/path/to/chrome')
}

/** Run headless Chromium with a profile of its own (removed after) and nothing that talks to the network. */
async function run(args: string[]): Promise<Ran> {
  const profile = mkdtempSync(join(tmpdir(), 'learn-k8s-chromium-'))
  try {
    return await sh(
      await chromium(),
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { timeoutMs: 60_000 },
    )
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}

export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/.exec(svg)
  if (!m) throw new Error('the SVG has no width/height')
  return { width: Number(m[1]), height: Number(m[2]) }
}

/** The size a PNG says it has (IHDR), and that it is a PNG at all. */
export function pngSize(file: string): { width: number; height: number; bytes: number } {
  const b = readFileSync(file)
  if (b.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error(`${file} is not a PNG`)
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), bytes: b.length }
}

/** `chromium --screenshot` of the SVG at its own size. */
export async function screenshot(svgFile: string, pngFile: string): Promise<Ran> {
  const { width, height } = svgSize(readFileSync(svgFile, 'utf8'))
  return run([`--screenshot=${pngFile}`, `--window-size=${width},${height}`, `file://${svgFile}`])
}

/** The DOM Chromium built from the SVG file itself (an XML parse error shows up here as a parsererror). */
export async function dumpDom(svgFile: string): Promise<string> {
  const r = await run(['--dump-dom', `file://${svgFile}`])
  if (r.code !== 0) throw new Error(`chromium --dump-dom exited ${r.code}: ${r.stderr.slice(-500)}`)
  return r.stdout
}

export interface Measured {
  kind: string
  name: string
  namespace?: string
  cls: string
  unhealthy?: string
  nodePort?: string
  width: number
  height: number
  texts: Array<{ text: string; cls: string; fits: boolean }>
}

/**
 * Every element with a data-kind as Chromium lays it out: the box's size and, for each line of text, whether
 * it stays inside the box with the fonts this machine has. The SVG has no script; this harness page around
 * it does (the page is ours, the picture is unchanged).
 */
export async function measure(svgFile: string): Promise<Measured[]> {
  const svg = readFileSync(svgFile, 'utf8').replace(/^<\?xml[^>]*>\s*/, '')
  const dir = mkdtempSync(join(tmpdir(), 'learn-k8s-harness-'))
  const page = join(dir, 'measure.html')
  try {
    writeFileSync(
      page,
      `<!doctype html><html><body style="margin:0">${svg}<pre id="result"></pre><script>
const out = []
for (const g of document.querySelectorAll('svg [data-kind]')) {
  const box = (g.querySelector(':scope > rect') || g).getBBox()
  const texts = [...g.querySelectorAll(':scope > text')].map((t) => {
    const b = t.getBBox()
    return { text: t.textContent, cls: t.getAttribute('class') || '', fits: b.width > 0 && b.x >= box.x - 0.5 && b.x + b.width <= box.x + box.width + 0.5 && b.y >= box.y - 0.5 && b.y + b.height <= box.y + box.height + 0.5 }
  })
  const np = g.querySelector('[data-nodeport]')
  out.push({ kind: g.dataset.kind, name: g.dataset.name, namespace: g.dataset.namespace, cls: g.getAttribute('class'), unhealthy: g.dataset.unhealthy, nodePort: np ? np.getAttribute('data-nodeport') : undefined, width: box.width, height: box.height, texts })
}
document.getElementById('result').textContent = JSON.stringify(out)
</script></body></html>`,
    )
    const r = await run(['--dump-dom', `file://${page}`])
    const m = /<pre id="result">([^<]*)<\/pre>/.exec(r.stdout)
    if (!m?.[1]) throw new Error(`the measuring page gave no result (exit ${r.code}): ${r.stderr.slice(-500)}`)
    return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Measured[]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
