/**
 * One interface for every place the tutorial can run: how the cluster starts and stops, how images
 * built by `docker build` reach its runtime, and how a NodePort Service is reached from this machine.
 */
import type { Kube, KubeTarget } from '../kube.ts'
import type { Log, Shell } from '../shell.ts'
import type { DockerImage } from '../docker-api.ts'

export type ProviderName = 'minikube' | 'kind' | 'lab' | 'remote'
export const PROVIDER_NAMES: readonly ProviderName[] = ['minikube', 'kind', 'lab', 'remote']

export type { Log }

export interface ProviderStatus {
  running: boolean
  /** One line for the learner, e.g. `minikube: Running (apiserver Running)` */
  detail: string
}

/** Where a NodePort Service answers from this machine, and what keeps that address open. */
export interface ServiceEndpoint {
  url: string
  /**
   * Set when the address lives only while a helper runs (minikube's tunnel on the docker driver of macOS and
   * Windows): the command a learner types to open it again after this run.
   */
  reopen?: string
  /** End what keeps the address open (minikube's tunnel); a no-op where the NodePort is reached directly. Idempotent. */
  close(): Promise<void>
}

/** An address that needs nothing kept running (kind, lab, remote, minikube on a reachable node IP). */
export function directEndpoint(url: string): ServiceEndpoint {
  return { url, close: async () => {} }
}

export interface Provider {
  readonly name: ProviderName
  /** Programs this provider runs (checked by doctor and before the first step). */
  readonly requiredTools: readonly string[]
  /** Which kubeconfig/context the tasks should read and act on. */
  target(): KubeTarget
  /**
   * Environment for every command of a run (lab: its kubectl on PATH and its KUBECONFIG), so the echoed
   * commands stay the tutorial's plain `kubectl …`.
   */
  commandEnv(): Record<string, string>
  /** Is the cluster up? Reads only. */
  status(sh: Shell): Promise<ProviderStatus>
  /** The tutorial's start command(s), as shown to the learner and in --dry-run. */
  startCommands(): string[][]
  start(sh: Shell, log: Log): Promise<void>
  stop(sh: Shell, log: Log): Promise<void>
  /**
   * Environment that makes `docker build` put images where the cluster sees them
   * (minikube: `minikube docker-env`; lab: its dockerd socket). Empty when images are loaded afterwards.
   */
  dockerEnv(sh: Shell, log?: Log): Promise<Record<string, string>>
  /** The command that shows where the env comes from (e.g. `minikube docker-env`), for echo/dry-run. */
  dockerEnvCommand(): string[] | undefined
  /**
   * Put a locally built image into the cluster's runtime (kind load, ctr import, docker push).
   * Undefined when dockerEnv already builds into the runtime.
   */
  loadImage?(sh: Shell, image: string, log: Log): Promise<void>
  /**
   * An in-process read of an image in the docker this provider builds with (no `docker` process); providers without
   * it are asked through `docker image inspect`. Undefined when docker has no such image.
   */
  inspectImage?(image: string): Promise<DockerImage | undefined>
  /** Is the image (same ID as the local build) already in the cluster's runtime? */
  imageInRuntime(sh: Shell, image: string): Promise<boolean>
  /**
   * Where a NodePort service answers from this machine. The caller must close() it when done with the URL
   * (try/finally): on minikube's docker driver (macOS, Windows) the URL is a tunnel that lives until then.
   */
  serviceUrl(sh: Shell, kube: Kube, namespace: string, service: string, log?: Log): Promise<ServiceEndpoint>
  /**
   * Images the tutorial names that this provider swaps for a local equivalent, applied visibly
   * (e.g. lab: `mysql:8.0` → a MariaDB-based image built here, since nothing can be pulled).
   */
  imageOverrides(): Record<string, string>
  /** `imagePullPolicy` to force on tutorial images, if any (remote: `IfNotPresent` → `Always`). */
  pullPolicyOverride?(): 'Always' | 'IfNotPresent' | 'Never' | undefined
  /** Does this context name belong to a local, throwaway cluster of this provider? (context guard) */
  ownsContext(context: string): boolean
}
