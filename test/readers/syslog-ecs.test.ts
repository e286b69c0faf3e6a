/** The ECS view of network-device events. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { networkDeviceEcs } from '../../src/normalize/network-device.js';
import { atLine, readFixture, readText } from './syslog-helpers.js';

describe('networkDeviceEcs', () => {
  test('IOS archive line: Elastic cisco_ios layout, observer, user, source, syslog header', () => {
    const e = atLine(readFixture('cisco-iosxe-erspan.log').events, 9);
    const ecs = networkDeviceEcs(e);
    assert.equal(ecs['@timestamp'], '2026-03-03T12:30:19.863Z');
    assert.deepEqual(ecs.event, {
      kind: 'event',
      module: 'cisco_ios',
      dataset: 'cisco_ios.log',
      category: ['configuration'],
      type: ['change'],
      outcome: 'unknown',
      action: 'ip address 192.0.2.10',
      code: 'CFGLOG_LOGGEDCMD',
      severity: 5,
      original: e.raw,
    });
    assert.deepEqual(ecs.observer, { hostname: 'core-sw9', vendor: 'Cisco', product: 'IOS', type: 'router' });
    assert.deepEqual(ecs.user, { name: 'mallory' });
    assert.deepEqual(ecs.source, { ip: '203.0.113.77' });
    assert.deepEqual(ecs.log, {
      syslog: {
        priority: 189,
        facility: { code: 23, name: 'local7' },
        severity: { code: 5, name: 'notice' },
        hostname: 'core-sw9',
      },
    });
    assert.equal(ecs.message, 'User:mallory  logged command:ip address 192.0.2.10');
    assert.deepEqual(ecs.cisco, { ios: { facility: 'PARSER' } });
    assert.deepEqual(ecs.related, { ip: ['203.0.113.77'], user: ['mallory'], hosts: ['core-sw9'] });
  });

  test('Junos RFC 5424 line: program, process id and MSGID from the header', () => {
    const e = atLine(readFixture('junos-port-mirroring-5424.log').events, 4);
    const ecs = networkDeviceEcs(e);
    assert.deepEqual(ecs.observer, { hostname: 'mx480-edge1', vendor: 'Juniper', product: 'Junos' });
    assert.deepEqual(ecs.process, { name: 'mgd', pid: 31337 });
    const log = ecs.log as { syslog: Record<string, unknown> };
    assert.equal(log.syslog.appname, 'mgd');
    assert.equal(log.syslog.procid, '31337');
    assert.equal(log.syslog.msgid, 'UI_CFG_AUDIT_SET');
    assert.equal(log.syslog.priority, 182);
    assert.equal((ecs.event as Record<string, unknown>).action, 'set forwarding-options port-mirroring input rate 1');
    assert.equal(ecs.cisco, undefined);
  });

  test('NX-OS accounting: outcome from the status, no syslog header', () => {
    const events = readFixture('nxos-accounting.log').events;
    const ok = networkDeviceEcs(atLine(events, 7));
    const failed = networkDeviceEcs(atLine(events, 10));
    assert.equal((ok.event as Record<string, unknown>).outcome, 'success');
    assert.equal((failed.event as Record<string, unknown>).outcome, 'failure');
    assert.equal(ok.log, undefined);
    assert.deepEqual(ok.observer, { hostname: 'nxos-accounting', vendor: 'Cisco', product: 'NX-OS', type: 'switch' });
    assert.deepEqual(ok.source, { ip: '10.20.30.40' });
  });

  test('TACACS+ record: the NAS address is the observer, without a vendor guess', () => {
    const e = atLine(readFixture('tacacs-ios-erspan.acct').events, 4);
    const ecs = networkDeviceEcs(e);
    assert.deepEqual(ecs.observer, { ip: '10.0.0.5' });
    assert.deepEqual((ecs.related as Record<string, unknown>).ip, ['203.0.113.77', '10.0.0.5']);
    assert.equal((ecs.event as Record<string, unknown>).dataset, 'tacacs.accounting');
    assert.equal((ecs.event as Record<string, unknown>).module, 'tacacs');
  });

  test('state messages are network information events; an event without time has no @timestamp', () => {
    const state = networkDeviceEcs(atLine(readFixture('cisco-ios-span.log').events, 6));
    assert.deepEqual((state.event as Record<string, unknown>).category, ['network']);
    assert.equal((state.event as Record<string, unknown>).action, 'UPDOWN');
    const noTime = readText('Feb 30 10:00:00 sw1 1: %SYS-5-CONFIG_I: Configured from console by a\n').events[0];
    assert.equal(networkDeviceEcs(noTime)['@timestamp'], undefined);
  });
});
