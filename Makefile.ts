/**
 * The project's entry points in one place: `npx tsx Makefile.ts` lists them, `npx tsx Makefile.ts <target> [args]`
 * runs one (extra args go to its command), with the terminal handed straight to it.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'
import { isMain } from './tasks/lib/cli.ts'

const ROOT = dirname(fileURLToPath(import.meta.url))

type Command = string[]

export interface Target {
  description: string
  /** Commands run one after the other (stop at the first failure); extra args go to the last one. */
  commands?: Command[]
  /** In-process work, for the few targets that are not a command. */
  run?: () => Promise<number>
}

const tsx = (file: string, ...args: string[]): Command => ['npx', 'tsx', file, ...args]

export const TARGETS: Record<string, Target> = {
  up: { description: 'the whole tutorial to its final state (add --dry-run to see the plan)', commands: [tsx('tasks/up.ts')] },
  teardown: { description: 'remove everything up made and restore the kubectl context namespace', commands: [tsx('tasks/teardown.ts')] },
  doctor: { description: 'which tools are installed and which cluster providers can run here (lesson 0)', commands: [tsx('tasks/doctor.ts')] },
  'lab-up': { description: 'start the lab cluster (Kubernetes built from Go modules; Linux, root)', commands: [tsx('tasks/lab/up.ts')] },
  'lab-down': { description: 'stop the lab cluster (its build cache is kept)', commands: [tsx('tasks/lab/down.ts')] },
  'lab-status': { description: "show whether the lab cluster's components run and answer", commands: [tsx('tasks/lab/status.ts')] },
  test: { description: 'unit tests, then end-to-end tests on a real cluster', commands: [['npm', 'test', '--']] },
  'test-unit': { description: 'unit tests (no cluster needed)', commands: [['npm', 'run', 'test:unit', '--']] },
  'test-e2e': { description: 'end-to-end tests on a real cluster', commands: [['npm', 'run', 'test:e2e', '--']] },
  typecheck: { description: 'strict TypeScript check (tsc --noEmit)', commands: [['npx', 'tsc', '--noEmit']] },
  lint: {
    description: 'typecheck with unused-code checks, go vet on the Go modules, actionlint on the workflows',
    commands: [
      ['npx', 'tsc', '--noEmit', '--noUnusedLocals', '--noUnusedParameters'],
      ['go', '-C', 'hellogopher', 'vet', './...'],
      ['go', '-C', 'tasks/lab/runc-nocap', 'vet', './...'],
      tsx('tasks/lint-workflows.ts'),
    ],
  },
  bench: { description: 'time up.ts on a warm cluster (bench/)', commands: [tsx('bench/run.ts')] },
  clean: {
    description: 'remove build output (hellogopher/.build); keeps .cache/state.json, which teardown needs',
    run: async () => {
      const dir = join(ROOT, 'hellogopher', '.build')
      process.stdout.write(`$ rm -rf hellogopher/.build\n`)
      await rm(dir, { recursive: true, force: true })
      return 0
    },
  },
}

export function listing(targets: Record<string, Target> = TARGETS): string {
  const w = Math.max(...Object.keys(targets).map((k) => k.length)) + 2
  return [
    'Usage: npx tsx Makefile.ts <target> [args for its command]',
    '',
    'Targets:',
    ...Object.entries(targets).map(([name, t]) => `  ${name.padEnd(w)}${t.description}`),
  ].join('\n')
}

/** A target's commands with the extra args appended to the last one. */
export function plan(target: Target, extra: string[]): Command[] {
  const cmds = (target.commands ?? []).map((c) => [...c])
  if (extra.length && cmds.length) cmds[cmds.length - 1]!.push(...extra)
  return cmds
}

/** A `npx tsx <file>` whose file is not in this checkout yet: say so instead of a tsx stack trace. */
export function missingScript(cmd: Command, root = ROOT): string | undefined {
  if (cmd[0] === 'npx' && cmd[1] === 'tsx' && cmd[2] && !existsSync(join(root, cmd[2]))) return cmd[2]
  return undefined
}

function spawnInherit(cmd: Command): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: 'inherit' })
    const forward = (sig: NodeJS.Signals) => child.kill(sig)
    process.on('SIGINT', forward).on('SIGTERM', forward)
    child.on('error', (e) => {
      process.stderr.write(`Makefile.ts: cannot run ${cmd[0]}: ${e.message}\n`)
      resolve(127)
    })
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward)
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0))
    })
  })
}

export async function make(argv: string[]): Promise<number> {
  const [name, ...extra] = argv
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${listing()}\n`)
    return 0
  }
  const target = Object.hasOwn(TARGETS, name) ? TARGETS[name] : undefined
  if (!target) {
    process.stderr.write(`Makefile.ts: unknown target '${name}' (known: ${Object.keys(TARGETS).join(', ')})\n`)
    return 2
  }
  if (target.run) return target.run()
  for (const cmd of plan(target, extra)) {
    const missing = missingScript(cmd)
    if (missing) {
      process.stderr.write(`Makefile.ts: ${name}: ${missing} is not in this checkout yet\n`)
      return 1
    }
    const code = await spawnInherit(cmd)
    if (code !== 0) return code
  }
  return 0
}

if (isMain(import.meta.url)) process.exitCode = await make(process.argv.slice(2))
