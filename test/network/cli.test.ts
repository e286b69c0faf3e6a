/**
 * The command line on network data, as a user runs it: `scan` takes captures and flow files like any other input
 * (`--collectors FILE` approves collectors; a bad entry is a numbered diagnostic with its line), and
 * `pcap-summary` prints the tunnels of a capture as a table or JSON. Exit codes follow the output contract; no
 * stack trace ever.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStackTrace, parseNdjson, runCli } from '../helpers/cli.js';
import { netFixture } from './helpers.js';

// Each test starts the CLI (about a second each): they run side by side.
describe('mirrorwatch on network data', { concurrency: true }, () => {
  test('scan: captures and flow files in one run, ECS alerts on network datasets', async () => {
    const r = await runCli(['scan', netFixture('lab', 'D-erspan2.pcap'), netFixture('flows', 'lab-beacon_mirrored-nfdump.csv'), '--format', 'ndjson', '--jobs', '1']);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(!hasStackTrace(r.stderr));
    const alerts = parseNdjson(r.stdout) as { rule: { name: string }; event: { dataset: string; kind: string }; mirrorwatch: { analytic: Record<string, unknown> } }[];
    assert.deepEqual(
      alerts.map((a) => `${a.event.dataset} ${a.rule.name}`),
      [
        'network.flow Shadow Flows: Tunnel Copies of a Host\'s Own Traffic',
        'network.flow Beaconing: Fixed-Size Connections at Regular Intervals',
        'network.flow Beaconing: Fixed-Size Connections at Regular Intervals',
        'network.pcap Mirror Stream to an Unapproved Collector',
      ],
    );
    assert.ok(alerts.every((a) => a.event.kind === 'alert'));
    assert.match(r.stderr, /pcap 1, nfdump 1/);
  });

  test('scan --collectors: listed collectors are approved; a bad entry is a located error, the rest still apply', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-collectors-'));
    try {
      const good = join(dir, 'collectors.txt');
      writeFileSync(good, '# NDR sensors\n10.20.0.2    lab-collector\n');
      const ok = await runCli(['scan', netFixture('lab', 'A-vxlan-outer.pcap'), '--collectors', good, '--format', 'ndjson', '--jobs', '1']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, '');
      const bad = join(dir, 'bad.txt');
      writeFileSync(bad, '10.20.0.300\n172.31.9.20/32\n');
      const r = await runCli(['scan', netFixture('lab', 'A-vxlan-outer.pcap'), netFixture('lab', 'aws_vxlan_mirror.pcap'), '--collectors', bad, '--format', 'ndjson', '--jobs', '1']);
      assert.equal(r.code, 2, 'an input error exits 2, alerts still written');
      assert.match(r.stderr, /MW3082 error .*bad\.txt:1: "10\.20\.0\.300" is not an IPv4 or IPv6 address/);
      const alerts = parseNdjson(r.stdout) as { mirrorwatch: { analytic: { collector: string } } }[];
      assert.deepEqual(alerts.map((a) => a.mirrorwatch.analytic.collector), ['10.20.0.2']);
      const missing = await runCli(['scan', netFixture('lab', 'C-tee.pcap'), '--collectors', join(dir, 'nope.txt'), '--format', 'ndjson', '--jobs', '1']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /MW3081 error .*nope\.txt: cannot read the collectors file/);
      assert.ok(!hasStackTrace(missing.stderr));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('scan --tuning: the tuning file\'s approved collector addresses approve data-plane mirrors too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-tuning-collectors-'));
    try {
      const tuning = join(dir, 'tuning.yml');
      writeFileSync(
        tuning,
        ['version: 1', 'approved_collectors:', '  - id: lab-sensor', '    collector: 10.20.0.0/30', '    reason: the lab NDR sensor', '  - id: ndr-nlb', '    collector: arn:aws:elasticloadbalancing:eu-west-1:999988887777:loadbalancer/net/ndr/1', '    reason: an ARN, which the network analytics leave to the cloud rules', ''].join('\n'),
      );
      const approved = await runCli(['scan', netFixture('lab', 'A-vxlan-outer.pcap'), '--tuning', tuning, '--format', 'ndjson', '--jobs', '1']);
      assert.equal(approved.code, 0, approved.stderr);
      assert.equal(approved.stdout, '');
      const untuned = await runCli(['scan', netFixture('lab', 'A-vxlan-outer.pcap'), '--format', 'ndjson', '--jobs', '1']);
      assert.equal(untuned.code, 1, 'the same capture alerts without the tuning file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('scan --state: the new-destination baseline is kept between scans', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-baseline-'));
    try {
      const header = 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt';
      const flow = (t: string, dst: string, bytes: number, sp: number) => `${t},${t},1.000,10.0.0.7,${dst},${sp},443,TCP,.AP.SF,0,0,900,${bytes},0,0`;
      const early = join(dir, 'early.csv');
      writeFileSync(early, [header, flow('2026-11-01 09:00:00', '198.51.100.44', 5000, 50001), ''].join('\n'));
      const later = join(dir, 'later.csv');
      writeFileSync(later, [header, flow('2026-11-20 09:00:00', '198.51.100.44', 3_000_000, 50002), flow('2026-11-20 09:05:00', '203.0.113.9', 3_000_000, 50003), ''].join('\n'));
      const state = join(dir, 'state.db');
      const alone = await runCli(['scan', later, '--no-state', '--format', 'ndjson', '--jobs', '1']);
      assert.equal(alone.stdout, '', 'ten minutes of a host never seen before: nothing to judge against');
      const first = await runCli(['scan', early, '--state', state, '--format', 'ndjson', '--jobs', '1']);
      assert.equal(first.code, 0, first.stderr);
      const second = await runCli(['scan', later, '--state', state, '--format', 'ndjson', '--jobs', '1']);
      assert.equal(second.code, 1, second.stderr);
      const alerts = parseNdjson(second.stdout) as { rule: { name: string }; mirrorwatch: { analytic: { baseline: unknown; new_destinations: { destination: string }[] } } }[];
      assert.deepEqual(alerts.map((a) => a.rule.name), ['Large Volume to a Destination Never Seen from the Host']);
      assert.equal(alerts[0].mirrorwatch.analytic.baseline, 'stored');
      assert.deepEqual(alerts[0].mirrorwatch.analytic.new_destinations.map((d) => d.destination), ['203.0.113.9'], 'the destination seen in the earlier scan is not new');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('pcap-summary: the tunnels of a capture, as a table', async () => {
    const r = await runCli(['pcap-summary', netFixture('lab', 'erspan_types.pcap'), netFixture('crafted', 'vxlan-port-8888.pcap'), netFixture('crafted', 'vxlan-overlay.pcap')]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(r.stdout, /erspan_types\.pcap: pcap, 3 packets \(3 IP, 3 in tunnels\), 2023-11-14 22:13:20 → 2023-11-14 22:13:22 UTC/);
    assert.ok(lines.some((l) => /ERSPAN type II +10\.0\.0\.1 → 10\.0\.0\.99 +GRE +session 100 +1 +126 B +none +172\.31\.5\.10, 93\.184\.216\.34/.test(l)), r.stdout);
    assert.ok(lines.some((l) => /VXLAN +10\.0\.1\.4 → 10\.0\.2\.10 +8888\* +VNI 6000/.test(l)), r.stdout);
    assert.match(r.stdout, /\* not the encapsulation's own port/);
    assert.ok(lines.some((l) => /VXLAN +10\.9\.0\.1 → 10\.9\.0\.2 +4789 +VNI 5001 +5 +482 B +3 +/.test(l)), 'the overlay shows its reverse traffic');
  });

  test('pcap-summary --format json: the same facts as the tunnel events; L3 copies listed', async () => {
    const r = await runCli(['pcap-summary', '--format', 'json', netFixture('lab', 'aws_vxlan_mirror.pcap'), netFixture('lab', 'C-tee.pcap')]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { file: string; packets: number; tunnels: Record<string, unknown>[]; copies: Record<string, unknown>[] }[];
    assert.equal(list.length, 2);
    assert.equal(list[0].packets, 7);
    assert.deepEqual([list[0].tunnels[0].encapsulation, list[0].tunnels[0].vni, list[0].tunnels[0].packets, (list[0].tunnels[0].inner as { truncated_copies: number }).truncated_copies], ['vxlan', 12345, 7, 1]);
    assert.equal(list[1].copies.length, 1);
    assert.equal(list[1].copies[0].conversations_total, 1);
  });

  test('pcap-summary on a file that is not a capture: a numbered error, exit 2, no stack trace', async () => {
    const r = await runCli(['pcap-summary', netFixture('flows', 'day-vpc-custom.log')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /MW2003 error .*day-vpc-custom\.log: not a pcap or pcapng capture/);
    assert.ok(!hasStackTrace(r.stderr));
  });
});
