/**
 * A small model of Cisco-style configuration sub-modes (IOS/IOS-XE, NX-OS, IOS-XR, Arista EOS), enough to give each
 * command logged on its own line the sub-mode it was typed in, and to name the mirroring object it configures.
 *
 * Commands are logged as typed (IOS archive logging, events.md §4.2), so keywords are matched as the CLI does: any
 * prefix of the keyword at least as long as the shortest unambiguous abbreviation (`mon ses 1 sou int gi1/0/1`).
 *
 * Mirroring sub-modes (CLI syntax from the vendor configuration guides cited in events.md §4):
 * - IOS-XE: `monitor session N type erspan-source|erspan-destination|rspan-source|rspan-destination` with `source`,
 *   `destination`, `shutdown`, `description`, `filter`, `mtu`; a bare `destination` (or `source` in an
 *   ERSPAN destination session) opens a nested mode with `erspan-id`, `ip address`, `origin ip address`, `ip ttl`,
 *   `ip dscp`, `vrf`, `mtu`;
 * - NX-OS: `monitor session N [type erspan-source]` with `source`, `destination [ip]`, `erspan-id`, `vrf`,
 *   `header-type`, `shut`, `description`, `filter`;
 * - IOS-XR: `monitor-session NAME [ethernet]` with `destination interface|ipv4 address|pseudowire`; on a source
 *   interface `monitor-session NAME ethernet direction rx-only` opens a mode with `acl`, `mirror`, `port-level`;
 * - `vlan N` with `remote-span` (RSPAN); Arista `monitor session` commands are single lines.
 * Other sub-modes (`interface`, `router`, `line`, access lists, policy maps…) accept any command that is not a
 * global-only command: a command that does not belong to the current mode closes it, as IOS does without a logged
 * `exit`.
 */

/** The sub-modes the model knows. */
export type ModeName =
  /** IOS `monitor session N type …`, NX-OS `monitor session N [type …]`. */
  | 'span-session'
  /** IOS ERSPAN `destination` / `source` inside a session. */
  | 'span-endpoint'
  /** IOS-XR `monitor-session NAME [ethernet]`. */
  | 'xr-monitor-session'
  /** IOS-XR `monitor-session NAME …` under an interface. */
  | 'xr-interface-monitor'
  | 'vlan'
  | 'interface'
  | 'router'
  /** Any other sub-mode: accepts everything that is not a global-only command. */
  | 'generic'
  /** A mode nested in an open mode: `address-family`, `class`, `log config`, XR `neighbor X`. */
  | 'nested';

/** One entry of the mode stack: the command that opened it, as logged. */
export interface Frame {
  mode: ModeName;
  command: string;
  /** The mirroring object the mode configures (`monitor session 1`), '' for none. */
  object: string;
  /** For `vlan` frames: the VLAN id(s). */
  vlan: string;
}

/** A keyword with the length of its shortest accepted abbreviation. */
type Keyword = readonly [full: string, min: number];

/** True when `word` (lower case) is `full` or an abbreviation of it at least `min` characters long. */
export function kw(word: string | undefined, full: string, min: number): boolean {
  if (word === undefined) return false;
  const n = word.length;
  return n >= min && n <= full.length && full.startsWith(word);
}

function anyKw(word: string | undefined, list: readonly Keyword[]): boolean {
  if (word === undefined) return false;
  for (const [full, min] of list) if (kw(word, full, min)) return true;
  return false;
}

const SPAN_SESSION_CHILDREN: readonly Keyword[] = [
  ['source', 3],
  ['destination', 4],
  ['shutdown', 3],
  ['description', 4],
  ['filter', 3],
  ['mtu', 2],
  ['erspan-id', 6],
  ['vrf', 2],
  ['header-type', 3],
  ['ip', 2],
  ['rate-limit', 4],
  ['plim', 2],
  ['encapsulation', 3],
  ['timestamp', 4],
  ['marker-packet', 3],
  ['span-id', 4],
];

const SPAN_ENDPOINT_CHILDREN: readonly Keyword[] = [
  ['erspan-id', 6],
  ['ip', 2],
  ['ipv6', 4],
  ['origin', 2],
  ['vrf', 2],
  ['mtu', 2],
];

const XR_MONITOR_SESSION_CHILDREN: readonly Keyword[] = [
  ['destination', 4],
  ['description', 4],
  ['mirror', 3],
];

const XR_INTERFACE_MONITOR_CHILDREN: readonly Keyword[] = [
  ['direction', 3],
  ['acl', 3],
  ['mirror', 3],
  ['port-level', 4],
];

const VLAN_CHILDREN: readonly Keyword[] = [
  ['name', 2],
  ['state', 3],
  ['shutdown', 3],
  ['remote-span', 3],
  ['media', 3],
  ['mtu', 2],
  ['private-vlan', 3],
  ['are', 3],
  ['backupcrf', 3],
  ['bridge', 3],
  ['parent', 3],
  ['ring', 3],
  ['said', 3],
  ['ste', 3],
  ['stp', 3],
  ['tb-vlan1', 7],
  ['tb-vlan2', 7],
  ['vn-segment', 3],
  ['mode', 3],
];

/** First words of commands that exist only in global configuration mode. */
const GLOBAL_ONLY: readonly Keyword[] = [
  ['monitor', 3],
  ['interface', 3],
  ['vlan', 4],
  ['router', 6],
  ['hostname', 4],
  ['line', 4],
  ['username', 4],
  ['enable', 3],
  ['aaa', 3],
  ['archive', 4],
  ['snmp-server', 5],
  ['ntp', 3],
  ['clock', 3],
  ['banner', 3],
  ['service', 4],
  ['access-list', 6],
  ['crypto', 3],
  ['class-map', 7],
  ['policy-map', 7],
  ['route-map', 7],
  ['key', 3],
  ['tacacs-server', 7],
  ['radius-server', 7],
  ['tacacs', 6],
  ['radius', 6],
  ['feature', 4],
  ['control-plane', 5],
  ['redundancy', 4],
  ['license', 3],
  ['boot', 4],
  ['errdisable', 4],
  ['vtp', 3],
  ['privilege', 4],
  ['alias', 4],
  ['track', 4],
  ['object-group', 5],
  ['flow', 4],
  ['sampler', 4],
  ['system', 4],
  ['role', 4],
  ['port-profile', 6],
  ['management', 5],
  ['daemon', 4],
  ['mlag', 4],
  ['monitor-session', 15],
];

/** Second words after `ip` that make a global-only command (`ip route`, not `ip address`). */
const IP_GLOBAL: readonly Keyword[] = [
  ['route', 3],
  ['access-list', 6],
  ['domain-name', 7],
  ['domain', 3],
  ['name-server', 4],
  ['ssh', 3],
  ['http', 3],
  ['routing', 4],
  ['prefix-list', 4],
  ['scp', 3],
  ['ftp', 3],
  ['tftp', 3],
  ['cef', 3],
  ['multicast-routing', 5],
  ['sla', 3],
  ['vrf', 3],
  ['community-list', 4],
  ['as-path', 4],
  ['host', 4],
  ['default-gateway', 7],
  ['forward-protocol', 4],
  ['classless', 4],
  ['subnet-zero', 4],
  ['source-route', 4],
  ['finger', 3],
  ['bootp', 4],
  ['extcommunity-list', 4],
  ['explicit-path', 4],
  ['flow-export', 6],
  ['flow-cache', 6],
  ['flow-top-talkers', 6],
  ['local', 4],
  ['radius', 3],
  ['tacacs', 3],
  ['icmp', 3],
  ['device', 3],
  ['telnet', 3],
  ['rcmd', 3],
  ['default-network', 8],
  ['dns', 3],
];

const IPV6_GLOBAL: readonly Keyword[] = [
  ['route', 3],
  ['access-list', 6],
  ['unicast-routing', 4],
  ['prefix-list', 4],
  ['host', 4],
  ['cef', 3],
  ['multicast-routing', 5],
  ['general-prefix', 4],
];

/** Exec-mode commands (logged by TACACS+ accounting): they leave the configuration stack alone. */
const EXEC_VERBS: readonly Keyword[] = [
  ['show', 3],
  ['copy', 3],
  ['write', 2],
  ['ping', 3],
  ['traceroute', 5],
  ['clear', 3],
  ['debug', 3],
  ['undebug', 3],
  ['terminal', 4],
  ['reload', 3],
  ['dir', 3],
  ['more', 3],
  ['disable', 4],
  ['login', 4],
  ['logout', 4],
  ['quit', 4],
  ['telnet', 3],
  ['ssh', 3],
  ['verify', 3],
  ['run', 3],
  ['bash', 4],
  ['commit', 4],
];

/** Splits a command into lower-case words. */
export function words(command: string): string[] {
  const out: string[] = [];
  const s = command.toLowerCase();
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    if (i >= s.length) break;
    let e = i;
    while (e < s.length && s.charCodeAt(e) !== 32 && s.charCodeAt(e) !== 9) e++;
    out.push(s.slice(i, e));
    i = e;
  }
  return out;
}

/** The words after a leading `no` or `default`, and whether there was one. */
export function core(w: readonly string[]): { core: readonly string[]; negated: boolean } {
  if (w[0] === 'no' || kw(w[0], 'default', 3)) return { core: w.slice(1), negated: true };
  return { core: w, negated: false };
}

/**
 * The mirroring object a top-level command (or an interface-level IOS-XR attachment) configures:
 * `monitor session <id>` (IOS, NX-OS, EOS) or `monitor-session <name>` (IOS-XR); '' for none.
 */
export function mirrorObject(c: readonly string[], original: string): string {
  if (kw(c[0], 'monitor', 3) && kw(c[1], 'session', 3) && c[2] !== undefined) {
    return `monitor session ${originalWord(original, c[2])}`;
  }
  if (kw(c[0], 'monitor-session', 9) && c[0].startsWith('monitor-') && c[1] !== undefined) {
    return `monitor-session ${originalWord(original, c[1])}`;
  }
  return '';
}

/** The word `lower` as written in `original` (session names keep their case: Arista `S1`). */
function originalWord(original: string, lower: string): string {
  const i = original.toLowerCase().indexOf(lower);
  return i < 0 ? lower : original.slice(i, i + lower.length);
}

/** The mode a global command opens, or undefined for a single-line command. */
function topLevelMode(c: readonly string[]): ModeName | undefined {
  const a = c[0];
  const b = c[1];
  const n = c.length;
  if (kw(a, 'monitor', 3) && kw(b, 'session', 3)) {
    // `monitor session 1` (NX-OS) or `monitor session 1 type erspan-source`; other forms are single lines.
    return n === 3 || (n === 5 && kw(c[3], 'type', 2)) ? 'span-session' : undefined;
  }
  if (kw(a, 'monitor-session', 9) && a?.startsWith('monitor-')) return n === 2 || n === 3 ? 'xr-monitor-session' : undefined;
  if (kw(a, 'vlan', 4) && n === 2) return 'vlan';
  if (kw(a, 'interface', 3) && n >= 2) return 'interface';
  if (kw(a, 'router', 6) && n >= 2) return 'router';
  if (n < 2) return undefined;
  if (
    kw(a, 'line', 4) ||
    kw(a, 'class-map', 7) ||
    kw(a, 'policy-map', 7) ||
    kw(a, 'route-map', 7) ||
    kw(a, 'controller', 4) ||
    kw(a, 'object-group', 5) ||
    kw(a, 'port-profile', 6) ||
    kw(a, 'track', 4) ||
    (kw(a, 'key', 3) && kw(b, 'chain', 3)) ||
    (kw(a, 'flow', 4) && (kw(b, 'exporter', 3) || kw(b, 'monitor', 3) || kw(b, 'record', 3))) ||
    ((a === 'ip' || a === 'ipv6') && (kw(b, 'access-list', 6) || kw(b, 'vrf', 3) || kw(b, 'sla', 3)) && n >= 3) ||
    (kw(a, 'event', 3) && kw(b, 'manager', 3)) ||
    (kw(a, 'aaa', 3) && kw(b, 'group', 3)) ||
    (kw(a, 'crypto', 3) &&
      (kw(b, 'pki', 3) || kw(b, 'map', 3) || kw(b, 'keyring', 3) || kw(b, 'ikev2', 5) || kw(c[2], 'policy', 3) || kw(c[2], 'profile', 3))) ||
    (kw(a, 'vrf', 3) && (kw(b, 'definition', 3) || kw(b, 'context', 3))) ||
    (kw(a, 'vpc', 3) && kw(b, 'domain', 3)) ||
    (kw(a, 'role', 4) && kw(b, 'name', 3)) ||
    (kw(a, 'spanning-tree', 5) && kw(b, 'mst', 3) && kw(c[2], 'configuration', 3)) ||
    kw(a, 'management', 5) ||
    kw(a, 'daemon', 4) ||
    (kw(a, 'mlag', 4) && kw(b, 'configuration', 3))
  ) {
    return 'generic';
  }
  if (n === 1 && (kw(a, 'archive', 4) || kw(a, 'redundancy', 4) || kw(a, 'control-plane', 5))) return 'generic';
  return undefined;
}

/** True when a command can only be typed in global configuration mode (so it closes an open sub-mode). */
function isGlobalOnly(mode: ModeName, c: readonly string[]): boolean {
  const a = c[0];
  if (a === undefined) return false;
  if (a === 'ip') return anyKw(c[1], IP_GLOBAL) || (kw(c[1], 'nat', 3) && (kw(c[2], 'pool', 3) || kw(c[3], 'source', 3)));
  if (a === 'ipv6') return anyKw(c[1], IPV6_GLOBAL);
  // `logging event link-status` is an interface command; `logging host …` is global.
  if (kw(a, 'logging', 3)) return mode === 'interface' && !kw(c[1], 'event', 3);
  if (kw(a, 'spanning-tree', 5)) return kw(c[1], 'mode', 3) || kw(c[1], 'vlan', 3) || kw(c[1], 'extend', 3) || kw(c[1], 'mst', 3);
  if (kw(a, 'cdp', 3) || kw(a, 'lldp', 4)) return kw(c[1], 'run', 3);
  if (kw(a, 'vrf', 3)) return kw(c[1], 'definition', 3) || kw(c[1], 'context', 3);
  if (kw(a, 'mac', 3)) return kw(c[1], 'address-table', 3);
  if (kw(a, 'monitor-session', 9) && a.startsWith('monitor-')) return mode !== 'interface';
  return anyKw(a, GLOBAL_ONLY);
}

/** What a command is in a given mode. */
type Step = { kind: 'child'; open: ModeName | undefined } | { kind: 'foreign' };

const CHILD: Step = { kind: 'child', open: undefined };
const FOREIGN: Step = { kind: 'foreign' };

/** Classifies a command (without its `no`) in `mode`. */
function classify(mode: ModeName, c: readonly string[], negated: boolean): Step {
  const a = c[0];
  switch (mode) {
    case 'span-session':
      if ((kw(a, 'destination', 4) || kw(a, 'source', 3)) && c.length === 1 && !negated) {
        return { kind: 'child', open: 'span-endpoint' };
      }
      return anyKw(a, SPAN_SESSION_CHILDREN) ? CHILD : FOREIGN;
    case 'span-endpoint':
      return anyKw(a, SPAN_ENDPOINT_CHILDREN) ? CHILD : FOREIGN;
    case 'xr-monitor-session':
      return anyKw(a, XR_MONITOR_SESSION_CHILDREN) ? CHILD : FOREIGN;
    case 'xr-interface-monitor':
      return anyKw(a, XR_INTERFACE_MONITOR_CHILDREN) ? CHILD : FOREIGN;
    case 'vlan':
      return anyKw(a, VLAN_CHILDREN) ? CHILD : FOREIGN;
    case 'interface':
      if (isGlobalOnly(mode, c)) return FOREIGN;
      if (kw(a, 'monitor-session', 9) && a?.startsWith('monitor-') && !negated) {
        return { kind: 'child', open: 'xr-interface-monitor' };
      }
      return CHILD;
    case 'router':
      if (isGlobalOnly(mode, c)) return FOREIGN;
      if (!negated && (kw(a, 'address-family', 4) || kw(a, 'af-interface', 4) || kw(a, 'topology', 3))) {
        return { kind: 'child', open: 'nested' };
      }
      // IOS-XR opens a mode for `neighbor X` and `vrf X`; IOS writes `neighbor X remote-as N` on one line.
      if (!negated && c.length === 2 && (kw(a, 'neighbor', 3) || kw(a, 'vrf', 3))) return { kind: 'child', open: 'nested' };
      return CHILD;
    case 'generic':
      if (isGlobalOnly(mode, c)) return FOREIGN;
      if (!negated && (kw(a, 'class', 3) || (a === 'log' && kw(c[1], 'config', 3)))) return { kind: 'child', open: 'nested' };
      return CHILD;
    case 'nested':
      if (isGlobalOnly(mode, c)) return FOREIGN;
      // A sibling (`address-family ipv6` after `address-family ipv4`) closes this one and opens its own.
      if (kw(a, 'address-family', 4) || kw(a, 'class', 3) || kw(a, 'af-interface', 4) || kw(a, 'neighbor', 3)) {
        return c.length === 2 || kw(a, 'address-family', 4) || kw(a, 'class', 3) ? FOREIGN : CHILD;
      }
      return CHILD;
  }
}

/** The result of placing one command in its sub-mode. */
export interface CliPlacement {
  /** Enclosing sub-mode commands, outermost first, joined with ` ; `. */
  context: string;
  /** The mirroring object the command configures, '' for none. */
  object: string;
  /** The command was `configure terminal` (a session boundary). */
  configureTerminal: boolean;
}

function joinStack(stack: readonly Frame[]): string {
  if (stack.length === 0) return '';
  if (stack.length === 1) return stack[0].command;
  return stack.map((f) => f.command).join(' ; ');
}

/**
 * Places a Cisco-style command typed by one administrator in the sub-mode stack `stack` (mutated: modes are
 * opened and closed as the CLI would).
 */
export function placeCliCommand(stack: Frame[], command: string): CliPlacement {
  const trimmed = command.trim();
  // IOS archive logs exec-level commands with `!exec:`: the administrator is outside configuration mode.
  if (trimmed.startsWith('!exec:')) {
    stack.length = 0;
    return { context: '', object: '', configureTerminal: false };
  }
  const w = words(trimmed);
  const current = joinStack(stack);
  const first = w[0];
  if (first === undefined || first === '!' || first.startsWith('!')) {
    stack.length = 0;
    return { context: current, object: '', configureTerminal: false };
  }
  if (first === 'end' && w.length === 1) {
    const object = stack.length > 0 ? stack[stack.length - 1].object : '';
    stack.length = 0;
    return { context: current, object, configureTerminal: false };
  }
  if ((kw(first, 'exit', 3) && w.length === 1) || first.startsWith('exit-')) {
    const top = stack.pop();
    return { context: current, object: top?.object ?? '', configureTerminal: false };
  }
  if (kw(first, 'configure', 4) && (w.length === 1 || kw(w[1], 'terminal', 1) || w[1] === 'session' || w[1] === 'sync')) {
    stack.length = 0;
    return { context: '', object: '', configureTerminal: true };
  }
  if (first === 'do') return { context: current, object: '', configureTerminal: false };
  if (anyKw(first, EXEC_VERBS) || (first === 'sh' && stack.length === 0)) {
    return { context: '', object: '', configureTerminal: false };
  }
  const { core: c, negated } = core(w);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const step = classify(top.mode, c, negated);
    if (step.kind === 'child') {
      let object = top.object;
      if (object === '' && top.mode === 'vlan' && kw(c[0], 'remote-span', 3)) object = `remote-span vlan ${top.vlan}`;
      if (object === '') object = mirrorObject(c, trimmed);
      if (step.open !== undefined) stack.push({ mode: step.open, command: trimmed, object, vlan: '' });
      return { context: current, object, configureTerminal: false };
    }
    stack.pop();
  }
  const object = mirrorObject(c, trimmed);
  const mode = negated ? undefined : topLevelMode(c);
  if (mode !== undefined) {
    stack.push({ mode, command: trimmed, object, vlan: mode === 'vlan' ? (c[1] ?? '') : '' });
  }
  return { context: '', object, configureTerminal: false };
}

/**
 * Splits an NX-OS accounting path (`configure terminal ; monitor session 1 ; source …`) into context and command,
 * dropping the leading `configure terminal`; also names the mirroring object.
 */
export function placePathCommand(path: readonly string[]): CliPlacement & { command: string } {
  let start = 0;
  const head = words(path[0]);
  const configure = kw(head[0], 'configure', 4) && (head.length === 1 || kw(head[1], 'terminal', 1) || head[1] === 'sync');
  if (configure && path.length > 1) start = 1;
  const command = path[path.length - 1];
  const contextParts = path.slice(start, path.length - 1);
  const outer = start < path.length ? path[start] : '';
  let object = mirrorObject(core(words(outer)).core, outer);
  if (object === '' && contextParts.length > 0) {
    const vlan = words(contextParts[0]);
    const last = core(words(command)).core;
    if (kw(vlan[0], 'vlan', 4) && kw(last[0], 'remote-span', 3)) object = `remote-span vlan ${vlan[1] ?? ''}`;
  }
  if (object === '' && contextParts.length > 1) {
    // IOS-XR style attachment under an interface: `interface X ; monitor-session NAME …`.
    object = mirrorObject(core(words(contextParts[1])).core, contextParts[1]);
  }
  if (object === '' && contextParts.length > 0) object = mirrorObject(core(words(command)).core, command);
  return {
    context: contextParts.join(' ; '),
    object,
    command,
    configureTerminal: configure && path.length === 1,
  };
}
