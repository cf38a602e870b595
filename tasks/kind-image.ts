/**
 * Build the offline kind node image (kind without internet): Kubernetes as the lab builds it, etcd and CoreDNS
 * from their Go modules, a Debian base from debootstrap — nothing pulled. Idempotent: every part is cached and
 * the image carries its recipe's hash, so a second run only checks. Then:
 *   kind create cluster --image localhost/learn-k8s/kind-node:<version>   (or KIND_NODE_IMAGE=… for tasks/up.ts)
 */
import { command } from './lib/command.ts'
import { docker } from './lib/docker-cli.ts'
import { createShell, ToolMissingError } from './lib/shell.ts'
import { logTo, spec, type Step } from './lib/task.ts'
import { kubernetesBinaries, metricsServerBinary, type LabCtx } from './lab/engine/steps.ts'
import { buildPauseImage } from './lab/images/build.ts'
import { K8S_VERSION, LAB_NODE_IP } from './lab/engine/paths.ts'
import {
  assembleNodeImage,
  buildAddonBinaries,
  buildBaseImage,
  buildComponentImages,
  ensureKind,
  EXTRA_IMAGES,
  KIND_NODE_IMAGE,
  KIND_VERSION,
  kubeadmImages,
  nodeImageUpToDate,
  nodeSourceHash,
  type Parts,
} from './lab/kindnode/build.ts'

interface KindImageCtx extends LabCtx {
  parts?: Parts
  source?: string
  kind?: string
}

const cmd = spec(
  'tasks/kind-image.ts',
  `Build kind's node image for Kubernetes ${K8S_VERSION} offline (${KIND_NODE_IMAGE}): binaries from Go modules, base from debootstrap, nothing pulled. Needs root, go, docker, debootstrap, gcc.`,
  {},
  { examples: ['npx tsx tasks/kind-image.ts', `KIND_NODE_IMAGE=${KIND_NODE_IMAGE} npx tsx tasks/up.ts --provider kind`] },
)

export function kindImageSteps(sh = createShell()): Step<KindImageCtx>[] {
  const need = (bin: string) => async () => {
    if (!(await sh.which(bin))) throw new ToolMissingError(bin)
  }
  return [
    {
      title: 'Tools: go, docker, debootstrap, gcc',
      task: async () => {
        for (const t of ['go', 'docker', 'debootstrap', 'gcc', 'tar']) await need(t)()
        const r = await docker(sh).serverVersion({ quiet: true, allowFail: true, readOnly: true })
        if (r.exitCode !== 0) throw new Error(`docker does not answer (${r.stderr.trim().split('\n').pop()}) — start the docker daemon (or set DOCKER_HOST)`)
      },
    },
    kubernetesBinaries({ sh }) as Step<KindImageCtx>,
    metricsServerBinary({ sh }) as Step<KindImageCtx>,
    {
      title: `kind ${KIND_VERSION} from its Go module`,
      task: async (ctx, task) => {
        ctx.kind = await ensureKind(sh, logTo(task))
        task.output = ctx.kind
      },
    },
    {
      title: "etcd and CoreDNS at kubeadm's versions, from their Go modules",
      task: async (ctx, task) => {
        const log = logTo(task)
        const kubeadm = await kubeadmImages(sh)
        log(`kubeadm ${K8S_VERSION} runs: ${kubeadm.map((i) => i.ref).join(', ')}`)
        const images = [...kubeadm, ...EXTRA_IMAGES]
        ctx.parts = { images, ...(await buildAddonBinaries({ sh, log }, images)) }
        ctx.source = await nodeSourceHash(ctx.parts)
      },
    },
    {
      title: `Node image ${KIND_NODE_IMAGE}`,
      skip: async (ctx) => (ctx.source ? ((await nodeImageUpToDate(sh, ctx.source)) ?? false) : false),
      task: (_ctx, task) =>
        task.newListr<KindImageCtx>(
          [
            {
              title: 'Base image (Debian bookworm from debootstrap, systemd, containerd, CNI plugins)',
              task: async (_c, t) => {
                const skipped = await buildBaseImage({ sh, log: logTo(t) })
                if (skipped) t.skip(skipped)
              },
            },
            {
              title: 'Pause image',
              task: async (_c, t) => {
                const skipped = await buildPauseImage(sh, logTo(t))
                if (skipped) t.output = skipped
              },
            },
            { title: 'Control-plane images under the names kubeadm uses', task: async (c, t) => buildComponentImages({ sh, log: logTo(t) }, c.parts!) },
            { title: 'Assemble: binaries, /kind/version, images into the node containerd, docker commit', task: async (c, t) => assembleNodeImage({ sh, log: logTo(t) }, c.parts!, c.source!) },
          ],
          { rendererOptions: { collapseSubtasks: false } },
        ),
    },
  ]
}

await command<unknown, KindImageCtx>({
  spec: cmd,
  guard: false,
  linuxOnly: 'the offline kind node image is built on Linux (debootstrap)',
  ctx: () => ({ nodeIp: LAB_NODE_IP }),
  steps: ({ sh }) => kindImageSteps(sh),
  after: ({ ctx }) => (ctx.dryRun ? undefined : `\n${KIND_NODE_IMAGE} ready. Try: KIND_NODE_IMAGE=${KIND_NODE_IMAGE} npx tsx tasks/up.ts --provider kind\n`),
}).mainIf(import.meta.url)
