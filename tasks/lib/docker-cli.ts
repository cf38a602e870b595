/**
 * The `docker` CLI: the one place its argv is built (image reads, build/import/tag/save, the build containers of the
 * kind node image). The image-presence path (is it there, which ID) also has the Engine API (docker-api.ts).
 * Each call runs through the Shell, so the learner sees the command echoed; options (log, env, quiet…) pass through.
 */
import type { RunOpts, RunResult, Shell } from './shell.ts'

/** The image ID (config digest). */
export const ID_FORMAT = '{{.Id}}'
/** The image's labels, as JSON (`null` when it has none). */
export const LABELS_FORMAT = '{{json .Config.Labels}}'

/** `image inspect --format <format> <ref>` as docker's argv. */
export function imageInspectArgs(ref: string, format: string): string[] {
  return ['image', 'inspect', '--format', format, ref]
}

/**
 * `docker image inspect --format <format> <ref>`, quiet and allowed to fail: a non-zero exit is "no such image"
 * or "no daemon", and the caller says which matters (stderr is in the result).
 */
export function dockerImageInspect(sh: Shell, ref: string, format: string, env?: Record<string, string>): Promise<RunResult> {
  return sh.run('docker', imageInspectArgs(ref, format), { ...(env ? { env } : {}), quiet: true, allowFail: true, readOnly: true })
}

const changes = (list: string[] = []) => list.flatMap((c) => ['--change', c])

/** docker's argv for each verb this project uses (pure; the calls below run them). */
export const dockerArgs = {
  /** The daemon's version: `docker version` answers only when the daemon does. */
  serverVersion: () => ['version', '--format', '{{.Server.Version}}'],
  build: (o: { context: string; ref: string; labels?: Record<string, string>; buildArgs?: string[] }) => [
    'build',
    '--force-rm',
    ...(o.buildArgs ?? []),
    ...Object.entries(o.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    '-t',
    o.ref,
    o.context,
  ],
  /** `docker import` of a root-filesystem tarball, with Dockerfile instructions (`LABEL k=v`). */
  importTar: (tar: string, ref: string, change?: string[]) => ['import', ...changes(change), tar, ref],
  tag: (from: string, to: string) => ['tag', from, to],
  imageRm: (ref: string) => ['image', 'rm', ref],
  save: (tar: string, refs: string[]) => ['save', '-o', tar, ...refs],
  /** A detached container: `run -d --name <name> [runArgs] <image> [command]`. */
  runDetached: (name: string, image: string, runArgs: string[] = [], command: string[] = []) => ['run', '-d', '--name', name, ...runArgs, image, ...command],
  cp: (from: string, to: string) => ['cp', from, to],
  exec: (container: string, command: string[], o: { stdin?: boolean } = {}) => ['exec', ...(o.stdin ? ['-i'] : []), container, ...command],
  commit: (container: string, ref: string, change?: string[]) => ['commit', ...changes(change), container, ref],
  /** A container and its anonymous volumes, gone. */
  rm: (container: string) => ['rm', '-f', '-v', container],
  /** `build -t <ref> --label k=v… [--build-arg …] -f <dockerfile> <context>`: the tutorial's image builds. */
  buildFile: (o: { ref: string; labels?: Record<string, string>; buildArgs?: Record<string, string>; dockerfile: string; context: string }) => [
    'build',
    '-t',
    o.ref,
    ...Object.entries(o.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...Object.entries(o.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    '-f',
    o.dockerfile,
    o.context,
  ],
  /** `inspect -f <format> <container>` (a container's state or addresses). */
  inspect: (format: string, target: string) => ['inspect', '-f', format, target],
  start: (container: string) => ['start', container],
  push: (ref: string) => ['push', ref],
  /** A registry's manifest for ref (`--insecure` for a plain-HTTP registry on loopback). */
  manifestInspect: (ref: string, insecure = false) => ['manifest', 'inspect', ...(insecure ? ['--insecure'] : []), ref],
}

/** A container's addresses, one per docker network, each followed by a space (two networks never run together). */
export const NETWORK_IPS_FORMAT = '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'

/** Run `docker <verb …>` through the shell (echoed, logged, redacted as every command is). */
export function docker(sh: Shell) {
  const run = (args: string[], opts?: RunOpts) => sh.run('docker', args, opts)
  return {
    serverVersion: (opts?: RunOpts) => run(dockerArgs.serverVersion(), opts),
    build: (o: Parameters<typeof dockerArgs.build>[0], opts?: RunOpts) => run(dockerArgs.build(o), opts),
    importTar: (tar: string, ref: string, change: string[], opts?: RunOpts) => run(dockerArgs.importTar(tar, ref, change), opts),
    tag: (from: string, to: string, opts?: RunOpts) => run(dockerArgs.tag(from, to), opts),
    imageRm: (ref: string, opts?: RunOpts) => run(dockerArgs.imageRm(ref), opts),
    save: (tar: string, refs: string[], opts?: RunOpts) => run(dockerArgs.save(tar, refs), opts),
    runDetached: (name: string, image: string, runArgs: string[], command: string[], opts?: RunOpts) => run(dockerArgs.runDetached(name, image, runArgs, command), opts),
    cp: (from: string, to: string, opts?: RunOpts) => run(dockerArgs.cp(from, to), opts),
    /** `docker exec [-i] <container> <command…>`; stdin: true keeps stdin open (for opts.input). */
    exec: (container: string, command: string[], { stdin, ...opts }: RunOpts & { stdin?: boolean } = {}) => run(dockerArgs.exec(container, command, { stdin }), opts),
    commit: (container: string, ref: string, change: string[], opts?: RunOpts) => run(dockerArgs.commit(container, ref, change), opts),
    rm: (container: string, opts?: RunOpts) => run(dockerArgs.rm(container), opts),
  }
}
