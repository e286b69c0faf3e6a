/**
 * Bad input (issue: "Bad input gets a clear error, and nothing is lost"): malformed JSON, truncated gzip, invalid
 * UTF-8, a 50 MB single line, a binary file, an unknown format and an unreadable file, all in one scan. Each gives
 * one diagnostic naming the file and the location; every good record around them is still scanned and alerted on;
 * the exit code is 2; no stack trace.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hasStackTrace, parseNdjson, runCli } from '../helpers/cli.js';

let dir = '';

function trail(eventName: string, eventID: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.10',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAQ3EXAMPLEXYZ12345', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333', accessKeyId: 'AKIAQ3EXAMPLEMALLORY', userName: 'mallory' },
    eventTime: '2026-11-21T09:15:02Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.9',
    userAgent: 'aws-cli/2.19.1',
    requestParameters: {
      [`${eventName}Request`]: { NetworkInterfaceId: 'eni-0123456789abcdef0', TrafficMirrorTargetId: 'tmt-0123456789abcdef0', TrafficMirrorFilterId: 'tmf-0123456789abcdef0', SessionNumber: 1 },
    },
    responseElements: null,
    requestID: `${eventID}-req`,
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    ...extra,
  };
}

const SPAN = (host: string, n: number) =>
  `<189>${n}: ${host}: Nov 21 2026 09:20:0${n % 10}.100: %PARSER-5-CFGLOG_LOGGEDCMD: User:mallory  logged command:monitor session ${n} source interface GigabitEthernet1/0/${n} both`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-bad-'));
  // 1. Malformed JSON: line 2 is broken (and names a mirroring call, so the prefilter sends it to the parser).
  await writeFile(
    join(dir, 'malformed.json'),
    [
      JSON.stringify(trail('DescribeInstances', '00000000-0000-4000-8000-000000000001')),
      '{"eventName": "CreateTrafficMirrorSession", "eventSource": ec2.amazonaws.com}',
      JSON.stringify(trail('CreateTrafficMirrorSession', '00000000-0000-4000-8000-000000000002')),
    ].join('\n') + '\n',
  );
  // 2. Truncated gzip: the first record (an attack) survives the cut, the rest of the file is lost.
  const records = [trail('CreateTrafficMirrorTarget', '00000000-0000-4000-8000-000000000003')];
  for (let i = 0; i < 200; i++) records.push(trail('DescribeInstances', `00000000-0000-4000-8000-1${String(i).padStart(11, '0')}`, { pad: 'x'.repeat(200 + (i % 7)) }));
  const gz = gzipSync(JSON.stringify({ Records: records }));
  await writeFile(join(dir, '111122223333_CloudTrail_us-east-1_20261121T0920Z_truncatedAbCdEf12.json.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
  // 3. Invalid UTF-8 in a syslog line; the SPAN configuration after it must still alert.
  await writeFile(
    join(dir, 'invalid-utf8.log'),
    Buffer.concat([
      Buffer.from(`${SPAN('sw-utf8', 1)}\n<189>2: sw-utf8: Nov 21 2026 09:20:02.200: %SYS-5-CONFIG_I: Configured from console by `),
      Buffer.from([0xff, 0xfe, 0x41]),
      Buffer.from(` on vty0 (10.0.0.5)\n${SPAN('sw-utf8', 3)}\n`),
    ]),
  );
  // 4. A 50 MB single line between two good records.
  await writeFile(
    join(dir, 'huge-line.json'),
    JSON.stringify(trail('DescribeVpcs', '00000000-0000-4000-8000-000000000004')) +
      '\n{"eventName":"CreateTrafficMirrorSession","pad":"' + 'A'.repeat(50 * 1024 * 1024) + '"}\n' +
      JSON.stringify(trail('CreateTrafficMirrorFilter', '00000000-0000-4000-8000-000000000005')) + '\n',
  );
  // 5. A binary file.
  const bin = Buffer.alloc(4096);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
  await writeFile(join(dir, 'capture.bin'), bin);
  // 6. An unknown format.
  await writeFile(join(dir, 'inventory.csv'), 'hostname,ip,site\nsw-core-1,10.0.0.1,ams\nsw-dist-2,10.0.0.2,ams\n');
  // 7. An unreadable file: /proc/self/mem is a regular file whose first read fails with EIO (even for root, who
  //    can read any file a permission bit would protect).
  if (existsSync('/proc/self/mem')) await symlink('/proc/self/mem', join(dir, 'unreadable.log'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('each bad input gets one located diagnostic, the good records are all scanned, exit code 2', async () => {
  const r = await runCli(['scan', dir, '--format', 'ndjson']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(hasStackTrace(r.stderr), false, r.stderr);
  const err = r.stderr;
  // Malformed JSON: file and line 2, column where the value starts.
  assert.match(err, /MW2110 error .*malformed\.json:2:\d+.*/);
  // Truncated gzip: the compressed byte offset reached.
  assert.match(err, /MW2006 error .*truncatedAbCdEf12\.json\.gz@\d+: truncated gzip data/);
  // Invalid UTF-8: byte offset.
  assert.match(err, /MW2007 error .*invalid-utf8\.log@\d+: invalid UTF-8 at byte offset \d+/);
  // The 50 MB line: reported and skipped, not buffered.
  assert.match(err, /huge-line\.json:2.*larger than/);
  // Binary and unknown formats.
  assert.match(err, /MW2004 error .*capture\.bin: binary content/);
  assert.match(err, /MW2003 error .*inventory\.csv: not a format mirrorwatch reads/);
  if (existsSync('/proc/self/mem')) assert.match(err, /MW2002 error .*unreadable\.log: cannot read .*unreadable\.log/);
  // Every good record still raised its alert.
  const names = parseNdjson(r.stdout)
    .map((a) => `${(a.rule as { name: string }).name} @ ${String((a.mirrorwatch as { evidence: { origin: string }[] }).evidence[0].origin).replace(dir, '')}`)
    .sort();
  assert.deepEqual(names, [
    'AWS Traffic Mirror Filter or Filter Rule Created or Modified @ /huge-line.json:3',
    'AWS Traffic Mirror Session Created @ /malformed.json:3',
    'AWS Traffic Mirror Target Created @ /111122223333_CloudTrail_us-east-1_20261121T0920Z_truncatedAbCdEf12.json.gz:1:13 (record 0)',
    // One user built target, filter and session within the hour, across three damaged files: the pipeline correlation.
    'AWS Traffic Mirroring Pipeline Built by One Principal @ /111122223333_CloudTrail_us-east-1_20261121T0920Z_truncatedAbCdEf12.json.gz:1:13 (record 0)',
    'SPAN, RSPAN or ERSPAN Monitor Session Configured @ /invalid-utf8.log:1',
    'SPAN, RSPAN or ERSPAN Monitor Session Configured @ /invalid-utf8.log:3',
  ]);
  assert.match(r.stderr, /Problems: \d+ error\(s\)/);
});

test('alerts are still written to --output when inputs have errors', async () => {
  const out = join(dir, 'alerts.ndjson');
  const r = await runCli(['scan', join(dir, 'malformed.json'), '--format', 'ndjson', '--output', out]);
  assert.equal(r.code, 2);
  const { readFile } = await import('node:fs/promises');
  const alerts = parseNdjson(await readFile(out, 'utf8'));
  assert.equal(alerts.length, 1);
  await rm(out);
});

test('--ignore-unknown turns unrecognised files into notes; the exit code then reflects alerts only', async () => {
  const r = await runCli(['scan', join(dir, 'inventory.csv'), '--ignore-unknown', '--format', 'ndjson']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /MW2003 info .*inventory\.csv/);
});

test('stdin is read with -', async () => {
  const r = await runCli(['scan', '-', '--format', 'ndjson'], { input: `${JSON.stringify(trail('CreateTrafficMirrorSession', '00000000-0000-4000-8000-000000000009'))}\n` });
  assert.equal(r.code, 1, r.stderr);
  const alerts = parseNdjson(r.stdout);
  assert.equal(alerts.length, 1);
  assert.equal((alerts[0].mirrorwatch as { evidence: { origin: string }[] }).evidence[0].origin, '-:1');
});

test('gzip on stdin is detected by its magic bytes, not a file name', async () => {
  const input = gzipSync(JSON.stringify({ Records: [trail('DeleteTrafficMirrorSession', '00000000-0000-4000-8000-00000000000a')] }));
  const r = await runCli(['scan', '-', '--format', 'ndjson'], { input });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(parseNdjson(r.stdout).length, 1);
});
