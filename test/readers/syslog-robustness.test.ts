/** Bad input, chunk boundaries, line endings, limits, header layouts and format recognition. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syslogReader } from '../../src/readers/syslog.js';
import { haveSamples, samplesDir } from '../helpers/paths.js';
import { atLine, fixturePath, readFixture, readText } from './syslog-helpers.js';

describe('bad input', () => {
  test('garbage lines are reported with their line numbers while the rest is read', () => {
    const { events, diagnostics } = readFixture('garbage-mixed.log');
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.line]),
      [
        ['MW2500', 'warning', 2],
        ['MW2500', 'warning', 3],
        ['MW2500', 'warning', 4],
        ['MW2505', 'warning', 6],
        ['MW2502', 'warning', 7],
      ],
    );
    for (const d of diagnostics) assert.equal(d.file, 'test/fixtures/devices/garbage-mixed.log');
    assert.deepEqual(
      events.map((e) => e.origin.line).sort((a, b) => (a ?? 0) - (b ?? 0)),
      [1, 5, 7],
    );
    assert.equal(atLine(events, 5).fields.command, 'monitor session 9 destination interface GigabitEthernet1/0/24');
  });

  test('a line whose date is impossible is kept without a time', () => {
    const e = atLine(readFixture('garbage-mixed.log').events, 7);
    assert.ok(Number.isNaN(e.timeMs));
    assert.equal(e.time, '');
    assert.equal(e.fields.mnemonic, 'CONFIG_I');
    assert.match(e.recordKey, /^syslog:access-sw1:-:%SYS-5-CONFIG_I/);
  });

  test('more than 100 diagnostics of one kind are counted and summarised at the end', () => {
    const text = 'nonsense line\n'.repeat(150);
    const { diagnostics } = readText(text);
    assert.equal(diagnostics.filter((d) => d.code === 'MW2500').length, 100);
    const summary = diagnostics.filter((d) => d.code === 'MW2512');
    assert.equal(summary.length, 1);
    assert.match(summary[0].message, /^50 more MW2500/);
  });

  test('a line longer than the record limit is reported as an error and skipped, also across chunks', () => {
    const long = `Mar  3 09:00:00 sw1 1: 000001: Mar  3 09:00:00.000 UTC: %SYS-5-CONFIG_I: Configured from console by ${'x'.repeat(300)}\n`;
    const ok = 'Mar  3 09:00:01 sw1 2: 000002: Mar  3 09:00:01.000 UTC: %SYS-5-CONFIG_I: Configured from console by ops\n';
    for (const chunk of [undefined, 1, 17]) {
      const { events, diagnostics } = readText(ok + long + ok, { maxRecordChars: 200, chunk });
      assert.deepEqual(
        diagnostics.map((d) => [d.code, d.severity, d.line]),
        [['MW2501', 'error', 2]],
        `chunk ${String(chunk)}`,
      );
      assert.deepEqual(
        events.map((e) => e.origin.line),
        [1, 3],
      );
    }
  });

  test('syslog lines from hosts of unknown vendor are skipped with one note', () => {
    const text =
      'Mar  3 09:00:00 bastion sshd[4242]: Accepted publickey for ops from 10.0.0.1 port 52000 ssh2\n' +
      'Mar  3 09:00:01 bastion cron[77]: (root) CMD (run-parts /etc/cron.hourly)\n';
    const { events, diagnostics } = readText(text);
    assert.equal(events.length, 0);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.line]),
      [['MW2510', 'info', 1]],
    );
  });

  test('once a line shows a host\'s vendor, its other lines are device records', () => {
    const text =
      'Mar  3 09:00:00 mx1 mgd[1]: UI_COMMIT: User \'ops\' requested \'commit\' operation (comment: none)\n' +
      'Mar  3 09:00:01 mx1 sshd[4242]: Accepted publickey for ops from 10.0.0.1 port 52000 ssh2\n';
    const { events } = readText(text);
    assert.equal(events.length, 2);
    assert.equal(atLine(events, 2).dataset, 'juniper.log');
    assert.equal(atLine(events, 2).fields.message, 'Accepted publickey for ops from 10.0.0.1 port 52000 ssh2');
  });

  test('a configuration session that never ends is released after 10,000 lines, with one warning', () => {
    const lines: string[] = [];
    for (let i = 0; i < 10050; i++) {
      lines.push(`000001: Mar  3 09:00:00.000: %PARSER-5-CFGLOG_LOGGEDCMD: User:bulk  logged command:interface Loopback${i}`);
    }
    lines.push('000002: Mar  3 09:00:01.000: %SYS-5-CONFIG_I: Configured from console by bulk on vty0 (10.9.9.9)');
    const { events, diagnostics } = readText(lines.join('\n'));
    assert.equal(events.length, 10051);
    assert.deepEqual(diagnostics.map((d) => d.code), ['MW2511']);
    // The first 10,000 were released without waiting; later lines of that session pass straight through.
    assert.equal(events[0].fields.source_ip, '');
    assert.equal(atLine(events, 10050).fields.source_ip, '');
  });
});

describe('chunk boundaries and line endings', () => {
  const inputs: [string, string][] = [];
  for (const name of readdirSync(fixturePath('.')).sort()) inputs.push([name, readFileSync(fixturePath(name), 'utf8')]);
  if (haveSamples) {
    for (const name of readdirSync(samplesDir).sort()) {
      if (/^(cisco|juniper|nxos|tacplus)_.*\.log$/.test(name)) inputs.push([name, readFileSync(join(samplesDir, name), 'utf8')]);
    }
  }

  test('one character at a time and whole give identical events and diagnostics', () => {
    for (const [name, text] of inputs) {
      const whole = readText(text, { file: name });
      const bytewise = readText(text, { file: name, chunk: 1 });
      const odd = readText(text, { file: name, chunk: 7 });
      assert.deepEqual(bytewise, whole, name);
      assert.deepEqual(odd, whole, name);
    }
  });

  test('CRLF line endings and a missing final newline read like LF', () => {
    for (const [name, text] of inputs) {
      const lf = readText(text, { file: name });
      const crlf = readText(text.replace(/\n/g, '\r\n'), { file: name });
      assert.deepEqual(crlf.diagnostics, lf.diagnostics, name);
      assert.deepEqual(
        crlf.events.map((e) => ({ ...e, raw: undefined })),
        lf.events.map((e) => ({ ...e, raw: undefined })),
        name,
      );
      const noFinal = readText(text.replace(/\n$/, ''), { file: name });
      assert.deepEqual(noFinal, lf, name);
    }
  });

  test('a byte order mark at the start of the file is ignored', () => {
    const text = readFileSync(fixturePath('arista-eos.log'), 'utf8');
    assert.deepEqual(readText(`\ufeff${text}`), readText(text));
  });
});

describe('header layouts', () => {
  /** [line, host, ISO time, os, mnemonic] */
  const cases: [string, string, string, string, string][] = [
    ['<34>1 2003-10-11T22:14:15.003Z mymachine.example.com mgd - UI_COMMIT - User \'x\' requested \'commit\' operation (comment: none)', 'mymachine.example.com', '2003-10-11T22:14:15.003Z', 'junos', 'UI_COMMIT'],
    ['<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 mgd 8710 UI_LOGIN_EVENT - User \'root\' login', '192.0.2.1', '2003-08-24T12:14:15.000003Z', 'junos', 'UI_LOGIN_EVENT'],
    ['<189>2360957: Jan  6 2022 20:52:12.861: %SYS-5-CONFIG_I: Configured from console by akroh on vty0 (10.100.11.10)', 'test', '2022-01-06T20:52:12.861Z', 'ios', 'CONFIG_I'],
    ['<189>: sw01: Jan  6 2022 21:01:34.964: %SYS-5-CONFIG_I: Configured from console by akroh', 'sw01', '2022-01-06T21:01:34.964Z', 'ios', 'CONFIG_I'],
    ['<189>521: router1: *Nov 14 08:30:56.699: %LINK-5-CHANGED: Interface GigabitEthernet2, changed state to administratively down', 'router1', '2025-11-14T08:30:56.699Z', 'ios', 'CHANGED'],
    ['Jan  1 03:13:14.663 UTC: %SYS-5-CONFIG_I: Configured from console by a', 'test', '2026-01-01T03:13:14.663Z', 'ios', 'CONFIG_I'],
    ['RP/0/RSP0/CPU0:Jan  1 03:13:14.663 UTC: config[65700]: %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user \'admin\'. Use \'show configuration commit changes 1000000001\' to view the changes.', 'test', '2026-01-01T03:13:14.663Z', 'iosxr', 'DB_COMMIT'],
    ['<190>40: xrv RP/0/RP0/CPU0:Oct  4 22:52:47.441 : cfgmgr_trial_confirm[67310]: %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user \'vagrant\'. Use \'show configuration commit changes 1000000093\' to view the changes.', 'xrv', '2025-10-04T22:52:47.441Z', 'iosxr', 'DB_COMMIT'],
    ['May 22 14:00:00 192.168.200.11 52600: RP/0/RP0/CPU0:May 22 14:00:00 : config[12345]: %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user \'admin\'.', '192.168.200.11', '2025-05-22T14:00:00.000Z', 'iosxr', 'DB_COMMIT'],
    ['RP/0/RP0/CPU0:2024 Jun 27 23:14:49.678 UTC: config[66279]: %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user \'cisco\'.', 'test', '2024-06-27T23:14:49.678Z', 'iosxr', 'DB_COMMIT'],
    ['2014 Jun 29 19:20:57 Nexus-7000 %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on console0', 'Nexus-7000', '2014-06-29T19:20:57.000Z', 'nxos', 'VSHD_SYSLOG_CONFIG_I'],
    ['<190>sw01.pdx01: 2017 Jul 28 14:42:46 UTC: %AUTHPRIV-6-SYSTEM_MSG: pam_unix(dcos_sshd:session): session opened for user luke by (uid=0) - dcos_sshd[12977]', 'sw01.pdx01', '2017-07-28T14:42:46.000Z', 'nxos', 'SYSTEM_MSG'],
    ['<165>Oct 23 12:20:55 GeorgeSwitch ConfigAgent: %SYS-5-CONFIG_E: Enter configuration mode from console by admin on vty3 (127.0.0.1)', 'GeorgeSwitch', '2025-10-23T12:20:55.000Z', 'eos', 'CONFIG_E'],
    ['2016 May 26 15:41:47 UTC XYZ Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet45, changed state to up', 'XYZ', '2016-05-26T15:41:47.000Z', 'eos', 'UPDOWN'],
    ['Sep 19 19:20:13 spine1 Aaa: 123: %ACCOUNTING-6-CMD: arista unknown unknown stop task_id=34 service=shell priv-lvl=15 cmd=show version <cr>', 'spine1', '2025-09-19T19:20:13.000Z', 'eos', 'CMD'],
    ['Dec 12 19:28:21.645  cfr2.wdc2 mgd[88311]: UI_CFG_AUDIT_SET: User \'root\' set: [interfaces xe-0/0/2:2 unit 0 apply-macro pfab ifl_id] "738 -> "738"', 'cfr2.wdc2', '2025-12-12T19:28:21.645Z', 'junos', 'UI_CFG_AUDIT_SET'],
    ['<189>1 2020-01-30T01:41:15.000Z N9K - - - - %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by frank on 192.168.12.138@pts/3', 'N9K', '2020-01-30T01:41:15.000Z', 'nxos', 'VSHD_SYSLOG_CONFIG_I'],
  ];

  test('each layout gives the device, the time and the operating system', () => {
    for (const [line, host, time, os, mnemonic] of cases) {
      const { events, diagnostics } = readText(`${line}\n`, { file: 'test.log' });
      assert.equal(diagnostics.filter((d) => d.severity !== 'info').length, 0, line);
      assert.equal(events.length, 1, line);
      const e = events[0];
      assert.equal(e.fields.host, host, line);
      assert.equal(e.time, time, line);
      assert.equal(e.fields.os, os, line);
      assert.equal(e.fields.mnemonic, mnemonic, line);
    }
  });

  test('Junos audit lines rebuild the command from the path and the new value', () => {
    const { events } = readText(`${cases[15][0]}\n`);
    assert.equal(events[0].fields.command, 'set interfaces xe-0/0/2:2 unit 0 apply-macro pfab ifl_id 738');
  });

  test('Cisco lines with uptime stamps or no time are kept without a time and reported', () => {
    const { events, diagnostics } = readText(
      '000045: 1w2d: %SYS-5-CONFIG_I: Configured from console by ops on vty0 (10.0.0.1)\n' +
        '%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to up\n' +
        'Jan  6 13:24:18 10.0.0.1 54: 2d03h: %SYS-5-CONFIG_I: Configured from console by x\n',
    );
    assert.equal(events.length, 3);
    assert.ok(Number.isNaN(atLine(events, 1).timeMs));
    assert.equal(atLine(events, 1).fields.user, 'ops');
    assert.equal(atLine(events, 3).time, '2026-01-06T13:24:18.000Z', 'the relay header still dates it');
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line]),
      [
        ['MW2502', 1],
        ['MW2502', 2],
      ],
    );
    assert.match(diagnostics[0].message, /uptime/);
  });

  test('a PRI above 191 is reported and ignored', () => {
    const { events, diagnostics } = readText('<999>Mar  3 09:00:00 mx1 mgd[1]: UI_COMMIT: User \'a\' requested \'commit\' operation (comment: none)\n');
    assert.equal(events.length, 1);
    assert.equal(events[0].fields.severity, null);
    assert.deepEqual(diagnostics.map((d) => d.code), ['MW2513']);
  });
});

describe('format recognition (sniff)', () => {
  test('claims every device fixture, also one with more garbage than device lines (nothing is dropped whole)', () => {
    for (const name of readdirSync(fixturePath('.'))) {
      const text = readFileSync(fixturePath(name), 'utf8');
      assert.equal(syslogReader.sniff(text, name).kind, 'read', name);
    }
  });

  test('does not claim text with fewer than one device line in five', () => {
    const prose = Array.from({ length: 9 }, (_, i) => `line ${i} of a note about monitor sessions`).join('\n');
    const one = 'Mar  3 09:14:05 access-sw1 2201: 002201: Mar  3 09:14:05.112 UTC: %SYS-5-CONFIG_I: Configured from console by jdoe on vty0 (10.20.30.40)';
    assert.equal(syslogReader.sniff(`${one}\n${prose}\n`, 'notes.txt').kind, 'no');
    assert.equal(syslogReader.sniff(`${one}\n${prose.split('\n').slice(0, 4).join('\n')}\n`, 'notes.txt').kind, 'read');
  });

  test('does not claim JSON, NDJSON, CSV or empty input', () => {
    const samples = [
      '{"Records":[{"eventVersion":"1.08","eventName":"CreateTrafficMirrorSession"}]}',
      '{"time":"2024-01-01T00:00:00Z","operationName":"MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE"}\n{"time":"2024-01-01T00:00:01Z"}\n',
      'version,account-id,interface-id,srcaddr\n2,123456789012,eni-1,10.0.0.1\n',
      '',
      '# only a comment\n\n',
    ];
    for (const s of samples) assert.deepEqual(syslogReader.sniff(s, 'x'), { kind: 'no' }, s);
  });

  test('judges a 64 KiB head without its cut last line', () => {
    const line = 'Mar  3 09:14:05 access-sw1 2201: 002201: Mar  3 09:14:05.112 UTC: %SYS-5-CONFIG_I: Configured from console by jdoe\n';
    let head = '';
    while (head.length < 65536) head += line;
    assert.deepEqual(syslogReader.sniff(head.slice(0, 65536), 'big.log'), { kind: 'read' });
  });

  test('declares its format, datasets and that it needs every line', () => {
    assert.equal(syslogReader.format, 'syslog');
    assert.equal(syslogReader.prefilterable, false);
    assert.deepEqual([...syslogReader.datasets].sort(), [
      'arista_eos.log',
      'cisco_ios.log',
      'cisco_iosxr.log',
      'cisco_nxos.log',
      'juniper.log',
      'tacacs.accounting',
    ]);
  });
});
