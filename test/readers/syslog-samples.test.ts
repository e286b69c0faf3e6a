/** Every device sample in the shared reference parses with the right host, user, command and time. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syslogReader } from '../../src/readers/syslog.js';
import { haveSamples, samplesDir } from '../helpers/paths.js';
import { atLine, problems, readSample } from './syslog-helpers.js';

const skip = haveSamples ? false : 'reference samples are not present';
const REF = '2026-03-01T00:00:00Z';

const DEVICE_SAMPLES = [
  'cisco_ios_parser5_cfglog_loggedcmd_public_captures.log',
  'cisco_ios_sys5_config_i_elastic_test.log',
  'cisco_span_state_syslog_UNVERIFIED_test_fixture.log',
  'juniper_mgd_ui_cfg_audit_and_commit_public_capture.log',
  'nxos_accounting_log_networkcoder_readme.log',
  'tacplus_accounting_tac_plus_srlinux_example.log',
];

describe('reference device samples', { skip }, () => {
  test('sniff claims every device sample and each data line becomes one event without warnings', () => {
    for (const name of DEVICE_SAMPLES) {
      const text = readFileSync(join(samplesDir, name), 'utf8');
      assert.deepEqual(syslogReader.sniff(text, name), { kind: 'read' }, name);
      const dataLines = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).length;
      const { events, diagnostics } = readSample(name, { reference: REF });
      assert.deepEqual(problems(diagnostics), [], name);
      assert.equal(events.length, dataLines, name);
    }
  });

  test('sniff does not claim the cloud samples', () => {
    for (const name of [
      'aws_cloudtrail_CreateTrafficMirrorTarget_eni_panther.json',
      'azure_activitylog_eventhub_raw_listkeys_elastic_test.jsonl',
      'gcp_audit_compute_v1_instances_insert_elastic_test.json',
    ]) {
      const text = readFileSync(join(samplesDir, name), 'utf8');
      assert.deepEqual(syslogReader.sniff(text.slice(0, 65536), name), { kind: 'no' }, name);
    }
  });

  test('IOS archive lines: user, command, sub-mode, unsynchronised clock, relay prefix', () => {
    const { events } = readSample('cisco_ios_parser5_cfglog_loggedcmd_public_captures.log', { reference: REF });
    const lisp = atLine(events, 6);
    assert.equal(lisp.fields.user, 'aninchat');
    assert.equal(lisp.fields.command, 'ipv4 source-locator Loopback0');
    assert.equal(lisp.fields.config_context, 'router lisp');
    assert.equal(lisp.fields.command_line, 'router lisp ; ipv4 source-locator Loopback0');
    assert.equal(lisp.time, '2025-11-19T07:16:06.463Z');
    assert.ok(lisp.assumptions?.some((a) => a.startsWith('device clock not synchronised')));
    assert.ok(lisp.assumptions?.includes('year 2025 inferred (RFC 3164 has no year) from the file time'));

    const relayed = atLine(events, 8);
    assert.equal(relayed.fields.host, 'one.one.one.one');
    assert.equal(relayed.fields.user, 'console');
    assert.equal(relayed.fields.command, 'ip ssh authentication-retries 2');
    // The device's own time (10:24:17), not the relay's (13:24:18).
    assert.equal(relayed.time, '2026-01-06T10:24:17.000Z');
    assert.equal(relayed.dataset, 'cisco_ios.log');
    assert.deepEqual(relayed.logsource, { product: 'cisco', service: 'ios', category: 'network_config' });

    const configured = atLine(events, 10);
    assert.equal(configured.fields.mnemonic, 'CONFIG_I');
    assert.equal(configured.fields.user, 'console');
  });

  test('IOS CONFIG_I lines with PRI, sequence and origin-id carry user, address and year', () => {
    const { events } = readSample('cisco_ios_sys5_config_i_elastic_test.log', { reference: REF });
    const first = atLine(events, 1);
    assert.equal(first.fields.user, 'akroh');
    assert.equal(first.fields.source_ip, '10.100.11.10');
    assert.equal(first.fields.tty, 'vty0');
    assert.equal(first.fields.facility, 'SYS');
    assert.equal(first.fields.severity, 5);
    assert.equal(first.time, '2022-01-06T20:52:12.861Z');
    assert.ok(!first.assumptions?.some((a) => a.startsWith('year')), 'the line carries its year');
    assert.equal(atLine(events, 3).fields.host, 'sw01');
    assert.equal(atLine(events, 3).time, '2022-01-06T21:01:34.964Z');
  });

  test('SPAN state lines have no configuration category; the monitor session command names its object', () => {
    const { events } = readSample('cisco_span_state_syslog_UNVERIFIED_test_fixture.log', { reference: REF });
    const up = atLine(events, 4);
    assert.equal(up.fields.facility, 'SPAN');
    assert.equal(up.fields.mnemonic, 'SESSION_UP');
    assert.equal(up.fields.message, 'Session 1 is up');
    assert.deepEqual(up.logsource, { product: 'cisco', service: 'ios' });
    const cmd = atLine(events, 6);
    assert.equal(cmd.fields.user, 'netadmin');
    assert.equal(cmd.fields.command, 'monitor session 1 source interface GigabitEthernet1/0/12');
    assert.match(cmd.actionKey, /^device:.*\|netadmin\|1:monitor session 1$/);
  });

  test('Junos mgd lines: audit commands rebuilt, READ_LINE relative to the edit level', () => {
    const { events } = readSample('juniper_mgd_ui_cfg_audit_and_commit_public_capture.log', { reference: REF });
    const del = atLine(events, 2);
    assert.equal(del.fields.host, 'MX-BP-02-06');
    assert.equal(del.fields.mnemonic, 'UI_CFG_AUDIT_OTHER');
    assert.equal(del.fields.command, 'delete groups orchestream protocols oam ethernet link-fault-management interface ge-3/1/6');
    assert.equal(del.fields.action, 'delete');
    assert.equal(del.time, '2025-04-29T12:57:24.000Z');
    const audit = atLine(events, 7);
    assert.equal(audit.fields.command, 'set groups orchestream interfaces ge-3/1/6 disable');
    const rel = atLine(events, 8);
    assert.equal(rel.fields.command, 'set disable');
    assert.equal(rel.fields.config_context, 'edit groups orchestream interfaces ge-3/1/6');
    assert.equal(rel.fields.command_line, 'edit groups orchestream interfaces ge-3/1/6 ; set disable');
    assert.equal(atLine(events, 12).fields.command, 'set groups orchestream interfaces ge-3/1/6 speed 100m');
    assert.equal(atLine(events, 3).fields.config_session, '');
    assert.equal(atLine(events, 4).fields.config_session, atLine(events, 11).fields.config_session);
  });

  test('NX-OS accounting log: user, address, tty, path split into context and command', () => {
    const { events } = readSample('nxos_accounting_log_networkcoder_readme.log', { reference: REF });
    const frank = atLine(events, 1);
    assert.equal(frank.dataset, 'cisco_nxos.log');
    assert.equal(frank.fields.user, 'frank');
    assert.equal(frank.fields.source_ip, '192.168.12.138');
    assert.equal(frank.fields.tty, 'pts/3');
    assert.equal(frank.fields.command, 'feature scp-server');
    assert.equal(frank.fields.config_context, '');
    assert.equal(frank.fields.status, 'success');
    assert.equal(frank.time, '2020-01-30T01:41:15.000Z');
    assert.equal(frank.fields.host, 'nxos_accounting_log_networkcoder_readme');
    assert.ok(frank.assumptions?.some((a) => a.includes('taken from the file name')));
    const ethan = atLine(events, 2);
    assert.equal(ethan.fields.config_context, 'interface Ethernet1/10');
    assert.equal(ethan.fields.command, 'description "this is a new interface"');
  });

  test('tac_plus accounting: NAS, user, address, command and the record key', () => {
    const { events } = readSample('tacplus_accounting_tac_plus_srlinux_example.log', { reference: REF });
    const e = atLine(events, 1);
    assert.equal(e.dataset, 'tacacs.accounting');
    assert.deepEqual(e.logsource, { product: 'cisco', service: 'aaa', category: 'network_config' });
    assert.equal(e.fields.host, '10.1.1.2');
    assert.equal(e.fields.user, 'admin');
    assert.equal(e.fields.source_ip, '10.1.1.1');
    assert.equal(e.fields.command, 'commit stay');
    assert.equal(e.fields.action, 'stop');
    assert.equal(e.time, '2020-07-17T17:41:26.000Z');
    assert.equal(e.recordKey, 'tacacs:10.1.1.2:129:stop');
    assert.equal(atLine(events, 2).recordKey, 'tacacs:10.1.1.2:130:start');
  });
});
