/** Run a command for the test tooling: output collected (and echoed unless told not to), exit code returned, never thrown. */
import { spawn } from 'node:child_process'
import { ROOT } from '../../tasks/lib/tutorial.ts'

export interface Ran {
  code: number
  out: string
}

export interface RunOptions {
  cwd?: string
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv
  /** Stream its output to ours (default true). */
  echo?: boolean
  /** Print `$ cmd args` first. */
  showCommand?: boolean
  input?: string
}

export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve) => {
    if (opts.showCommand) process.stdout.write(`$ ${[cmd, ...args].join(' ')}\n`)
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let out = ''
    const onData = (d: Buffer) => {
      out += d.toString()
      if (opts.echo !== false) process.stdout.write(d)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    if (child.stdin) {
      child.stdin.on('error', () => {}) // a child that exits without reading its stdin
      child.stdin.end(opts.input)
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }))
    child.on('error', (e) => resolve({ code: 127, out: String(e) }))
  })
}
