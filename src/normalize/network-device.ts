/**
 * The ECS view of a network-device event (Cisco IOS/IOS-XE, NX-OS, IOS-XR, Junos, Arista EOS syslog, the NX-OS
 * accounting log, TACACS+ accounting).
 *
 * It follows Elastic's `cisco_ios` integration where one exists (events.md §6.4; the layout of
 * samples/cisco_ios_cfglog_ecs_mapped_SYNTHETIC_generator.json): `event.code` is the mnemonic,
 * `cisco.ios.facility` the message facility, `message` the text after the mnemonic, `event.original` the line,
 * `observer.vendor` `Cisco`, `observer.product` `IOS`, `observer.type` `router`. Syslog header facts that are not
 * canonical fields (PRI, program name, process id, MSGID) are read again from the raw line.
 */
import type { Event } from '../core/event.js';
import type { EcsDocument } from './index.js';

/** RFC 5424 §6.2.1 severity names, by code. */
const SEVERITY_NAMES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'];

/** RFC 5424 §6.2.1 facility keywords, by code. */
const FACILITY_NAMES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

/** Observer vendor, product and type by operating system. */
const OBSERVER: Record<string, { vendor: string; product: string; type?: string }> = {
  ios: { vendor: 'Cisco', product: 'IOS', type: 'router' },
  nxos: { vendor: 'Cisco', product: 'NX-OS', type: 'switch' },
  iosxr: { vendor: 'Cisco', product: 'IOS XR', type: 'router' },
  junos: { vendor: 'Juniper', product: 'Junos' },
  eos: { vendor: 'Arista', product: 'EOS', type: 'switch' },
};

/** The `dataset` → `event.module` part before the dot. */
function moduleOf(dataset: string): string {
  const dot = dataset.indexOf('.');
  return dot < 0 ? dataset : dataset.slice(0, dot);
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** True for an IPv4 or IPv6 literal. */
function isIp(s: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(s) || (s.includes(':') && /^[0-9A-Fa-f:.]+$/.test(s));
}

/** The nested ECS document of a network-device event. */
export function networkDeviceEcs(event: Event): EcsDocument {
  const f = event.fields;
  const host = text(f.host);
  const os = text(f.os);
  const user = text(f.user);
  const sourceIp = text(f.source_ip);
  const mnemonic = text(f.mnemonic);
  const command = text(f.command);
  const status = text(f.status);
  const severity = typeof f.severity === 'number' ? f.severity : undefined;
  const raw = typeof event.raw === 'string' ? event.raw : '';
  const config = event.logsource.category === 'network_config';

  const doc: EcsDocument = {};
  if (event.time !== '') doc['@timestamp'] = event.time;

  const ev: Record<string, unknown> = {
    kind: 'event',
    module: moduleOf(event.dataset),
    dataset: event.dataset,
    category: config ? ['configuration'] : ['network'],
    type: config ? (command !== '' ? ['change'] : ['info']) : ['info'],
    outcome: status === 'success' || status === 'failure' ? status : 'unknown',
  };
  const action = command !== '' ? command : mnemonic;
  if (action !== '') ev.action = action;
  if (mnemonic !== '') ev.code = mnemonic;
  if (severity !== undefined) ev.severity = severity;
  if (raw !== '') ev.original = raw;
  doc.event = ev;

  const observer: Record<string, unknown> = {};
  if (host !== '') {
    if (isIp(host)) observer.ip = host;
    else observer.hostname = host;
  }
  const o = f.log_type === 'tacacs_accounting' ? undefined : OBSERVER[os];
  if (o) {
    observer.vendor = o.vendor;
    observer.product = o.product;
    if (o.type !== undefined) observer.type = o.type;
  }
  if (Object.keys(observer).length > 0) doc.observer = observer;

  if (user !== '') doc.user = { name: user };
  if (sourceIp !== '') doc.source = { ip: sourceIp };

  // Header facts that are not canonical fields come from the reader's `meta`.
  const meta = event.meta ?? {};
  const pri = typeof meta.pri === 'number' ? meta.pri : -1;
  const app = typeof meta.app === 'string' ? meta.app : '';
  const procid = typeof meta.procid === 'string' ? meta.procid : '';
  const msgid = typeof meta.msgid === 'string' ? meta.msgid : '';
  const isSyslog = f.log_type === 'syslog';
  const syslog: Record<string, unknown> = {};
  if (isSyslog && pri >= 0) {
    syslog.priority = pri;
    syslog.facility = { code: pri >> 3, name: FACILITY_NAMES[pri >> 3] };
  }
  if (severity !== undefined && f.log_type === 'syslog') {
    syslog.severity = { code: severity, name: SEVERITY_NAMES[severity] };
  }
  if (f.log_type === 'syslog' && host !== '') syslog.hostname = host;
  if (isSyslog && app !== '') syslog.appname = app;
  if (isSyslog && procid !== '') syslog.procid = procid;
  if (isSyslog && msgid !== '') syslog.msgid = msgid;
  if (Object.keys(syslog).length > 0) doc.log = { syslog };
  if (isSyslog && app !== '') {
    const process: Record<string, unknown> = { name: app };
    if (/^\d+$/.test(procid)) process.pid = Number(procid);
    doc.process = process;
  }

  const message = text(f.message);
  if (message !== '') doc.message = message;

  const related: Record<string, unknown> = {};
  const ips = [sourceIp, isIp(host) ? host : ''].filter((s, i, a) => s !== '' && a.indexOf(s) === i);
  if (ips.length > 0) related.ip = ips;
  if (user !== '') related.user = [user];
  if (host !== '' && !isIp(host)) related.hosts = [host];
  if (Object.keys(related).length > 0) doc.related = related;

  if (os === 'ios' && f.log_type === 'syslog' && text(f.facility) !== '' && mnemonic !== '') {
    doc.cisco = { ios: { facility: text(f.facility) } };
  }
  return doc;
}
