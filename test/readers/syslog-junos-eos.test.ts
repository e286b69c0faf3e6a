/** Juniper Junos (RFC 3164 and structured RFC 5424) and Arista EOS: mirroring configuration. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { atLine, byLine, problems, readFixture, readText } from './syslog-helpers.js';

describe('Junos analyzer (EX) from RFC 3164 mgd lines', () => {
  const { events, diagnostics } = readFixture('junos-analyzer.log');

  test('all lines are Junos configuration records of one session', () => {
    assert.deepEqual(problems(diagnostics), []);
    assert.equal(events.length, 15);
    for (const e of events) {
      assert.equal(e.dataset, 'juniper.log');
      assert.deepEqual(e.logsource, { product: 'juniper', service: 'junos', category: 'network_config' });
    }
    const sessions = new Set(events.map((e) => e.fields.config_session));
    assert.deepEqual([...sessions].sort(), ['', 'ex4300-1|jnpr-admin|1']);
    assert.equal(atLine(events, 13).fields.config_session, '', 'UI_COMMIT_COMPLETED names no user');
  });

  test('UI_CMDLINE_READ_LINE inside `edit forwarding-options` is relative to it', () => {
    const rel = atLine(events, 5);
    assert.equal(rel.fields.command, 'set analyzer A1 input ingress interface ge-0/0/1.0');
    assert.equal(rel.fields.config_context, 'edit forwarding-options');
    assert.equal(rel.fields.command_line, 'edit forwarding-options ; set analyzer A1 input ingress interface ge-0/0/1.0');
    assert.equal(rel.actionKey, 'device:ex4300-1|jnpr-admin|1:forwarding-options analyzer A1');
  });

  test('UI_CFG_AUDIT_* paths are absolute and rebuilt into commands', () => {
    const other = atLine(events, 4);
    assert.equal(other.fields.command, 'set forwarding-options analyzer A1 input ingress interface ge-0/0/1.0');
    assert.equal(other.fields.config_context, '');
    assert.equal(other.fields.action, 'set');
    const value = atLine(events, 6);
    assert.equal(value.fields.command, 'set forwarding-options analyzer A1 output ip-address 192.0.2.30');
    assert.equal(value.actionKey, 'device:ex4300-1|jnpr-admin|1:forwarding-options analyzer A1');
    assert.equal(atLine(events, 10).fields.command, 'set interfaces ge-0/0/1 description "tap source"');
  });

  test('`top` returns to the top level', () => {
    assert.equal(atLine(events, 8).fields.config_context, 'edit forwarding-options', '`top` is typed at the level');
    const after = atLine(events, 9);
    assert.equal(after.fields.config_context, '');
    assert.equal(after.actionKey, after.recordKey);
  });

  test('times: RFC 3164 without year or zone, with the assumptions recorded', () => {
    const e = atLine(events, 1);
    assert.equal(e.time, '2026-03-03T14:00:01.000Z');
    assert.deepEqual(e.assumptions, [
      'time zone UTC assumed (the line names none)',
      'year 2026 inferred (RFC 3164 has no year) from the file time',
    ]);
  });
});

describe('Junos edit levels', () => {
  test('`edit` nests, `exit` returns to the previous level, `up` climbs, `top edit` starts from the top', () => {
    const cmd = (sec: number, c: string): string =>
      `Mar  3 14:10:${String(sec).padStart(2, '0')} ex1 mgd[9]: UI_CMDLINE_READ_LINE: User 'ops', command '${c} '\n`;
    const { events } = readText(
      cmd(0, 'configure') +
        cmd(1, 'edit forwarding-options') +
        cmd(2, 'edit analyzer A2') +
        cmd(3, 'set output ip-address 198.51.100.9') +
        cmd(4, 'exit') +
        cmd(5, 'set analyzer A3 input ingress vlan 10') +
        cmd(6, 'up') +
        cmd(7, 'top edit interfaces ge-0/0/5') +
        cmd(8, 'set description tap') +
        cmd(9, 'top set forwarding-options analyzer A4 output interface ge-0/0/9.0'),
    );
    const e = byLine(events);
    assert.equal(e[3].fields.config_context, 'edit forwarding-options analyzer A2');
    assert.equal(e[3].actionKey, 'device:ex1|ops|1:forwarding-options analyzer A2');
    assert.equal(e[5].fields.config_context, 'edit forwarding-options');
    assert.equal(e[5].actionKey, 'device:ex1|ops|1:forwarding-options analyzer A3');
    assert.equal(e[8].fields.config_context, 'edit interfaces ge-0/0/5');
    assert.equal(e[9].actionKey, 'device:ex1|ops|1:forwarding-options analyzer A4');
  });
});

describe('Junos port mirroring (MX) from structured RFC 5424 lines', () => {
  const { events, diagnostics } = readFixture('junos-port-mirroring-5424.log');

  test('no problems; RFC 5424 time, priority and MSGID', () => {
    assert.deepEqual(problems(diagnostics), []);
    const e = atLine(events, 2);
    assert.equal(e.time, '2026-03-03T15:10:02.114Z');
    assert.equal(e.assumptions, undefined);
    assert.equal(e.fields.facility, 'local7');
    assert.equal(e.fields.severity, 6);
    assert.equal(e.fields.mnemonic, 'UI_CMDLINE_READ_LINE');
    assert.equal(e.fields.user, 'opsbot');
  });

  test('port-mirroring instances and the global port-mirroring options are objects', () => {
    assert.equal(atLine(events, 2).actionKey, 'device:mx480-edge1|opsbot|1:forwarding-options port-mirroring instance PM1');
    assert.equal(atLine(events, 3).actionKey, atLine(events, 2).actionKey);
    const rate = atLine(events, 4);
    assert.equal(rate.fields.command, 'set forwarding-options port-mirroring input rate 1');
    assert.equal(rate.actionKey, 'device:mx480-edge1|opsbot|1:forwarding-options port-mirroring');
    const filter = atLine(events, 5);
    assert.equal(filter.fields.command, 'set firewall family inet filter MIRROR term all then port-mirror-instance PM1');
    assert.equal(filter.actionKey, filter.recordKey);
  });

  test('deletions are rebuilt with their verb', () => {
    const del = atLine(events, 7);
    assert.equal(del.fields.command, 'delete forwarding-options port-mirroring instance PM0');
    assert.equal(del.fields.action, 'delete');
    assert.equal(del.actionKey, 'device:mx480-edge1|opsbot|1:forwarding-options port-mirroring instance PM0');
  });

  test('the commit closes the session; its message is kept', () => {
    const commit = atLine(events, 8);
    assert.equal(commit.fields.config_session, 'mx480-edge1|opsbot|1');
    assert.equal(commit.fields.message, "User 'opsbot' requested 'commit' operation (comment: mirror for case 4711)");
  });
});

describe('Arista EOS command accounting to syslog', () => {
  const { events, diagnostics } = readFixture('arista-eos.log');

  test('agent-tagged lines are EOS; the configuration session starts with its address', () => {
    assert.deepEqual(problems(diagnostics), []);
    const enter = atLine(events, 1);
    assert.equal(enter.dataset, 'arista_eos.log');
    assert.equal(enter.fields.vendor, 'arista');
    assert.equal(enter.fields.os, 'eos');
    assert.equal(enter.fields.mnemonic, 'CONFIG_E');
    assert.equal(enter.fields.source_ip, '10.20.30.50');
    const sessions = new Set(events.filter((e) => e.fields.user === 'noc').map((e) => e.fields.config_session));
    assert.deepEqual([...sessions], ['leaf3|noc|1']);
  });

  test('single-line monitor session commands, including the GRE tunnel destination', () => {
    const gre = atLine(events, 4);
    assert.equal(gre.fields.command, 'monitor session S1 destination tunnel mode gre source 10.0.0.1 destination 192.0.2.10');
    assert.equal(gre.fields.config_context, '');
    assert.equal(gre.fields.user, 'noc');
    assert.equal(gre.fields.tty, 'vty4');
    assert.equal(gre.fields.source_ip, '10.20.30.50');
    assert.equal(gre.fields.action, 'stop');
    assert.equal(gre.actionKey, 'device:leaf3|noc|1:monitor session S1');
    assert.equal(atLine(events, 3).actionKey, gre.actionKey);
    assert.deepEqual(gre.logsource, { product: 'arista', service: 'eos', category: 'network_config' });
  });

  test('interface state lines are EOS without a category', () => {
    const up = atLine(events, 7);
    assert.equal(up.fields.os, 'eos');
    assert.deepEqual(up.logsource, { product: 'arista', service: 'eos' });
  });
});
