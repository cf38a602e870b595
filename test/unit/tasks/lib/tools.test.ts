/** tasks/lib/tools.ts: the tool table (how each is asked for its version, who needs it), the version parse of real outputs, and the install hints. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseToolVersion, toolHint, TOOLS, type ToolSpec } from '../../../../tasks/lib/tools.ts'

const spec = (name: string): ToolSpec => {
  const s = TOOLS.find((t) => t.name === name)
  if (!s) throw new Error(`no tool ${name} in TOOLS`)
  return s
}

test('TOOLS: kubectl, docker, go, minikube and kind, each once, each with version arguments and a hint', () => {
  assert.equal(TOOLS.map((t) => t.name), ['kubectl', 'docker', 'go', 'minikube', 'kind'])
  for (const t of TOOLS) {
    assert.ok(t.versionArgs.length > 0, t.name)
    assert.ok(t.hint.length > 0, t.name)
    assert.ok(t.neededBy.length > 0, t.name)
  }
})

test('TOOLS: every run needs docker and go; kubectl is needed by all providers but the lab (which builds its own)', () => {
  assert.equal(TOOLS.filter((t) => t.neededBy.includes('all')).map((t) => t.name), ['docker', 'go'])
  assert.equal([...spec('kubectl').neededBy].sort(), ['kind', 'minikube', 'remote'])
  assert.equal(spec('minikube').neededBy, ['minikube'])
  assert.equal(spec('kind').neededBy, ['kind'])
})

const versionCases: Array<[string, string, string]> = [
  ['kubectl', 'Client Version: v1.34.4\nKustomize Version: v5.7.1\n', '1.34.4'],
  ['docker', '28.2.2\n', '28.2.2'],
  ['docker', '  27.5.1+dfsg\n', '27.5.1+dfsg'],
  ['go', 'go version go1.26.8 linux/amd64\n', '1.26.8'],
  ['go', 'go version go1.23rc1 darwin/arm64', '1.23rc1'],
  ['minikube', 'v1.37.0\n', '1.37.0'],
  ['minikube', 'minikube version: v1.37.0\ncommit: 65318f4cfff9c12cc87ec9eb8f4cdd57b25047f3\n', '1.37.0'],
  ['kind', 'kind v0.30.0 go1.24.6 linux/amd64\n', '0.30.0'],
]
for (const [name, output, want] of versionCases) {
  test(`parseToolVersion(${name}, ${JSON.stringify(output.split('\n')[0])}) = ${want}`, () => {
    assert.is(parseToolVersion(spec(name), output), want)
  })
}

test('parseToolVersion: output that does not carry the version → undefined', () => {
  assert.is(parseToolVersion(spec('kubectl'), 'error: unknown flag: --client'), undefined)
  assert.is(parseToolVersion(spec('go'), 'bash: go: command not found'), undefined)
  assert.is(parseToolVersion(spec('kind'), ''), undefined)
  assert.is(parseToolVersion(spec('minikube'), 'minikube version: unknown'), undefined)
})

test("toolHint: a listed tool's own hint; the lab's extra tools have theirs; anything else: install it and put it on PATH", () => {
  assert.is(toolHint('kubectl'), spec('kubectl').hint)
  assert.match(toolHint('minikube'), /--provider kind\|lab/)
  assert.is(toolHint('gcc'), 'apt-get install gcc libc6-dev')
  assert.match(toolHint('ctr'), /apt-get install containerd/)
  assert.match(toolHint('actionlint'), /^go install github\.com\/rhysd\/actionlint\/cmd\/actionlint@v/)
  assert.is(toolHint('jq'), 'install jq and make sure it is on PATH')
})

test.run()
