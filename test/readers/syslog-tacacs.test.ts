/** TACACS+ accounting: start/stop pairs, sub-modes, exec commands, records relayed through syslog. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { atLine, problems, readFixture, readText } from './syslog-helpers.js';

describe('IOS ERSPAN typed over TACACS+ with start-stop accounting', () => {
  const { events, diagnostics } = readFixture('tacacs-ios-erspan.acct');

  test('every record is TACACS+ accounting of the NAS, without problems', () => {
    assert.deepEqual(problems(diagnostics), []);
    assert.equal(events.length, 20);
    for (const e of events) {
      assert.equal(e.dataset, 'tacacs.accounting');
      assert.equal(e.fields.host, '10.0.0.5');
      assert.equal(e.fields.log_type, 'tacacs_accounting');
      assert.equal(e.fields.source_ip, '203.0.113.77');
      assert.equal(e.fields.tty, 'tty2');
    }
  });

  test('start and stop of one command share context and command line; ` <cr>` is removed', () => {
    const start = atLine(events, 12);
    const stop = atLine(events, 13);
    assert.equal(start.fields.action, 'start');
    assert.equal(stop.fields.action, 'stop');
    assert.equal(start.fields.command, 'ip address 198.51.100.66');
    assert.equal(start.fields.command_line, 'monitor session 6 type erspan-source ; destination ; ip address 198.51.100.66');
    assert.equal(stop.fields.command_line, start.fields.command_line);
    assert.equal(start.actionKey, 'device:10.0.0.5|mallory|1:monitor session 6');
    assert.equal(stop.actionKey, start.actionKey);
    assert.equal(start.recordKey, 'tacacs:10.0.0.5:46:start');
    assert.equal(stop.recordKey, 'tacacs:10.0.0.5:46:stop');
  });

  test('`show monitor session all` is an exec command at top level with its own key', () => {
    const show = atLine(events, 18);
    assert.equal(show.fields.command, 'show monitor session all');
    assert.equal(show.fields.config_context, '');
    assert.equal(show.fields.command_line, 'show monitor session all');
    assert.equal(show.actionKey, show.recordKey);
  });

  test('exec start, `configure terminal` and exec stop are one session', () => {
    const sessions = new Set(events.map((e) => e.fields.config_session));
    assert.deepEqual([...sessions], ['10.0.0.5|mallory|1']);
    assert.equal(atLine(events, 1).fields.command, '');
    assert.equal(atLine(events, 20).fields.action, 'stop');
  });

  test('a second `configure terminal` after commands starts a new session', () => {
    const row = (task: number, cmd: string): string =>
      `2026-03-03 14:00:0${task % 10} +0000\t10.0.0.5\tops\ttty1\t10.1.1.1\tstop\ttask_id=${task}\tservice=shell\tpriv-lvl=15\tcmd=${cmd} <cr>\n`;
    const { events: evs } = readText(row(1, 'configure terminal') + row(2, 'vlan 10') + row(3, 'end') + row(4, 'configure terminal'));
    assert.deepEqual(
      evs.map((e) => e.fields.config_session),
      ['10.0.0.5|ops|1', '10.0.0.5|ops|1', '10.0.0.5|ops|1', '10.0.0.5|ops|2'],
    );
  });
});

describe('TACACS+ accounting relayed through syslog by the TACACS+ server', () => {
  const { events, diagnostics } = readFixture('tacacs-syslog-relayed.log');

  test('the NAS is the device, not the TACACS+ server; the time comes from the syslog header', () => {
    assert.deepEqual(problems(diagnostics), []);
    const e = atLine(events, 3);
    assert.equal(e.fields.host, '10.0.0.6');
    assert.equal(e.fields.user, 'ops');
    assert.equal(e.fields.source_ip, '10.20.30.90');
    assert.equal(e.time, '2026-03-03T13:20:12.000Z');
    assert.equal(e.fields.config_context, 'vlan 901');
    assert.equal(e.actionKey, 'device:10.0.0.6|ops|1:remote-span vlan 901');
    assert.equal(atLine(events, 5).actionKey, 'device:10.0.0.6|ops|1:monitor session 1');
  });
});

describe('TACACS+ layout problems', () => {
  test('a record with too few fields before the type is reported with its line and skipped', () => {
    const text =
      '2026-03-03 14:00:00 +0000\t10.0.0.5\tops\ttty1\t10.1.1.1\tstop\ttask_id=1\tservice=shell\tcmd=show clock <cr>\n' +
      '2026-03-03 14:00:01 +0000\t10.0.0.5\tops\tstop\ttask_id=2\tservice=shell\tcmd=show clock <cr>\n';
    const { events, diagnostics } = readText(text, { file: 'tacacs.acct' });
    assert.equal(events.length, 1);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line]),
      [['MW2506', 2]],
    );
  });

  test('a Junos NAS (`process*mgd[…]`) is read as Junos command lines', () => {
    const text = 'Feb  2 18:41:38\t192.168.0.202\tjathan\tttyp1\t192.168.0.10\tstop\ttask_id=3\tservice=shell\tprocess*mgd[7741]\tcmd=configure exclusive <cr>\n';
    const { events } = readText(text);
    assert.equal(events[0].fields.command, 'configure exclusive');
    assert.equal(events[0].fields.user, 'jathan');
    assert.equal(events[0].time, '2026-02-02T18:41:38.000Z');
    assert.ok(events[0].assumptions?.includes('year 2026 inferred (the accounting line has no year) from the file time'));
  });
});
