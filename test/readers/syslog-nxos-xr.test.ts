/** NX-OS (accounting log and syslog) and IOS-XR (syslog and TACACS+ accounting): mirroring configuration. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { atLine, problems, readFixture } from './syslog-helpers.js';

describe('NX-OS ERSPAN from the local accounting log', () => {
  const { events, diagnostics } = readFixture('nxos-accounting.log');

  test('every line is an NX-OS configuration record; the device is named after the file', () => {
    assert.deepEqual(problems(diagnostics), []);
    assert.equal(events.length, 12);
    for (const e of events) {
      assert.equal(e.dataset, 'cisco_nxos.log');
      assert.equal(e.fields.log_type, 'nxos_accounting');
      assert.equal(e.fields.host, 'nxos-accounting');
      assert.deepEqual(e.logsource, { product: 'cisco', service: 'nxos', category: 'network_config' });
      assert.ok(e.assumptions?.includes('host "nxos-accounting" taken from the file name (the line names no device)'));
      assert.ok(e.assumptions?.includes('time zone UTC assumed (the line names none)'));
      assert.ok(!e.assumptions?.some((a) => a.startsWith('year')), 'the accounting log has the year');
    }
  });

  test('`configure terminal` is dropped and the path splits into context and command', () => {
    const create = atLine(events, 4);
    assert.equal(create.fields.command, 'monitor session 2 type erspan-source');
    assert.equal(create.fields.config_context, '');
    const dest = atLine(events, 7);
    assert.equal(dest.fields.command, 'destination ip 192.0.2.20');
    assert.equal(dest.fields.config_context, 'monitor session 2 type erspan-source');
    assert.equal(dest.fields.command_line, 'monitor session 2 type erspan-source ; destination ip 192.0.2.20');
    assert.equal(dest.fields.source_ip, '10.20.30.40');
    assert.equal(dest.fields.tty, 'pts/0');
    assert.equal(dest.fields.status, 'success');
    assert.equal(dest.time, '2026-03-03T11:21:07.000Z');
    for (const line of [4, 5, 6, 7, 8, 9, 10]) {
      assert.equal(atLine(events, line).actionKey, 'device:nxos-accounting|netops|1:monitor session 2', `line ${line}`);
    }
  });

  test('a failed command is marked failure; an exec command is top level with its own key', () => {
    assert.equal(atLine(events, 10).fields.status, 'failure');
    const show = atLine(events, 11);
    assert.equal(show.fields.command, 'show monitor session 2');
    assert.equal(show.fields.config_context, '');
    assert.equal(show.actionKey, show.recordKey);
    const origin = atLine(events, 3);
    assert.equal(origin.fields.command, 'monitor erspan origin ip-address 10.1.1.1 global');
    assert.equal(origin.actionKey, origin.recordKey);
  });

  test('login, `configure terminal` and logout stay in one session', () => {
    const ids = new Set(events.map((e) => e.fields.config_session));
    assert.deepEqual([...ids], ['nxos-accounting|netops|1']);
    assert.equal(atLine(events, 1).fields.action, 'start');
    assert.equal(atLine(events, 12).fields.action, 'stop');
  });
});

describe('NX-OS SPAN from syslog', () => {
  const { events, diagnostics } = readFixture('nxos-syslog.log');

  test('year-first NX-OS lines are read as NX-OS with their year and no problems', () => {
    assert.deepEqual(problems(diagnostics), []);
    const first = atLine(events, 2);
    assert.equal(first.dataset, 'cisco_nxos.log');
    assert.equal(first.fields.os, 'nxos');
    assert.equal(first.fields.host, 'n9k-leaf1');
    assert.equal(first.fields.mnemonic, 'AAA_ACCOUNTING_MESSAGE');
    assert.equal(first.fields.facility, 'AAA');
    assert.equal(first.fields.severity, 6);
    assert.equal(first.time, '2026-03-03T11:20:44.000Z');
    assert.ok(!first.assumptions?.some((a) => a.startsWith('year')));
  });

  test('AAA accounting messages carry the mode path, user, address and status', () => {
    const src = atLine(events, 3);
    assert.equal(src.fields.command, 'source interface ethernet 1/1 both');
    assert.equal(src.fields.config_context, 'monitor session 7');
    assert.equal(src.fields.user, 'netops');
    assert.equal(src.fields.source_ip, '10.20.30.40');
    assert.equal(src.fields.status, 'success');
    assert.equal(src.actionKey, 'device:n9k-leaf1|netops|1:monitor session 7');
    const monitorPort = atLine(events, 5);
    assert.equal(monitorPort.fields.command_line, 'interface ethernet 1/48 ; switchport monitor');
    assert.equal(monitorPort.actionKey, monitorPort.recordKey);
  });

  test('VSHD configuration messages name user, address and tty; state messages have no category', () => {
    const cfg = atLine(events, 8);
    assert.equal(cfg.fields.mnemonic, 'VSHD_SYSLOG_CONFIG_I');
    assert.equal(cfg.fields.user, 'netops');
    assert.equal(cfg.fields.source_ip, '10.20.30.40');
    assert.equal(cfg.fields.tty, 'pts/0');
    assert.equal(cfg.fields.config_session, 'n9k-leaf1|netops|1');
    assert.deepEqual(atLine(events, 7).logsource, { product: 'cisco', service: 'nxos' });
    const console0 = atLine(events, 10);
    assert.equal(console0.fields.host, 'n9k-leaf2');
    assert.equal(console0.fields.tty, 'console0');
    assert.equal(console0.fields.source_ip, '');
    assert.equal(console0.time, '2026-03-03T11:31:00.000Z');
    assert.equal(atLine(events, 9).fields.severity, 5, 'from the mnemonic, not PRI 190');
  });
});

describe('IOS-XR syslog', () => {
  const { events, diagnostics } = readFixture('iosxr-syslog.log');

  test('node-prefixed lines are IOS-XR; commit and configuration messages name the user', () => {
    assert.deepEqual(problems(diagnostics), []);
    const commit = atLine(events, 2);
    assert.equal(commit.dataset, 'cisco_iosxr.log');
    assert.equal(commit.fields.host, 'pe1-ams');
    assert.equal(commit.fields.facility, 'MGBL-CONFIG');
    assert.equal(commit.fields.mnemonic, 'DB_COMMIT');
    assert.equal(commit.fields.user, 'neteng');
    assert.equal(commit.time, '2026-03-03T12:00:41.228Z');
    const configured = atLine(events, 3);
    assert.equal(configured.fields.source_ip, '198.51.100.23');
    assert.equal(configured.fields.tty, 'vty0');
    assert.equal(configured.fields.config_session, commit.fields.config_session);
  });

  test('command accounting to syslog names the monitor-session object', () => {
    const acct = atLine(events, 4);
    assert.equal(acct.fields.host, 'pe2-fra');
    assert.equal(acct.fields.command, 'monitor-session MIRROR2 ethernet destination interface GigabitEthernet0/0/0/9');
    assert.equal(acct.fields.user, 'netconf-ops');
    assert.equal(acct.fields.source_ip, '10.0.0.1');
    assert.equal(acct.actionKey, 'device:pe2-fra|netconf-ops|1:monitor-session MIRROR2');
  });

  test('a line with only a node id has its device named after the file and its year from the line', () => {
    const e = atLine(events, 5);
    assert.equal(e.fields.os, 'iosxr');
    assert.equal(e.fields.host, 'iosxr-syslog');
    assert.equal(e.time, '2026-03-03T12:06:00.010Z');
  });
});

describe('IOS-XR monitor-session through TACACS+ accounting', () => {
  const { events, diagnostics } = readFixture('tacacs-iosxr.acct');

  test('the monitor-session sub-mode and the interface attachment share one action key', () => {
    assert.deepEqual(problems(diagnostics), []);
    const key = 'device:10.0.0.9|neteng|1:monitor-session MIRROR1';
    for (const line of [1, 2, 3, 4, 5, 7]) assert.equal(atLine(events, line).actionKey, key, `line ${line}`);
    const dest = atLine(events, 4);
    assert.equal(dest.fields.command, 'destination interface GigabitEthernet0/0/0/9');
    assert.equal(dest.fields.config_context, 'monitor-session MIRROR1 ethernet');
    const attach = atLine(events, 7);
    assert.equal(attach.fields.command_line, 'interface GigabitEthernet0/0/0/1 ; monitor-session MIRROR1 ethernet direction rx-only');
    assert.equal(atLine(events, 6).fields.config_context, '', '`exit` closed the monitor-session mode');
  });

  test('a stop record repeats its start record\'s place without moving the mode stack twice', () => {
    assert.equal(atLine(events, 3).fields.command_line, atLine(events, 4).fields.command_line);
    assert.equal(atLine(events, 1).fields.config_context, '');
    assert.equal(atLine(events, 2).fields.config_context, '');
  });
});
