/** Entry point: `npx tsx tasks/build-images.ts [--tag T]` — the image build steps (tasks/steps/build-images.ts) on their own. */
import { isMain } from './lib/cli.ts'
import { spec, taskMain } from './lib/task.ts'
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

if (isMain(import.meta.url)) {
  await taskMain(
    cmd,
    ({ deps, ctx, parsed }) => [dockerEnv(deps), ...buildImages(deps, ctx.tags, { base: parsed.flags.base as string })],
    { mutates: false, noPing: true, lock: true, needsRegistry: true },
    (p) => ({ tags: parseTags(p.flags.tag) }),
  )
}
