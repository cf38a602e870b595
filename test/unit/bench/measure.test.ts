/** bench/measure.ts: strace execve lines → processes and their top commands; GNU time's peak RSS; step times from piped listr2 output. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bootTimeSec, median, parseExecs, parseMaxRssMb, processStartMs, stepDurations, summarizeExecs } from '../../../bench/measure.ts'

// as `strace -f -qq -e trace=execve -o FILE npx tsx tasks/up.ts` writes it (strings cut at 32 characters)
const TRACE = `100 execve("/usr/bin/npx", ["npx", "tsx", "tasks/up.ts"], 0x7ffd /* 35 vars */) = 0
101 execve("/usr/local/sbin/sh", ["sh", "-c", "tsx tasks/up.ts"], 0x5629 /* 35 vars */) = -1 ENOENT (No such file or directory)
101 execve("/bin/sh", ["sh", "-c", "tsx tasks/up.ts"], 0x5629 /* 35 vars */) = 0
102 execve("/usr/bin/node", ["node", "/work/node_modules/.bin/tsx", "tasks/up.ts"], 0x5629 /* 36 vars */) = 0
103 execve("/usr/bin/bash", ["bash", "-c", "docker image inspect --format '{"...], 0x563c /* 35 vars */) = 0
103 execve("/usr/local/bin/docker", ["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", "programmingpercy/hellogopher:1.0"], 0x563c /* 35 vars */) = 0
103 --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=103, si_uid=0} ---
104 execve("/usr/bin/bash", ["bash", "-c", "ctr --address /run/x -n k8s.io i"...], 0x563c /* 35 vars */) = 0
104 execve("/usr/bin/ctr", ["ctr", "--address", "/run/learn-k8s-easy/containerd.s"..., "-n", "k8s.io", "images", "ls"], 0x563c /* 35 vars */) = 0
105 execve("/usr/local/go/bin/go", ["go", "version"], 0x563c /* 35 vars */) = 0
106 execve("/usr/local/bin/docker", ["docker", "image", "inspect", "x"], 0x563c /* 35 vars */) = 0
102 +++ exited with 0 +++`

test('parseExecs: only successful execve calls, argv unquoted, the program named without its directory', () => {
  const execs = parseExecs(TRACE)
  assert.equal(execs.map((e) => e.name), ['npx', 'sh', 'node', 'bash', 'docker', 'bash', 'ctr', 'go', 'docker'])
  assert.equal(execs[4]!.argv, ['docker', 'image', 'inspect', '--format', '{{json .Config.Labels}}', 'programmingpercy/hellogopher:1.0'])
  assert.is(execs[4]!.pid, 103)
})

test('summarizeExecs: launcher excluded, bash -c wrappers counted, commands by frequency', () => {
  const sum = summarizeExecs(parseExecs(TRACE))
  assert.is(sum.total, 9)
  assert.is(sum.task, 6)
  assert.is(sum.shells, 2)
  // ctr's subcommand comes after flags and their values (a socket path, k8s.io)
  assert.equal(sum.top, [['bash -c', 2], ['docker image', 2], ['ctr images', 1], ['go version', 1]])
})

test('summarizeExecs: nothing but the launcher → zero task processes', () => {
  const sum = summarizeExecs(parseExecs(TRACE.split('\n').slice(0, 4).join('\n')))
  assert.equal([sum.total, sum.task, sum.shells, sum.top.length], [3, 0, 0, 0])
})

test('parseMaxRssMb: GNU time -v peak in MB; undefined when absent', () => {
  assert.is(parseMaxRssMb('\tUser time (seconds): 1.0\n\tMaximum resident set size (kbytes): 266240\n'), 260)
  assert.is(parseMaxRssMb('no such line'), undefined)
})

test('median: odd and even counts; NaN for none', () => {
  assert.is(median([3, 1, 2]), 2)
  assert.is(median([4, 1, 3, 2]), 2.5)
  assert.ok(Number.isNaN(median([])))
})

test('stepDurations: time since the previous finished step, skips marked, other lines ignored', () => {
  const d = stepDurations([
    { ms: 100, line: '❯ Host packages' },
    { ms: 400, line: '✔ Host packages' },
    { ms: 450, line: '› $ go build' },
    { ms: 900, line: '↓ Build Kubernetes [SKIPPED: binaries cached]' },
    { ms: 5900, line: '\x1b[32m✔\x1b[39m Start etcd' },
    { ms: 6000, line: '✖ Start kubelet [FAILED: exit 1]' },
  ])
  assert.equal(d, [
    { step: 'Host packages', ms: 400, skipped: false },
    { step: 'Build Kubernetes', ms: 500, skipped: true },
    { step: 'Start etcd', ms: 5000, skipped: false },
    { step: 'Start kubelet [FAILED: exit 1]', ms: 100, skipped: false },
  ])
})

test('processStartMs: field 22 of /proc/PID/stat after a comm with spaces and parentheses, plus boot time', () => {
  // 52 fields as Linux 6 writes them; starttime (22nd) = 123456 ticks
  const stat = '14160 (etcd (x) y) S 1 14160 14160 0 -1 4194560 1 0 0 0 5 3 0 0 20 0 12 0 123456 1000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0'
  assert.is(processStartMs(stat, 1_764_500_000), 1_764_500_000_000 + 1_234_560)
  assert.is(processStartMs('14160 (etcd) S 1', 1), undefined)
  assert.is(bootTimeSec('cpu  1 2 3\nbtime 1764500000\nprocesses 9\n'), 1_764_500_000)
  assert.is(bootTimeSec('cpu 1'), undefined)
})

test.run()
