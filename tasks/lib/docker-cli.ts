/** The `docker` CLI's image reads: the one place `docker image inspect` argv is built. Reads only. */
import type { RunResult, Shell } from './shell.ts'

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
