/**
 * Scanning the reference samples (public records from Panther's rule tests, Elastic's integration tests, Microsoft's
 * documentation and public device captures) gives exactly the alerts they call for, and none for the benign records.
 * Panther's own test expectations are the oracle for CloudTrail, with one deliberate difference required by the
 * issue: a person's read-only `DescribeTrafficMirrorTargets` is a low alert (enumeration), while AWS Config's
 * identical call (`invokedBy: config.amazonaws.com`) raises nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasStackTrace, parseNdjson, runCli } from '../helpers/cli.js';
import { samplesDir } from '../helpers/paths.js';

const EXPECTED: [file: string, rule: string, severity: string, outcome: string][] = [
  ['aws_cloudtrail_CreateTrafficMirrorFilterRule_assumedrole_panther.json', 'AWS Traffic Mirror Filter or Filter Rule Created or Modified', 'medium', 'success'],
  ['aws_cloudtrail_CreateTrafficMirrorFilter_assumedrole_panther.json', 'AWS Traffic Mirror Filter or Filter Rule Created or Modified', 'medium', 'success'],
  ['aws_cloudtrail_CreateTrafficMirrorSession_error_NetworkInterfaceNotSupported_panther.json', 'AWS Traffic Mirror Session Created', 'high', 'failure'],
  ['aws_cloudtrail_CreateTrafficMirrorTarget_eni_panther.json', 'AWS Traffic Mirror Target Created', 'high', 'success'],
  ['aws_cloudtrail_DeleteTrafficMirrorTarget_panther.json', 'AWS Traffic Mirroring Resources Deleted', 'high', 'success'],
  ['aws_cloudtrail_DescribeTrafficMirrorTargets_console_panther.json', 'AWS Traffic Mirroring Configuration Enumerated', 'low', 'success'],
  ['aws_cloudtrail_ModifyTrafficMirrorSession_RemoveField_panther.json', 'AWS Traffic Mirror Session Modified', 'high', 'success'],
  // Panther's samples are one role (MakeStuffPublic) building a target, a filter, a rule and a session within the
  // hour: the pipeline correlation links them (its first evidence is the earliest part).
  ['aws_cloudtrail_CreateTrafficMirrorFilterRule_assumedrole_panther.json', 'AWS Traffic Mirroring Pipeline Built by One Principal', 'high', 'success'],
  ['cisco_span_state_syslog_UNVERIFIED_test_fixture.log', 'Cisco SPAN Session or Packet Capture Came Up', 'low', 'unknown'],
  ['cisco_span_state_syslog_UNVERIFIED_test_fixture.log', 'Cisco SPAN Session or Packet Capture Came Up', 'low', 'unknown'],
  ['cisco_span_state_syslog_UNVERIFIED_test_fixture.log', 'SPAN, RSPAN or ERSPAN Monitor Session Configured', 'high', 'unknown'],
];

/** Samples that are not log records (API examples, ECS documents, documentation): recognised as such, not read. */
const NOT_LOGS = [
  'README.md',
  'SOURCES.md',
  'aws_ec2_api_CreateTrafficMirrorSession_cli_output_awscli_example.json',
  'azure_activitylog_ecs_mapped_sample_event_elastic.json',
  'azure_rest_NetworkInterfaceTapConfigurationCreate_example_2024-05-01.json',
  'azure_rest_VirtualNetworkTapCreate_example_2024-05-01.json',
  'cisco_ios_cfglog_ecs_mapped_SYNTHETIC_generator.json',
  'gcp_audit_compute_instances_insert_ecs_expected_EXCERPT_elastic.json',
];

test('the reference samples raise exactly the expected alerts and nothing for benign records', async () => {
  const r = await runCli(['scan', samplesDir, '--format', 'ndjson', '--ignore-unknown', '--min-level', 'informational', '--no-state']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(hasStackTrace(r.stderr), false);
  const got = parseNdjson(r.stdout)
    .map((a) => {
      const origin = (a.mirrorwatch as { evidence: { origin: string }[] }).evidence[0].origin;
      const file = origin.slice(samplesDir.length + 1).replace(/:\d+.*$/, '');
      return [file, (a.rule as { name: string }).name, (a.mirrorwatch as { severity: string }).severity, (a.event as { outcome: string }).outcome];
    })
    .sort();
  assert.deepEqual(got, [...EXPECTED].sort());
  // Files that are not logs are named, as notes; no other diagnostics.
  const notes = r.stderr.split('\n').filter((l) => /^MW\d{4} /.test(l));
  assert.equal(notes.filter((l) => / (error|warning) /.test(l)).length, 0, notes.join('\n'));
  for (const f of NOT_LOGS) assert.ok(notes.some((l) => l.includes(`MW2003 info`) && l.includes(f)), `${f} should be reported as not a log format`);
});
