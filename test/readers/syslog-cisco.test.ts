/** Cisco IOS / IOS-XE: SPAN, RSPAN and ERSPAN configuration, sub-modes, sessions, abbreviations, years and zones. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { atLine, byLine, problems, readFixture, readText } from './syslog-helpers.js';

describe('IOS SPAN and RSPAN from relayed archive logging', () => {
  const { events, diagnostics } = readFixture('cisco-ios-span.log');

  test('reads every line without problems', () => {
    assert.deepEqual(problems(diagnostics), []);
    assert.equal(events.length, 13);
  });

  test('local SPAN: both lines share one action key and get the address named when the session ends', () => {
    const source = atLine(events, 4);
    const dest = atLine(events, 5);
    assert.equal(source.fields.command, 'monitor session 1 source interface GigabitEthernet1/0/1 both');
    assert.equal(source.fields.config_context, '');
    assert.equal(source.fields.command_line, source.fields.command);
    assert.equal(source.actionKey, 'device:access-sw1|jdoe|1:monitor session 1');
    assert.equal(dest.actionKey, source.actionKey);
    // `%SYS-5-CONFIG_I: … by jdoe on vty0 (10.20.30.40)` arrives after the commands and fills them in.
    assert.equal(source.fields.source_ip, '10.20.30.40');
    assert.equal(source.fields.tty, 'vty0');
    assert.equal(dest.fields.source_ip, '10.20.30.40');
    assert.equal(source.time, '2026-03-03T09:14:05.112Z');
    assert.deepEqual(source.assumptions, ['year 2026 inferred (RFC 3164 has no year) from the file time']);
  });

  test('held command lines are released before the line that closes their session', () => {
    const order = events.map((e) => e.origin.line);
    assert.ok(order.indexOf(4) < order.indexOf(7));
    assert.ok(order.indexOf(5) < order.indexOf(7));
    assert.equal(atLine(events, 7).fields.config_session, 'access-sw1|jdoe|1');
  });

  test('state messages are not configuration records', () => {
    const updown = atLine(events, 6);
    assert.equal(updown.fields.mnemonic, 'UPDOWN');
    assert.equal(updown.fields.facility, 'LINEPROTO');
    assert.equal(updown.fields.config_session, '');
    assert.deepEqual(updown.logsource, { product: 'cisco', service: 'ios' });
    assert.equal(updown.actionKey, updown.recordKey);
  });

  test('RSPAN: `remote-span` inside `vlan 901` names the remote-span VLAN; the destination names its session', () => {
    const vlan = atLine(events, 8);
    assert.equal(vlan.fields.command, 'vlan 901');
    const rspan = atLine(events, 9);
    assert.equal(rspan.fields.command, 'remote-span');
    assert.equal(rspan.fields.config_context, 'vlan 901');
    assert.equal(rspan.fields.command_line, 'vlan 901 ; remote-span');
    assert.equal(rspan.actionKey, 'device:access-sw1|asmith|1:remote-span vlan 901');
    assert.equal(atLine(events, 10).fields.config_context, 'vlan 901', '`exit` is typed inside the mode');
    const remote = atLine(events, 12);
    assert.equal(remote.fields.config_context, '', '`exit` closed the VLAN mode');
    assert.equal(remote.actionKey, 'device:access-sw1|asmith|1:monitor session 2');
    assert.equal(remote.fields.source_ip, '10.20.30.41');
  });

  test('removal: `no monitor session 1` belongs to that session object, in a new configuration session', () => {
    const removal = atLine(events, 14);
    assert.equal(removal.fields.command, 'no monitor session 1');
    assert.equal(removal.fields.config_session, 'access-sw1|jdoe|2');
    assert.equal(removal.actionKey, 'device:access-sw1|jdoe|2:monitor session 1');
  });
});

describe('IOS-XE ERSPAN source session typed in its sub-mode', () => {
  const { events, diagnostics } = readFixture('cisco-iosxe-erspan.log');

  test('no problems; host from logging origin-id; times with the zone the line names', () => {
    assert.deepEqual(problems(diagnostics), []);
    const first = atLine(events, 4);
    assert.equal(first.fields.host, 'core-sw9');
    assert.equal(first.time, '2026-03-03T12:30:01.009Z');
    assert.ok(!first.assumptions?.some((a) => a.startsWith('time zone')), 'the line names UTC');
  });

  test('every sub-mode line gets its context and shares the session object key', () => {
    const expected: [number, string, string][] = [
      [4, '', 'monitor session 3 type erspan-source'],
      [5, 'monitor session 3 type erspan-source', 'source interface GigabitEthernet1/0/5 rx'],
      [6, 'monitor session 3 type erspan-source', 'no shutdown'],
      [7, 'monitor session 3 type erspan-source', 'destination'],
      [8, 'monitor session 3 type erspan-source ; destination', 'erspan-id 100'],
      [9, 'monitor session 3 type erspan-source ; destination', 'ip address 192.0.2.10'],
      [10, 'monitor session 3 type erspan-source ; destination', 'origin ip address 10.0.0.1'],
    ];
    for (const [line, context, command] of expected) {
      const e = atLine(events, line);
      assert.equal(e.fields.config_context, context, `line ${line}`);
      assert.equal(e.fields.command, command, `line ${line}`);
      assert.equal(e.actionKey, 'device:core-sw9|mallory|1:monitor session 3', `line ${line}`);
      assert.equal(e.fields.source_ip, '203.0.113.77', `line ${line}`);
      assert.equal(e.fields.user, 'mallory');
    }
    assert.equal(
      atLine(events, 9).fields.command_line,
      'monitor session 3 type erspan-source ; destination ; ip address 192.0.2.10',
    );
  });

  test('abbreviated commands are recognised as typed and keep their text', () => {
    const src = atLine(events, 13);
    const dst = atLine(events, 14);
    assert.equal(src.fields.command, 'mon ses 4 sou int gi1/0/6');
    assert.equal(src.actionKey, 'device:core-sw9|bob|1:monitor session 4');
    assert.equal(dst.actionKey, src.actionKey);
    assert.equal(src.fields.source_ip, '10.20.30.42');
  });
});

describe('two devices interleaved in one file', () => {
  const { events } = readFixture('cisco-two-devices-interleaved.log');

  test('the ERSPAN sub-mode on one switch never gives its context to the other', () => {
    assert.equal(atLine(events, 4).fields.config_context, '');
    assert.equal(atLine(events, 6).fields.config_context, 'interface GigabitEthernet1/0/2');
    assert.equal(atLine(events, 8).fields.config_context, 'interface GigabitEthernet1/0/2');
    assert.equal(atLine(events, 5).fields.config_context, 'monitor session 5 type erspan-source');
    assert.equal(atLine(events, 9).fields.config_context, 'monitor session 5 type erspan-source ; destination');
    assert.equal(atLine(events, 11).fields.config_context, 'monitor session 5 type erspan-source ; destination');
  });

  test('each device has its own session, closing line and administrator address', () => {
    assert.equal(atLine(events, 6).fields.config_session, 'dist-sw2|netops|1');
    assert.equal(atLine(events, 9).fields.config_session, 'dist-sw1|netops|1');
    assert.equal(atLine(events, 6).fields.source_ip, '10.20.30.60');
    assert.equal(atLine(events, 9).fields.source_ip, '10.20.30.61');
    assert.equal(atLine(events, 11).actionKey, 'device:dist-sw1|netops|1:monitor session 5');
    assert.equal(atLine(events, 6).actionKey, atLine(events, 6).recordKey);
  });
});

describe('years and time zones', () => {
  test('a Dec→Jan file gets the year before and the year of the file time', () => {
    const { events } = readFixture('cisco-ios-new-year.log', { reference: '2026-01-01T06:00:00Z' });
    const dec = atLine(events, 2);
    const jan = atLine(events, 4);
    assert.equal(dec.time, '2025-12-31T23:58:10.118Z');
    assert.equal(jan.time, '2026-01-01T00:00:00.004Z');
    assert.ok(dec.assumptions?.includes('year 2025 inferred (RFC 3164 has no year) from the file time'));
    assert.ok(jan.assumptions?.includes('year 2026 inferred (RFC 3164 has no year) from the file time'));
    assert.ok(dec.assumptions?.includes('time zone UTC assumed (the line names none)'));
    // One session spans New Year: the Jan 1 CONFIG_I closes it and fills the address in.
    assert.equal(dec.fields.config_session, jan.fields.config_session);
    assert.equal(dec.fields.source_ip, '10.20.30.70');
  });

  test('a year option wins over inference and is recorded', () => {
    const { events } = readFixture('cisco-ios-new-year.log', { year: 2024 });
    assert.equal(atLine(events, 2).time, '2024-12-31T23:58:10.118Z');
    assert.ok(atLine(events, 2).assumptions?.includes('year 2024 taken from the year option (RFC 3164 has no year)'));
  });

  test('a time at most one day after the file time stays in the file year (clock skew)', () => {
    const text = '000001: Mar  4 20:00:00.000: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)\n';
    assert.equal(readText(text, { reference: '2026-03-04T00:00:00Z' }).events[0].time, '2026-03-04T20:00:00.000Z');
    assert.equal(readText(text, { reference: '2026-03-02T00:00:00Z' }).events[0].time, '2025-03-04T20:00:00.000Z');
  });

  test('29 February goes to the latest leap year', () => {
    const text = '000001: Feb 29 10:00:00.000: %SYS-5-CONFIG_I: Configured from console by a\n';
    assert.equal(readText(text, { reference: '2026-03-04T00:00:00Z' }).events[0].time, '2024-02-29T10:00:00.000Z');
  });

  test('an IANA zone option applies to lines without a zone, with daylight saving time', () => {
    const winter = readFixture('cisco-ios-new-year.log', { timeZone: 'Europe/Berlin', reference: '2026-01-01T06:00:00Z' });
    assert.equal(atLine(winter.events, 2).time, '2025-12-31T22:58:10.118Z');
    assert.ok(atLine(winter.events, 2).assumptions?.includes('time zone Europe/Berlin assumed (the line names none)'));
    const summer = readText('000001: Jul  1 12:00:00.250: %SYS-5-CONFIG_I: Configured from console by a\n', {
      timeZone: 'Europe/Berlin',
    });
    assert.equal(summer.events[0].time, '2025-07-01T10:00:00.250Z');
  });

  test('a fixed offset option applies to lines without a zone', () => {
    const { events } = readFixture('cisco-ios-new-year.log', { timeZone: '+02:00', reference: '2026-01-01T06:00:00Z' });
    assert.equal(atLine(events, 2).time, '2025-12-31T21:58:10.118Z');
    const minus = readFixture('cisco-ios-new-year.log', { timeZone: '-0530', reference: '2026-01-02T06:00:00Z' });
    assert.equal(atLine(minus.events, 4).time, '2026-01-01T05:30:00.004Z');
  });

  test('a line naming UTC ignores the zone option', () => {
    const { events } = readFixture('cisco-ios-span.log', { timeZone: 'America/New_York' });
    assert.equal(atLine(events, 4).time, '2026-03-03T09:14:05.112Z');
    assert.ok(!atLine(events, 4).assumptions?.some((a) => a.startsWith('time zone')));
  });

  test('a device zone name that is not UTC uses the option and says so', () => {
    const { events } = readText(
      '000010: Mar  3 09:00:00.000 PDT: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)\n',
      { timeZone: 'America/Los_Angeles' },
    );
    assert.equal(events[0].time, '2026-03-03T17:00:00.000Z');
    assert.ok(events[0].assumptions?.some((a) => a.includes('"PDT"') && a.includes('America/Los_Angeles')));
  });

  test('an unsynchronised device clock yields to the relay header time', () => {
    const { events } = readText(
      'Mar  3 10:00:00 sw7 12: *Mar  1 00:01:02.003: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)\n',
    );
    assert.equal(events[0].time, '2026-03-03T10:00:00.000Z');
    assert.ok(events[0].assumptions?.includes('device clock not synchronised ("*" before its time); time taken from the syslog header'));
  });

  test('an unknown time zone option is reported once and UTC is used', () => {
    const { events, diagnostics } = readFixture('cisco-ios-new-year.log', { timeZone: 'Mars/Olympus', reference: '2026-01-01T06:00:00Z' });
    assert.equal(diagnostics.filter((d) => d.code === 'MW2503').length, 1);
    assert.equal(atLine(events, 2).time, '2025-12-31T23:58:10.118Z');
  });
});

describe('configuration sessions', () => {
  const line = (time: string, cmd: string): string =>
    `Mar  3 ${time} sw1 1: 000001: Mar  3 ${time}.000 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:ops  logged command:${cmd}\n`;

  test('a pause of more than ten minutes starts a new session', () => {
    const { events } = readText(
      line('10:00:00', 'monitor session 1 source interface Gi1/0/1') +
        line('10:09:59', 'monitor session 1 destination interface Gi1/0/2') +
        line('10:20:00', 'monitor session 1 filter vlan 10'),
    );
    const sessions = byLine(events).map((e) => e.fields.config_session);
    assert.deepEqual(sessions, ['sw1|ops|1', 'sw1|ops|1', 'sw1|ops|2']);
  });

  test('a command outside the current mode closes it, as IOS does without a logged exit', () => {
    const { events } = readText(
      line('10:00:00', 'interface GigabitEthernet1/0/1') +
        line('10:00:01', 'description mirror source') +
        line('10:00:02', 'monitor session 2 source interface GigabitEthernet1/0/1') +
        line('10:00:03', 'hostname core1') +
        line('10:00:04', 'interface Gi1/0/2') +
        line('10:00:05', 'ip address 10.1.1.1 255.255.255.0') +
        line('10:00:06', 'ip route 0.0.0.0 0.0.0.0 10.1.1.254'),
    );
    const ctx = byLine(events).map((e) => e.fields.config_context);
    assert.deepEqual(ctx, ['', 'interface GigabitEthernet1/0/1', '', '', '', 'interface Gi1/0/2', '']);
  });

  test('`end`, `!` and an exec-level `!exec:` line reset the stack', () => {
    const { events } = readText(
      line('10:00:00', 'monitor session 3 type erspan-source') +
        line('10:00:01', 'end') +
        line('10:00:02', 'destination') +
        line('10:00:03', 'vlan 20') +
        line('10:00:04', '!') +
        line('10:00:05', 'name users') +
        line('10:00:06', 'interface Gi1/0/3') +
        line('10:00:07', '!exec: show monitor session 3') +
        line('10:00:08', 'shutdown'),
    );
    const e = byLine(events);
    assert.equal(e[1].fields.config_context, 'monitor session 3 type erspan-source');
    assert.equal(e[2].fields.config_context, '', '`end` left configuration mode');
    assert.equal(e[5].fields.config_context, '');
    assert.equal(e[7].fields.config_context, '');
    assert.equal(e[8].fields.config_context, '');
  });

  test('lines without an address are held at most until the end of input, then released unchanged', () => {
    const { events } = readText(line('10:00:00', 'monitor session 4 source vlan 10'));
    assert.equal(events.length, 1);
    assert.equal(events[0].fields.source_ip, '');
  });
});
