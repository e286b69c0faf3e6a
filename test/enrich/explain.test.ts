/** `mirrorwatch explain`: the technique knowledge base as text and JSON; an unknown technique is a usage error. */
import assert from 'node:assert/strict';
import test from 'node:test';
import type { TechniqueKnowledge } from '../../src/enrich/knowledge-base.js';
import { hasStackTrace, runCli } from '../helpers/cli.js';

test('explain T1020.001 prints every section of the knowledge base', async () => {
  const r = await runCli(['explain', 'T1020.001']);
  assert.equal(r.code, 0, r.stderr);
  for (const heading of ['Description', 'Platforms', 'Detection strategy DET0403', 'Data sources', 'Mitigations', 'Mappings', 'References']) {
    assert.match(r.stdout, new RegExp(`^${heading}`, 'm'), heading);
  }
  assert.match(r.stdout, /^T1020\.001 Traffic Duplication {2}\(T1020 Automated Exfiltration; tactic TA0010 Exfiltration\)/);
  assert.match(r.stdout, /Network Devices, IaaS/);
  assert.match(r.stdout, /AN1131 \(IaaS\)/);
  assert.match(r.stdout, /AN1132 \(Network Devices\)/);
  assert.match(r.stdout, /MirrorDestinationCIDR/);
  assert.match(r.stdout, /DC0078 Network Traffic Flow: AWS:CloudTrail/);
  for (const m of ['M1041 Encrypt Sensitive Information', 'M1018 User Account Management', 'M1057 Data Loss Prevention']) assert.match(r.stdout, new RegExp(m));
  assert.match(r.stdout, /VERIS 1\.4\.0 .*attribute\.confidentiality\.data_disclosure/);
  assert.match(r.stdout, /AWS 12\.12\.2024 .*aws_config — AWS Config; technique_scores protect\/partial → T1020\.001/);
  assert.match(r.stdout, /aws_iot_device_defender — AWS IoT Device Defender; technique_scores protect\/partial/);
  assert.match(r.stdout, /https:\/\/attack\.mitre\.org\/techniques\/T1020\/001\//);
});

test('explain --format json is the knowledge base as data; ids match case-insensitively', async () => {
  const r = await runCli(['explain', 't1020.001', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const k = JSON.parse(r.stdout) as TechniqueKnowledge;
  assert.equal(k.id, 'T1020.001');
  assert.deepEqual(k.platforms, ['Network Devices', 'IaaS']);
  assert.equal(k.detectionStrategy.id, 'DET0403');
  assert.deepEqual(k.detectionStrategy.analytics.map((a) => a.id), ['AN1131', 'AN1132']);
  assert.deepEqual(k.detectionStrategy.analytics[0].mutableElements.map((m) => m.field), ['TimeWindow', 'MirrorDestinationCIDR', 'UserIdentity']);
  assert.deepEqual(k.mitigations.map((m) => m.id), ['M1041', 'M1018', 'M1057']);
  assert.deepEqual(
    k.mappings.map((m) => [m.framework, m.capabilityId, m.category ?? null, m.score ?? null]),
    [
      ['VERIS', 'attribute.confidentiality.data_disclosure', null, null],
      ['VERIS', 'action.malware.variety.Export data', null, null],
      ['AWS', 'aws_config', 'protect', 'partial'],
      ['AWS', 'aws_iot_device_defender', 'protect', 'partial'],
    ],
  );
  assert.ok(k.references.length >= 8);
});

test('an unknown technique is a usage error (exit 2) naming the known one, without a stack trace', async () => {
  const r = await runCli(['explain', 'T1040']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /MW4290 unknown technique "T1040": mirrorwatch knows T1020\.001 \(Traffic Duplication\)/);
  assert.ok(!hasStackTrace(r.stderr));
  const bad = await runCli(['explain', 'T1020.001', '--format', 'yaml']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /MW3002 --format/);
});
