/** Entry point: `npx tsx tasks/build-images.ts [--tag T]` — the image build steps (tasks/steps/build-images.ts) on their own. */
import { command } from './lib/command.ts'
import { spec } from './lib/task.ts'
import { dockerEnv } from './steps/docker-env.ts'
import { buildImages, DEFAULT_BASE, parseTags } from './steps/build-images.ts'

const cmd = spec(
  'tasks/build-images.ts',
  "Lesson 2: build programmingpercy/hellogopher:<tag> (all tags, or the --tag ones) where the cluster's runtime sees them. Skips images already built from the current source.",
  {
    tag: { type: 'string', multiple: true, description: 'tag to build (repeatable; default: every tag in hellogopher/tags.json)' },
    base: { type: 'string', description: 'base image for the hellogopher images', default: DEFAULT_BASE },
  },
  { examples: ['npx tsx tasks/build-images.ts', 'npx tsx tasks/build-images.ts --tag 2.0 --tag 3.0', 'npx tsx tasks/build-images.ts --dry-run'] },
)

await command({
  spec: cmd,
  options: ({ flags }) => ({ tags: parseTags(flags.tag), base: flags.base as string }),
  ctx: ({ tags }) => ({ tags }),
  guard: { mutates: false, noPing: true, lock: true, needsRegistry: true },
  steps: ({ deps, ctx, options }) => [dockerEnv(deps), ...buildImages(deps, ctx.tags, { base: options.base })],
}).mainIf(import.meta.url)
