/**
 * Background device logs: ordinary configuration work (interface descriptions, access VLANs, shutdowns, NTP and
 * logging servers, ACL entries) and exec commands (`show` of interfaces, routes, BGP, logs) on Cisco IOS-XE access
 * and distribution switches, NX-OS leaves, a Junos EX switch and an Arista leaf, plus link state changes and logins,
 * in time order, spread over the syslog collector, the NX-OS accounting logs and the tac_plus accounting file. No
 * line configures or shows mirroring.
 */
import { DeviceLog, type Device, type Operator } from './device-lines.js';
import type { Random } from './random.js';
import type { SimRecord } from './types.js';

/** Where the noise goes. */
export interface DeviceNoiseOptions {
  count: number;
  fromMs: number;
  toMs: number;
  /** Devices of the scenario: they get background lines too, from other administrators. */
  devices: readonly Device[];
}

const FLEET: Device[] = [
  { host: 'access-sw1', os: 'ios', ip: '10.20.0.11' },
  { host: 'access-sw2', os: 'ios', ip: '10.20.0.12' },
  { host: 'sw-dist-2', os: 'ios', ip: '10.20.0.3' },
  { host: 'n9k-leaf-3', os: 'nxos', ip: '10.30.0.13' },
  { host: 'ex4300-dc2', os: 'junos', ip: '10.40.0.2' },
  { host: 'eos-leaf-9', os: 'eos', ip: '10.50.0.9' },
];

const ADMINS: Operator[] = [
  { user: 'j.alvarez', tty: 'vty0', from: '10.20.4.15' },
  { user: 'netops', tty: 'vty1', from: '198.51.100.24' },
  { user: 's.brandt', tty: 'vty2', from: '10.20.4.31' },
];

const DESCRIPTIONS = ['printer-floor-3', 'ap-lobby-2', 'uplink-to-fw', 'cam-dock-7', 'voip-desk-114', 'hypervisor-12 eth1', 'spare'];
const SHOW_IOS = ['show interfaces status', 'show ip interface brief', 'show running-config interface GigabitEthernet1/0/14', 'show logging', 'show mac address-table interface GigabitEthernet1/0/7', 'show cdp neighbors', 'show version', 'show spanning-tree summary'];
const SHOW_NXOS = ['show interface brief', 'show ip route', 'show bgp l2vpn evpn summary', 'show vpc', 'show logging last 50'];
const SHOW_JUNOS = ['show interfaces terse', 'show route summary', 'show log messages | last 50', 'show chassis alarms', 'show ethernet-switching table'];
const SHOW_EOS = ['show interfaces status', 'show ip bgp summary', 'show logging last 20', 'show version', 'show mlag'];

function port(rng: Random, os: Device['os']): string {
  switch (os) {
    case 'nxos':
    case 'eos':
      return `Ethernet1/${rng.int(1, 48)}`;
    case 'junos':
      return `ge-0/0/${rng.int(0, 47)}`;
    default:
      return `GigabitEthernet1/0/${rng.int(1, 48)}`;
  }
}

/** One burst of ordinary activity on one device; returns the lines it made (a few per burst). */
function burst(rng: Random, log: DeviceLog, dev: Device, t: number, pid: number): number {
  const op = rng.pick(ADMINS);
  const before = log.records.length;
  const step = () => (t += rng.int(2000, 9000));
  switch (dev.os) {
    case 'ios': {
      const kind = rng.weighted([['config', 4], ['show', 4], ['link', 3], ['login', 1]] as const);
      if (kind === 'config') {
        const p = port(rng, 'ios');
        const cmds = [`interface ${p}`, `description ${rng.pick(DESCRIPTIONS)}`];
        if (rng.chance(0.5)) cmds.push(`switchport access vlan ${rng.pick([10, 20, 40, 110])}`);
        if (rng.chance(0.3)) cmds.push(rng.pick(['shutdown', 'no shutdown', 'spanning-tree portfast']));
        if (rng.chance(0.2)) cmds.push('exit', rng.pick(['ntp server 10.0.0.123', 'logging host 10.0.9.20', 'ip access-list extended MGMT-IN', 'snmp-server location DC1-R12']));
        // Every IOS switch accounts commands to TACACS+ as well as logging them (aaa accounting commands 15).
        log.tacacs(dev, step(), op, 'configure terminal');
        for (const c of cmds) {
          log.iosCommand(dev, step(), op, c);
          log.tacacs(dev, t, op, c);
        }
        log.iosConfigured(dev, step(), op);
      } else if (kind === 'show') {
        log.tacacs(dev, step(), op, rng.pick(SHOW_IOS));
      } else if (kind === 'link') {
        const p = port(rng, 'ios');
        const up = rng.chance(0.5);
        log.iosMessage(dev, step(), 'LINK-3-UPDOWN', `Interface ${p}, changed state to ${up ? 'up' : 'down'}`);
        log.iosMessage(dev, t + 1000, 'LINEPROTO-5-UPDOWN', `Line protocol on Interface ${p}, changed state to ${up ? 'up' : 'down'}`);
      } else {
        log.iosMessage(dev, step(), 'SEC_LOGIN-5-LOGIN_SUCCESS', `Login Success [user: ${op.user}] [Source: ${op.from}] [localport: 22] at ${new Date(t).toISOString().slice(11, 19)} UTC`);
      }
      break;
    }
    case 'nxos': {
      const path = ['configure terminal'];
      if (rng.chance(0.5)) {
        const p = port(rng, 'nxos');
        log.nxosAccounting(dev, step(), { ...op, tty: 'pts/0' }, [...path, `interface ${p}`]);
        log.nxosAccounting(dev, step(), { ...op, tty: 'pts/0' }, [...path, `interface ${p}`, `description ${rng.pick(DESCRIPTIONS)}`]);
      } else {
        log.nxosAccounting(dev, step(), { ...op, tty: 'pts/0' }, [rng.pick(SHOW_NXOS)]);
      }
      break;
    }
    case 'junos': {
      if (rng.chance(0.5)) {
        const p = port(rng, 'junos');
        const d = rng.pick(DESCRIPTIONS);
        log.junosCommand(dev, step(), pid, op, `set interfaces ${p} description "${d}"`);
        log.junos(dev, t + 20, pid, 'UI_CFG_AUDIT_SET', { username: op.user, action: 'set', pathname: `[interfaces ${p} description]` }, `User '${op.user}' set: [interfaces ${p} description] unconfigured -> "${d}"`);
        log.junosCommand(dev, step(), pid, op, 'commit');
        log.junosCommit(dev, t + 30, pid, op, 'none');
      } else {
        log.junosCommand(dev, step(), pid, op, rng.pick(SHOW_JUNOS));
      }
      break;
    }
    case 'eos': {
      if (rng.chance(0.4)) {
        log.eosConfig(dev, step(), op, true);
        const p = port(rng, 'eos');
        log.eosCommand(dev, step(), op, `interface ${p}`);
        log.eosCommand(dev, step(), op, `description ${rng.pick(DESCRIPTIONS)}`);
        log.eosCommand(dev, step(), op, 'end');
        log.eosConfig(dev, t + 200, op, false);
      } else {
        log.eosCommand(dev, step(), op, rng.pick(SHOW_EOS));
      }
      break;
    }
    case 'iosxr': {
      log.tacacs(dev, step(), op, rng.pick(['show interfaces brief', 'show route summary', 'show bgp summary', 'show logging']));
      break;
    }
  }
  return log.records.length - before;
}

/** `count` background lines between `fromMs` and `toMs`, in time order. */
export function* deviceNoise(rng: Random, o: DeviceNoiseOptions): Generator<SimRecord> {
  if (o.count <= 0) return;
  const fleet = [...FLEET, ...o.devices.filter((d) => !FLEET.some((f) => f.host === d.host))];
  const bursts = Math.max(1, Math.ceil(o.count / 3));
  const mean = Math.max(1, (o.toMs - o.fromMs) / bursts);
  const pids = new Map(fleet.map((d) => [d.host, rng.int(2000, 60000)]));
  let t = o.fromMs;
  let emitted = 0;
  let pending: SimRecord[] = [];
  while (emitted < o.count) {
    t += Math.max(1, Math.round(rng.exponential(mean)));
    pending.sort((a, b) => a.timeMs - b.timeMs);
    while (pending.length > 0 && pending[0].timeMs <= t && emitted < o.count) {
      emitted++;
      yield pending.shift() as SimRecord;
    }
    if (emitted >= o.count) break;
    const log = new DeviceLog(rng);
    const dev = rng.pick(fleet);
    burst(rng, log, dev, t, pids.get(dev.host) ?? 1000);
    pending = pending.concat(log.records);
  }
  pending.sort((a, b) => a.timeMs - b.timeMs);
  for (const r of pending) {
    if (emitted >= o.count) break;
    emitted++;
    yield r;
  }
}
