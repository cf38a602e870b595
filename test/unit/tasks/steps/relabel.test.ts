/** tasks/steps/relabel.ts: argument validation, skip logic, the exact kubectl commands, delete-by-label. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError, type ParsedFlags } from '../../../../tasks/lib/cli.ts'
import type { V1Pod } from '../../../../tasks/lib/kube.ts'
import { checkSelector, deletePods, labelArgs, parseRelabelFlags, relabel, type RelabelOptions } from '../../../../tasks/steps/relabel.ts'
import { evalSkip, fakeDeps, fakeKube, fakeShell, runStep, testCtx } from '../../fakes.ts'

function pod(name: string, labels: Record<string, string>, ready = true): V1Pod {
  return {
    metadata: { name, labels },
    spec: { containers: [{ name: 'hellogopher' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: 'hellogopher', image: '', imageID: '', ready, restartCount: 0 }] },
  }
}
const POD = 'hellogopher-6d9f7c-x2x7l'

// ── argument validation ──────────────────────────────────────────────────────
type FlagCase = [string, ParsedFlags, RegExp | { mode: string; opts: unknown }]
const flagCases: FlagCase[] = [
  ['pod + set', { pod: POD, set: ['author=percy'] }, { mode: 'label', opts: { target: { pod: POD }, set: { author: 'percy' }, remove: [], overwrite: false } }],
  ['pod/ prefix accepted', { pod: `po/${POD}`, set: ['author=percy'] }, { mode: 'label', opts: { target: { pod: POD }, set: { author: 'percy' }, remove: [], overwrite: false } }],
  ['overwrite', { pod: POD, set: ['author=ironman'], overwrite: true }, { mode: 'label', opts: { target: { pod: POD }, set: { author: 'ironman' }, remove: [], overwrite: true } }],
  ['remove', { pod: POD, remove: ['author'] }, { mode: 'label', opts: { target: { pod: POD }, set: {}, remove: ['author'], overwrite: false } }],
  ['selector + set + remove', { selector: 'app=hellogopher', set: ['author=percy', 'example.com/team=gophers'], remove: ['old', 'old'] }, {
    mode: 'label',
    opts: { target: { selector: 'app=hellogopher' }, set: { author: 'percy', 'example.com/team': 'gophers' }, remove: ['old'], overwrite: false },
  }],
  ['empty value is a valid label value', { pod: POD, set: ['author='] }, { mode: 'label', opts: { target: { pod: POD }, set: { author: '' }, remove: [], overwrite: false } }],
  ['delete, default selector', { delete: true }, { mode: 'delete', opts: { selector: 'app=hellogopher', timeoutMs: 120_000 } }],
  ['delete, own selector and timeout', { delete: true, selector: 'app=hellogopher,author=percy', timeout: '30' }, { mode: 'delete', opts: { selector: 'app=hellogopher,author=percy', timeoutMs: 30_000 } }],
  ['no target', { set: ['author=percy'] }, /give the pods to label: --pod <name> or --selector <selector>/],
  ['both targets', { pod: POD, selector: 'app=hellogopher', set: ['a=b'] }, /--pod or --selector, not both/],
  ['nothing to change', { pod: POD }, /nothing to change/],
  ['set without =', { pod: POD, set: ['author'] }, /--set 'author' must be key=value/],
  ['set written as removal', { pod: POD, set: ['author-'] }, /to remove a label use --remove author/],
  ['bad key', { pod: POD, set: ['-author=x'] }, /'-author' is not a valid label key/],
  ['bad key prefix', { pod: POD, set: ['Example.com/a=x'] }, /not a valid label key/],
  ['key name too long', { pod: POD, set: [`${'a'.repeat(64)}=x`] }, /not a valid label key/],
  ['bad value (space)', { pod: POD, set: ['author=iron man'] }, /'iron man' is not a valid label value/],
  ['bad value (too long)', { pod: POD, set: [`author=${'a'.repeat(64)}`] }, /is not a valid label value/],
  ['bad value (ends with -)', { pod: POD, set: ['author=percy-'] }, /is not a valid label value/],
  ['same key, two values', { pod: POD, set: ['author=percy', 'author=ironman'] }, /given twice/],
  ['set and remove the same key', { pod: POD, set: ['author=percy'], remove: ['author'] }, /both set and removed/],
  ['bad remove key', { pod: POD, remove: ['a b'] }, /--remove 'a b' is not a valid label key/],
  ['bad pod name', { pod: 'Hello_Gopher', set: ['a=b'] }, /--pod 'Hello_Gopher' is not a pod name/],
  ['bad selector', { selector: 'app=!x', set: ['a=b'] }, /^--selector 'app=!x' is not a label selector/],
  ['delete with --pod', { delete: true, pod: POD }, /--delete deletes pods by label/],
  ['delete with --set', { delete: true, set: ['a=b'] }, /--delete does not take/],
  ['delete with --overwrite', { delete: true, overwrite: true }, /--delete does not take/],
  ['delete with a bad selector', { delete: true, selector: 'app in (a' }, /unbalanced/],
]
for (const [name, flags, want] of flagCases) {
  test(`parseRelabelFlags: ${name}`, () => {
    if (want instanceof RegExp) {
      assert.throws(() => parseRelabelFlags(flags), (e: Error) => e instanceof UsageError && want.test(e.message) && !e.message.includes('\n'))
    } else assert.equal(parseRelabelFlags(flags), want)
  })
}

const selectorCases: Array<[string, boolean]> = [
  ['app=hellogopher', true],
  ['app==hellogopher', true],
  ['app!=hellogopher', true],
  ['app = hellogopher', true],
  ['app', true],
  ['!author', true],
  ['app=hellogopher,author=percy', true],
  ['env in (dev, test)', true],
  ['env notin (prod)', true],
  ['app=hellogopher,env in (a,b),!old', true],
  ['app.kubernetes.io/name=hellogopher', true],
  ['app=', true],
  ['', false],
  ['app==', true],
  ['app=!x', false],
  ['==x', false],
  ['=x', false],
  ['app=hello gopher', false],
  ['app=hellogopher,', false],
  ['env in (a,b', false],
  ['env in a,b)', false],
  ['env in (a b)', false],
  ['Bad_Prefix.com/x=y', false],
]
for (const [sel, ok] of selectorCases) {
  test(`checkSelector(${JSON.stringify(sel)}) ${ok ? 'accepts' : 'rejects'}`, () => {
    if (ok) assert.is(checkSelector(sel), sel.trim())
    else assert.throws(() => checkSelector(sel), (e: Error) => e instanceof UsageError)
  })
}

// ── commands ─────────────────────────────────────────────────────────────────
const opts = (o: Partial<RelabelOptions>): RelabelOptions => ({ target: { pod: POD }, set: {}, remove: [], overwrite: false, ...o })
const argCases: Array<[string, RelabelOptions, string]> = [
  ['add', opts({ set: { author: 'percy' } }), `label pod/${POD} author=percy -n hellogopher`],
  ['overwrite', opts({ set: { author: 'ironman' }, overwrite: true }), `label pod/${POD} author=ironman -n hellogopher --overwrite`],
  ['remove', opts({ remove: ['author'] }), `label pod/${POD} author- -n hellogopher`],
  ['selector', opts({ target: { selector: 'app=hellogopher' }, set: { author: 'percy' }, remove: ['x'] }), 'label pods -l app=hellogopher author=percy x- -n hellogopher'],
]
for (const [name, o, want] of argCases) {
  test(`labelArgs: ${name}`, () => {
    assert.is(labelArgs(o, 'hellogopher').join(' '), want)
  })
}

// ── skip ─────────────────────────────────────────────────────────────────────
type SkipCase = [string, RelabelOptions, { pod?: V1Pod; pods?: V1Pod[] }, string | false]
const skipCases: SkipCase[] = [
  ['pod already has the label', opts({ set: { author: 'percy' } }), { pod: pod(POD, { app: 'hellogopher', author: 'percy' }) }, `pod/${POD} already has author=percy`],
  ['pod has another value (kubectl decides, with or without --overwrite)', opts({ set: { author: 'ironman' } }), { pod: pod(POD, { author: 'percy' }) }, false],
  ['pod lacks the label', opts({ set: { author: 'percy' } }), { pod: pod(POD, { app: 'hellogopher' }) }, false],
  ['label already removed', opts({ remove: ['author'] }), { pod: pod(POD, { app: 'hellogopher' }) }, `pod/${POD} already has no label author`],
  ['label still there to remove', opts({ remove: ['author'] }), { pod: pod(POD, { author: 'percy' }) }, false],
  ['pod absent: kubectl reports it', opts({ set: { author: 'percy' } }), { pod: undefined }, false],
  [
    'every selected pod has it',
    opts({ target: { selector: 'app=hellogopher' }, set: { author: 'percy' } }),
    { pods: [pod('a', { author: 'percy' }), pod('b', { author: 'percy' })] },
    'all 2 pods matching app=hellogopher already have author=percy',
  ],
  ['one selected pod', opts({ target: { selector: 'app=hellogopher' }, set: { author: 'percy' } }), { pods: [pod('a', { author: 'percy' })] }, 'pod/a already has author=percy'],
  ['one of them lacks it', opts({ target: { selector: 'app=hellogopher' }, set: { author: 'percy' } }), { pods: [pod('a', { author: 'percy' }), pod('b', {})] }, false],
  ['nothing selected: kubectl reports it', opts({ target: { selector: 'app=nope' }, set: { author: 'percy' } }), { pods: [] }, false],
]
for (const [name, o, state, want] of skipCases) {
  test(`skip: ${name}`, async () => {
    const reads: unknown[] = []
    const kube = fakeKube({
      read: async (ref: unknown) => (reads.push(ref), state.pod),
      listPods: async (ns: string, sel: string) => (reads.push([ns, sel]), state.pods ?? []),
    })
    assert.is(await evalSkip(relabel(fakeDeps({ kube }), o), testCtx()), want)
    if ('pod' in o.target) assert.equal(reads, [{ apiVersion: 'v1', kind: 'Pod', name: POD, namespace: 'hellogopher' }])
    else assert.equal(reads, [['hellogopher', o.target.selector]])
  })
}

// ── task ─────────────────────────────────────────────────────────────────────
test('task: runs the tutorial\'s kubectl label and reads nothing', async () => {
  const deps = fakeDeps()
  const t = await runStep(relabel(deps, opts({ set: { author: 'percy' } })), testCtx())
  assert.equal(deps.sh.commands(), [`kubectl label pod/${POD} author=percy -n hellogopher`])
  assert.equal(t.outputs, [`$ kubectl label pod/${POD} author=percy -n hellogopher`])
})

test('task: without --overwrite kubectl\'s own refusal is the error, in one line', async () => {
  const sh = fakeShell({
    reply: () => ({ exitCode: 1, stderr: "error: 'author' already has a value (percy), and --overwrite is false\n" }),
  })
  try {
    await runStep(relabel(fakeDeps({ sh }), opts({ set: { author: 'ironman' } })), testCtx())
    assert.unreachable()
  } catch (e) {
    const msg = (e as Error).message
    assert.is(msg, `\`kubectl label pod/${POD} author=ironman -n hellogopher\` failed (exit 1): error: 'author' already has a value (percy), and --overwrite is false`)
    assert.not.match(msg, '\n')
  }
})

// ── delete by label ──────────────────────────────────────────────────────────
test('delete skip: nothing matches', async () => {
  const kube = fakeKube({ listPods: async () => [] })
  assert.is(await evalSkip(deletePods(fakeDeps({ kube }), { selector: 'app=hellogopher' }), testCtx()), 'no pod matches app=hellogopher in hellogopher')
  const kube2 = fakeKube({ listPods: async () => [pod('a', {})] })
  assert.is(await evalSkip(deletePods(fakeDeps({ kube: kube2 }), { selector: 'app=hellogopher' }), testCtx()), false)
})

test('delete task: kubectl delete pods -l, then waits for a NEW Running+Ready pod and names it', async () => {
  let predicate: ((p: V1Pod) => boolean) | undefined
  const waited: unknown[] = []
  const kube = fakeKube({
    listPods: async () => [pod('hellogopher-aaa', { app: 'hellogopher' })],
    waitForPod: async (ns: string, sel: string, ready: (p: V1Pod) => boolean, o: { timeoutMs: number; what: string }) => {
      predicate = ready
      waited.push([ns, sel, o.timeoutMs])
      return pod('hellogopher-bbb', { app: 'hellogopher' })
    },
  })
  const deps = fakeDeps({ kube })
  const t = await runStep(deletePods(deps, { selector: 'app=hellogopher', timeoutMs: 60_000 }), testCtx())
  assert.equal(deps.sh.commands(), ['kubectl delete pods -l app=hellogopher -n hellogopher'])
  assert.equal(waited, [['hellogopher', 'app=hellogopher', 60_000]])
  // the old pod, even Ready, is not the answer; a new one must be Running and Ready
  assert.is(predicate!(pod('hellogopher-aaa', {}, true)), false)
  assert.is(predicate!(pod('hellogopher-bbb', {}, false)), false)
  assert.is(predicate!(pod('hellogopher-bbb', {}, true)), true)
  assert.is(t.title, 'Deleted hellogopher-aaa; new pod/hellogopher-bbb is Running and Ready')
  assert.ok(t.outputs.includes('deleting hellogopher-aaa'))
})

test('delete task: --dry-run echoes the command and reads nothing', async () => {
  const deps = fakeDeps({ sh: fakeShell({ dryRun: true }) })
  await runStep(deletePods(deps, { selector: 'app=hellogopher' }), testCtx({ dryRun: true }))
  assert.equal(deps.sh.commands(), ['kubectl delete pods -l app=hellogopher -n hellogopher'])
})

test.run()
