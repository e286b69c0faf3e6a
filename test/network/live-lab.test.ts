/**
 * Proof on real packets: builds real mirrors in Linux network namespaces on the test machine, captures what reaches
 * the collector with tcpdump, and checks mirrorwatch's alerts — and that tshark decodes the same fields.
 *
 *     peer (10.10.1.2) ──veth── victim (10.10.1.1 | 10.20.0.1) ──veth── collector (10.20.0.2)
 *
 * Mirrors of the victim's peer-facing interface, one after another: VXLAN (VNI 4242) fed by tc clsact + u32 +
 * mirred; VXLAN (VNI 77) fed by an nft netdev `dup`; iptables `TEE` plain L3 clones; ERSPAN type II (session 100)
 * and III (session 200) sent by a small userspace mirror (test/network/lab/erspan-mirror.py), because the project's
 * kernels lack GRE devices; and a capture of the same traffic with no mirror at all, which must raise nothing.
 * After the shared reference lab (lab.sh), trimmed to what each check needs: static neighbours instead of ARP, and
 * tcpdump stopped by a packet count instead of timers, so the whole test takes seconds.
 *
 * Needs root, iproute2 (ip, tc), tcpdump, nftables, iptables and python3; otherwise it is skipped and says why. All
 * traffic stays inside the test's own namespaces (named after the process id), which are removed afterwards even
 * when a check fails; the host's firewall and routing are untouched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertTable, commandWorks, details, haveTshark, scanNetwork } from './helpers.js';
import { assertMatchesTshark, tsharkOutputs } from './tshark.js';

const ID = `mw${process.pid % 100000}`;
const NS = { victim: `${ID}v`, peer: `${ID}p`, collector: `${ID}c` };
const LINK = { va: `${ID}va`, pa: `${ID}pa`, vu: `${ID}vu`, cu: `${ID}cu`, x0: `${ID}x0`, x1: `${ID}x1` };
const MAC = { va: '02:00:0a:0a:01:01', pa: '02:00:0a:0a:01:02', vu: '02:00:0a:14:00:01', cu: '02:00:0a:14:00:02' };
const MIRROR_SCRIPT = fileURLToPath(new URL('../../../test/network/lab/erspan-mirror.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** Why the lab cannot run here, or undefined when it can. */
function unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'building network namespaces needs root';
  for (const [cmd, args] of [
    ['ip', ['-V']],
    ['tc', ['-V']],
    ['tcpdump', ['--version']],
    ['nft', ['--version']],
    ['iptables', ['--version']],
    [PYTHON, ['--version']],
  ] as const) {
    if (!commandWorks(cmd, [...args])) return `${cmd} is not installed (see .ci/run)`;
  }
  const probe = `${ID}probe`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

const SKIP = unavailable();
let dir = '';
const children: ChildProcess[] = [];

/** Runs a command; a failure is an exception with its output (a broken lab, not a mirrorwatch result). */
function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function inNs(ns: string, cmd: string, args: string[], input?: string): string {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], input);
}

function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGKILL');
  for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}

before(() => {
  if (SKIP) return;
  dir = mkdtempSync(join(tmpdir(), 'mw-live-'));
  try {
    for (const ns of Object.values(NS)) {
      run('ip', ['netns', 'add', ns]);
      // No IPv6: new interfaces would send router solicitations and MLD reports into the mirrors.
      inNs(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    run('ip', ['link', 'add', LINK.va, 'address', MAC.va, 'type', 'veth', 'peer', 'name', LINK.pa, 'address', MAC.pa]);
    run('ip', ['link', 'add', LINK.vu, 'address', MAC.vu, 'type', 'veth', 'peer', 'name', LINK.cu, 'address', MAC.cu]);
    run('ip', ['link', 'set', LINK.va, 'netns', NS.victim]);
    run('ip', ['link', 'set', LINK.pa, 'netns', NS.peer]);
    run('ip', ['link', 'set', LINK.vu, 'netns', NS.victim]);
    run('ip', ['link', 'set', LINK.cu, 'netns', NS.collector]);
    const addr = (ns: string, ip: string, dev: string) => {
      run('ip', ['-n', ns, 'addr', 'add', ip, 'dev', dev]);
      run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    };
    addr(NS.victim, '10.10.1.1/24', LINK.va);
    addr(NS.peer, '10.10.1.2/24', LINK.pa);
    addr(NS.victim, '10.20.0.1/24', LINK.vu);
    addr(NS.collector, '10.20.0.2/24', LINK.cu);
    // Static neighbours: no ARP in the mirrors, so every capture holds exactly the packets counted below.
    const neigh = (ns: string, ip: string, mac: string, dev: string) => run('ip', ['-n', ns, 'neigh', 'replace', ip, 'lladdr', mac, 'dev', dev, 'nud', 'permanent']);
    neigh(NS.victim, '10.10.1.2', MAC.pa, LINK.va);
    neigh(NS.peer, '10.10.1.1', MAC.va, LINK.pa);
    neigh(NS.victim, '10.20.0.2', MAC.cu, LINK.vu);
    neigh(NS.collector, '10.20.0.1', MAC.vu, LINK.cu);
    // The collector has no GRE stack: without this it would answer ERSPAN with ICMP protocol-unreachable.
    inNs(NS.collector, 'nft', ['add table inet mwcol; add chain inet mwcol in { type filter hook input priority 0; policy accept; }; add rule inet mwcol in ip protocol gre drop']);
  } catch (err) {
    cleanup();
    throw err;
  }
});

after(cleanup);

/** Starts tcpdump in a namespace; resolves once it listens. It exits by itself after `count` packets. */
function startCapture(ns: string, dev: string, file: string, count: number, filter: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', dev, '-n', '-U', '--immediate-mode', '-c', String(count), '-w', file, ...filter], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(c);
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    c.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      if (/listening on/.test(err)) {
        clearTimeout(timer);
        resolve(c);
      }
    });
    c.on('exit', (code) => {
      clearTimeout(timer);
      if (!/listening on/.test(err)) reject(new Error(`tcpdump exited (${code}): ${err}`));
    });
  });
}

/** Waits for a child to exit (killing it after `ms`). */
function finished(c: ChildProcess, ms = 8_000): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null) return resolve();
    const timer = setTimeout(() => c.kill('SIGINT'), ms);
    c.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Two pings from the victim to the peer: four ICMP packets on the mirrored interface. */
function ping(): void {
  inNs(NS.victim, 'ping', ['-c', '2', '-i', '0.2', '-W', '1', '10.10.1.2']);
}

/** Captures `count` packets at the collector while `traffic` runs; returns the capture's path. */
async function captureAtCollector(name: string, count: number, filter: string[], traffic: () => Promise<void> | void, dev = LINK.cu, ns = NS.collector): Promise<string> {
  const file = join(dir, `${name}.pcap`);
  const cap = await startCapture(ns, dev, file, count, filter);
  await traffic();
  await finished(cap);
  return file;
}

const captures: Record<string, string> = {};
const MIRROR = 'Mirror Stream to an Unapproved Collector | high';

test('VXLAN mirror with tc clsact + u32 + mirred (VNI 4242) is one mirror-stream alert', { skip: SKIP }, async () => {
  run('ip', ['-n', NS.victim, 'link', 'add', LINK.x0, 'type', 'vxlan', 'id', '4242', 'remote', '10.20.0.2', 'local', '10.20.0.1', 'dstport', '4789', 'dev', LINK.vu]);
  run('ip', ['-n', NS.victim, 'link', 'set', LINK.x0, 'up']);
  run('tc', ['-n', NS.victim, 'qdisc', 'add', 'dev', LINK.va, 'clsact']);
  for (const dir of ['ingress', 'egress']) run('tc', ['-n', NS.victim, 'filter', 'add', 'dev', LINK.va, dir, 'protocol', 'all', 'prio', '1', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'mirror', 'dev', LINK.x0]);
  try {
    captures.tc = await captureAtCollector('tc-mirred-vxlan', 4, ['udp', 'port', '4789'], ping);
  } finally {
    run('tc', ['-n', NS.victim, 'qdisc', 'del', 'dev', LINK.va, 'clsact']);
    run('ip', ['-n', NS.victim, 'link', 'del', LINK.x0]);
  }
  const { alerts } = await scanNetwork([captures.tc]);
  assert.deepEqual(alertTable(alerts), [MIRROR]);
  const d = details(alerts[0]);
  assert.deepEqual([d.encapsulation, d.vni, d.source, d.collector, d.one_way, d.packets, d.inner_conversations_both_directions], ['vxlan', 4242, '10.20.0.1', '10.20.0.2', true, 4, 1]);
});

test('VXLAN mirror with nft netdev dup (VNI 77) is one mirror-stream alert', { skip: SKIP }, async () => {
  run('ip', ['-n', NS.victim, 'link', 'add', LINK.x1, 'type', 'vxlan', 'id', '77', 'remote', '10.20.0.2', 'local', '10.20.0.1', 'dstport', '4789', 'dev', LINK.vu]);
  run('ip', ['-n', NS.victim, 'link', 'set', LINK.x1, 'up']);
  inNs(NS.victim, 'nft', ['-f', '-'], `table netdev mwdup {\n chain in { type filter hook ingress device "${LINK.va}" priority 0; policy accept; dup to "${LINK.x1}"; }\n chain out { type filter hook egress device "${LINK.va}" priority 0; policy accept; dup to "${LINK.x1}"; }\n}\n`);
  try {
    captures.nft = await captureAtCollector('nft-dup-vxlan', 4, ['udp', 'port', '4789'], ping);
  } finally {
    inNs(NS.victim, 'nft', ['delete', 'table', 'netdev', 'mwdup']);
    run('ip', ['-n', NS.victim, 'link', 'del', LINK.x1]);
  }
  const { alerts } = await scanNetwork([captures.nft]);
  assert.deepEqual(alertTable(alerts), [MIRROR]);
  assert.equal(details(alerts[0]).vni, 77);
});

test('iptables TEE clones are one L3-copy alert', { skip: SKIP }, async () => {
  inNs(NS.victim, 'iptables', ['-t', 'mangle', '-A', 'POSTROUTING', '-o', LINK.va, '-j', 'TEE', '--gateway', '10.20.0.2']);
  inNs(NS.victim, 'iptables', ['-t', 'mangle', '-A', 'PREROUTING', '-i', LINK.va, '-j', 'TEE', '--gateway', '10.20.0.2']);
  try {
    captures.tee = await captureAtCollector('iptables-tee', 4, ['icmp'], ping);
  } finally {
    inNs(NS.victim, 'iptables', ['-t', 'mangle', '-F']);
  }
  const { alerts } = await scanNetwork([captures.tee]);
  assert.deepEqual(alertTable(alerts), [MIRROR]);
  const d = details(alerts[0]);
  assert.deepEqual([d.kind, d.sender_mac, d.receiver_mac, d.conversations_total], ['l3-copy', MAC.vu, MAC.cu, 1]);
});

for (const [type, session] of [
  [2, 100],
  [3, 200],
] as const) {
  test(`ERSPAN type ${type === 2 ? 'II' : 'III'} (session ${session}) from a userspace mirror is one mirror-stream alert`, { skip: SKIP }, async () => {
    const mirror = spawn('ip', ['netns', 'exec', NS.victim, PYTHON, MIRROR_SCRIPT, LINK.va, '10.20.0.2', String(type), String(session), '4', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(mirror);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      mirror.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('ready')) resolve();
      });
      mirror.on('exit', (code) => reject(new Error(`erspan-mirror.py exited (${code}) before it was ready`)));
    });
    const name = `erspan${type}`;
    captures[name] = await captureAtCollector(name, 4, ['ip', 'proto', '47'], ping);
    await finished(mirror);
    const { alerts } = await scanNetwork([captures[name]]);
    assert.deepEqual(alertTable(alerts), [MIRROR]);
    const d = details(alerts[0]);
    assert.deepEqual([d.encapsulation, d.erspan_session, d.source, d.collector, d.packets], [type === 2 ? 'erspan-ii' : 'erspan-iii', session, '10.20.0.1', '10.20.0.2', 4]);
  });
}

test('the same traffic with no mirror raises nothing', { skip: SKIP }, async () => {
  captures.none = await captureAtCollector('no-mirror', 4, ['icmp'], ping, LINK.pa, NS.peer);
  const { alerts, events } = await scanNetwork([captures.none]);
  assert.deepEqual(alertTable(alerts), []);
  assert.equal(events.length, 1, 'one ICMP conversation');
});

test('tshark decodes every live capture as mirrorwatch does', { skip: SKIP ?? (haveTshark ? false : 'tshark is not installed') }, async () => {
  const files = Object.values(captures);
  assert.equal(files.length, 6, 'every scenario produced a capture');
  const outputs = await tsharkOutputs(files, true);
  let tunnels = 0;
  files.forEach((f, i) => (tunnels += assertMatchesTshark(f, outputs[i] as string)));
  assert.equal(tunnels, 16, 'VXLAN ×2, ERSPAN ×2, four copies each');
});
