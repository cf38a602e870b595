/**
 * The `go` toolchain: the one place its argv is built (build, install, list -deps, mod download/tidy, get).
 * Each call runs through the Shell, so the learner sees the command echoed; options (log, cwd, env…) pass through.
 */
import type { RunOpts, Shell } from './shell.ts'

/** Flags shared by `go build` and `go install`, always in this order. */
export interface GoBuildFlags {
  trimpath?: boolean
  /** `-tags a,b` */
  tags?: string
  ldflags?: string
  /** `-o <file or dir/>` (build only) */
  out?: string
  /** `-v`: one line per package compiled (build only; progress counts them) */
  verbose?: boolean
}

const flags = (o: GoBuildFlags): string[] => [
  ...(o.verbose ? ['-v'] : []),
  ...(o.trimpath ? ['-trimpath'] : []),
  ...(o.tags ? ['-tags', o.tags] : []),
  ...(o.ldflags !== undefined ? ['-ldflags', o.ldflags] : []),
  ...(o.out ? ['-o', o.out] : []),
]

/** go's argv for each verb this project uses (pure; go(sh) runs them). */
export const goArgs = {
  build: (pkgs: string[], o: GoBuildFlags = {}) => ['build', ...flags(o), ...pkgs],
  /** `go install <module/pkg>@<version>` (GOBIN says where the binary lands). */
  install: (pkg: string, version: string, o: Omit<GoBuildFlags, 'out' | 'verbose'> = {}) => ['install', ...flags(o), `${pkg}@${version}`],
  /** Every package `pkgs` depend on, one per line (what a cold build compiles). */
  listDeps: (pkgs: string[], tags?: string) => ['list', '-deps', ...(tags ? ['-tags', tags] : []), ...pkgs],
  /** Download a module into the module cache; -json says where its go.mod is. */
  modDownloadJson: (module: string, version: string) => ['mod', 'download', '-json', `${module}@${version}`],
  modTidy: () => ['mod', 'tidy'],
  get: (module: string, version: string) => ['get', `${module}@${version}`],
}

/** Run `go <verb …>` through the shell (echoed, logged, redacted as every command is). */
export function go(sh: Shell) {
  const run = (args: string[], opts?: RunOpts) => sh.run('go', args, opts)
  return {
    build: (pkgs: string[], o: GoBuildFlags, opts?: RunOpts) => run(goArgs.build(pkgs, o), opts),
    install: (pkg: string, version: string, o: Omit<GoBuildFlags, 'out' | 'verbose'>, opts?: RunOpts) => run(goArgs.install(pkg, version, o), opts),
    listDeps: (pkgs: string[], tags: string | undefined, opts?: RunOpts) => run(goArgs.listDeps(pkgs, tags), opts),
    modDownloadJson: (module: string, version: string, opts?: RunOpts) => run(goArgs.modDownloadJson(module, version), opts),
    modTidy: (opts?: RunOpts) => run(goArgs.modTidy(), opts),
    get: (module: string, version: string, opts?: RunOpts) => run(goArgs.get(module, version), opts),
  }
}
