/**
 * The images upstream's e2e suite runs, built here under their upstream names (nothing can be pulled; pods use
 * IfNotPresent, so an image present in the lab's containerd is used). The names and tags are those of
 * test/utils/image/manifest.go in the lab's Kubernetes module.
 *
 * One Debian bookworm rootfs (debootstrap, cached as a tarball like the lab's MySQL image) carries the userland
 * every image needs; each image is that rootfs plus what makes it the upstream one:
 *   - agnhost: the binary from the same Kubernetes module, with what upstream's Dockerfile adds (dig, curl, nc,
 *     ip, bash; /uploads, porter's certificates, /agnhost-2, the uid 1000 / gid 50000 user and group).
 *   - busybox: Debian's busybox-static applets in /bin (as upstream's), but `sh` is bash: the e2e specs read `sh -c env`
 *     and expect variables whose names are not shell identifiers (`data-1`), which bash passes on and busybox
 *     1.35's ash (Debian's) drops.
 *   - httpd: Debian's apache2 run in the foreground on port 80, serving /usr/local/apache2/htdocs (the path the
 *     StatefulSet specs move index.html out of to break readiness), as the official httpd image.
 *   - nginx: Debian's nginx, `nginx -g 'daemon off;'` on port 80, serving /usr/share/nginx/html.
 *   - jessie-dnsutils: the DNS specs' second querier (dig, getent under sh).
 *   - pause: the lab's own pause program.
 * Two tags of one image (httpd 2.4.38-4 / 2.4.39-4) get distinct image IDs (a label), so a rolling update
 * really changes the image a container runs and reports.
 */
import { readFileSync } from 'node:fs'
import { chmod, copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Shell } from '../../tasks/lib/shell.ts'
import { AGNHOST_VERSION } from './build.ts'
import { dockerBuild, ensureRootfsImage, imageLabels, PAUSE_IMAGE, pauseSourceHash, sha256, SOURCE_LABEL, withTempDir, type Log, type RootfsRecipe } from '../../tasks/lab/images/build.ts'

/** Bump when the steps below change in a way the recipe text does not show. */
const RECIPE_VERSION = '1'

export const E2E_ROOTFS_IMAGE = 'localhost/lab/e2e-rootfs:bookworm'

export const E2E_ROOTFS: RootfsRecipe = {
  suite: 'bookworm',
  variant: 'minbase',
  include: [
    'busybox-static', // the busybox image's applets
    'apache2', // httpd
    'nginx', // nginx
    'bind9-dnsutils', 'curl', 'netcat-openbsd', 'iproute2', 'iputils-ping', 'procps', // agnhost's and the DNS queriers' tools
  ],
  prune: ['var/cache/apt', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian', 'dev', 'tmp'],
}

const E2E = 'registry.k8s.io/e2e-test-images'

export type E2eKind = 'agnhost' | 'busybox' | 'httpd' | 'nginx' | 'jessie-dnsutils' | 'pause'

export interface E2eImage {
  ref: string
  kind: E2eKind
}

/** Every image the Conformance specs run (manifest.go: Agnhost, BusyBox, Httpd, HttpdNew, Nginx, NginxNew, JessieDnsutils, Pause). */
export const E2E_IMAGES: readonly E2eImage[] = [
  { ref: `${E2E}/agnhost:${AGNHOST_VERSION}`, kind: 'agnhost' },
  { ref: `${E2E}/busybox:1.37.0-1`, kind: 'busybox' },
  { ref: `${E2E}/httpd:2.4.38-4`, kind: 'httpd' },
  { ref: `${E2E}/httpd:2.4.39-4`, kind: 'httpd' },
  { ref: `${E2E}/nginx:1.14-4`, kind: 'nginx' },
  { ref: `${E2E}/nginx:1.15-4`, kind: 'nginx' },
  { ref: `${E2E}/jessie-dnsutils:1.7`, kind: 'jessie-dnsutils' },
  { ref: 'registry.k8s.io/pause:3.10.1', kind: 'pause' },
]

const PATH_ENV = 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8'

/** httpd-foreground of the official image, for Debian's apache2 (its settings come from /etc/apache2/envvars). */
export const HTTPD_FOREGROUND = `#!/bin/sh
set -e
. /etc/apache2/envvars
rm -f "$APACHE_PID_FILE"
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
exec apache2 -DFOREGROUND "$@"
`

/** The Dockerfile of one image; `ref` goes into a label so every tag is an image of its own. */
export function e2eDockerfile(img: E2eImage): string {
  const label = `LABEL learn-k8s-easy.e2e-image="${img.ref}"`
  switch (img.kind) {
    case 'pause':
      return [`FROM ${PAUSE_IMAGE}`, label, ''].join('\n')
    case 'agnhost':
      return [
        `FROM ${E2E_ROOTFS_IMAGE}`,
        PATH_ENV,
        'RUN mkdir /uploads && useradd -u 1000 -M -s /bin/sh user-defined-in-image && groupadd -g 50000 group-defined-in-image && usermod -aG group-defined-in-image user-defined-in-image',
        'COPY localhost.crt localhost.key /',
        'COPY agnhost /agnhost',
        'RUN ln -s agnhost /agnhost-2',
        'EXPOSE 80 8080 8081 9376 5000',
        label,
        'ENTRYPOINT ["/agnhost"]',
        'CMD ["pause"]',
        '',
      ].join('\n')
    case 'busybox':
      return [
        `FROM ${E2E_ROOTFS_IMAGE}`,
        // every applet in /bin as in upstream's image (specs run /bin/sysctl, /bin/ls…), but sh is bash, which passes every variable on
        'RUN for a in $(busybox --list); do case "$a" in sh|ash|bash|busybox) ;; *) ln -sf busybox "/usr/bin/$a" ;; esac; done && ln -sf bash /usr/bin/sh',
        PATH_ENV,
        label,
        'CMD ["sh"]',
        '',
      ].join('\n')
    case 'jessie-dnsutils':
      return [`FROM ${E2E_ROOTFS_IMAGE}`, PATH_ENV, label, 'CMD ["bash"]', ''].join('\n')
    case 'httpd':
      return [
        `FROM ${E2E_ROOTFS_IMAGE}`,
        PATH_ENV,
        'RUN mkdir -p /usr/local/apache2/htdocs && echo "<html><body><h1>It works!</h1></body></html>" > /usr/local/apache2/htdocs/index.html' +
          " && sed -i 's#DocumentRoot /var/www/html#DocumentRoot /usr/local/apache2/htdocs#' /etc/apache2/sites-available/000-default.conf" +
          ' && printf "<Directory /usr/local/apache2/htdocs>\\n\\tRequire all granted\\n</Directory>\\nServerName localhost\\n" >> /etc/apache2/apache2.conf' +
          ' && mkdir -p /var/log/apache2 && ln -sf /dev/stdout /var/log/apache2/access.log && ln -sf /dev/stderr /var/log/apache2/error.log' +
          ' && ln -sf /dev/stdout /var/log/apache2/other_vhosts_access.log',
        'COPY httpd-foreground /usr/local/bin/httpd-foreground',
        'EXPOSE 80',
        label,
        'STOPSIGNAL SIGWINCH',
        'CMD ["httpd-foreground"]',
        '',
      ].join('\n')
    case 'nginx':
      return [
        `FROM ${E2E_ROOTFS_IMAGE}`,
        PATH_ENV,
        "RUN sed -i 's#root /var/www/html;#root /usr/share/nginx/html;#' /etc/nginx/sites-available/default" +
          ' && mkdir -p /var/log/nginx && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log',
        'EXPOSE 80',
        label,
        'STOPSIGNAL SIGQUIT',
        'CMD ["nginx", "-g", "daemon off;"]',
        '',
      ].join('\n')
  }
}

/** What an image is built from besides its Dockerfile: agnhost's binary and certificates, the rootfs or pause recipe. */
export interface E2eInputs {
  agnhost: string
  /** porter's localhost.crt / localhost.key (test/images/agnhost/porter in the module) */
  porterDir: string
}

export async function e2eSourceHash(img: E2eImage, inputs: E2eInputs): Promise<string> {
  const parts: Array<[string, string | Buffer]> = [
    ['recipe-version', RECIPE_VERSION],
    ['Dockerfile', e2eDockerfile(img)],
  ]
  if (img.kind === 'pause') parts.push(['pause', await pauseSourceHash()])
  else parts.push(['rootfs', JSON.stringify(E2E_ROOTFS)])
  if (img.kind === 'agnhost') {
    parts.push(['agnhost', sha256([['bin', readFileSync(inputs.agnhost)]])])
    for (const f of ['localhost.crt', 'localhost.key']) parts.push([f, readFileSync(join(inputs.porterDir, f))])
  }
  if (img.kind === 'httpd') parts.push(['httpd-foreground', HTTPD_FOREGROUND])
  return sha256(parts)
}

/**
 * Build every image that is not up to date (its SOURCE_LABEL is its recipe's hash) with the caller's docker.
 * `ensurePause` builds the lab's pause image when the pause tag needs it. Returns the refs built.
 */
export async function buildE2eImages(sh: Shell, log: Log, inputs: E2eInputs, ensurePause: () => Promise<unknown>): Promise<string[]> {
  const built: string[] = []
  for (const img of E2E_IMAGES) {
    const source = await e2eSourceHash(img, inputs)
    if ((await imageLabels(sh, img.ref))?.[SOURCE_LABEL] === source) continue
    if (img.kind === 'pause') await ensurePause()
    else await ensureRootfsImage(sh, log, E2E_ROOTFS, E2E_ROOTFS_IMAGE, 'e2e')
    await withTempDir('e2e-image-', async (ctx) => {
      await writeFile(join(ctx, 'Dockerfile'), e2eDockerfile(img))
      if (img.kind === 'agnhost') {
        await copyFile(inputs.agnhost, join(ctx, 'agnhost'))
        await chmod(join(ctx, 'agnhost'), 0o755)
        for (const f of ['localhost.crt', 'localhost.key']) await copyFile(join(inputs.porterDir, f), join(ctx, f))
      }
      if (img.kind === 'httpd') {
        await writeFile(join(ctx, 'httpd-foreground'), HTTPD_FOREGROUND)
        await chmod(join(ctx, 'httpd-foreground'), 0o755)
      }
      await dockerBuild(sh, log, ctx, img.ref, source)
    })
    built.push(img.ref)
  }
  return built
}
