/**
 * Per-device state: for each (device, administrator) the configuration sub-mode stack, the Junos `edit` level and
 * the configuration session, and the command events a session holds until its closing line names the
 * administrator's address (`%SYS-5-CONFIG_I: Configured from console by akroh on vty0 (10.100.11.10)` comes only
 * when the session ends). Devices never share state, so interleaved devices cannot leak contexts into each other.
 *
 * Memory stays bounded: a session holds at most `MAX_HELD_PER_SESSION` events, all sessions together at most
 * `MAX_HELD_TOTAL`; past that, events are released without the address (and the user is told once).
 */
import type { Event } from '../../core/event.js';
import { placeCliCommand, placePathCommand, type Frame } from './config-modes.js';
import type { DeviceRecord, Directive } from './device-record.js';
import {
  junosMirrorObject,
  junosPathWords,
  placeJunosCommand,
  type JunosLevel,
} from './junos-path.js';

/** Lines a session may hold before it is released early. */
export const MAX_HELD_PER_SESSION = 10000;
/** Held lines across all sessions of one file. */
export const MAX_HELD_TOTAL = 100000;
/** A pause longer than this starts a new configuration session. */
export const SESSION_GAP_MS = 10 * 60 * 1000;
/** TACACS+ task ids remembered per administrator (a command's start and stop share one). */
const MAX_TASKS = 256;

/** One configuration session of one administrator on one device. */
interface Session {
  id: string;
  lastMs: number;
  lines: number;
  held: Event[];
  /** Stopped holding (released early); later events pass straight through. */
  released: boolean;
  /** Address and tty known from the opening line (EOS `%SYS-5-CONFIG_E`, TACACS+ exec start). */
  sourceIp: string;
  tty: string;
  /**
   * Opened by a command that enters configuration mode and nothing else yet: the device's own "entering
   * configuration mode" line (Junos `UI_DBASE_LOGIN_EVENT`, EOS `%SYS-5-CONFIG_E`) belongs to it.
   */
  fresh: boolean;
}

/** What a remembered TACACS+ task placed its command at. */
interface TaskMemo {
  context: string;
  object: string;
  command: string;
}

/** The state of one administrator on one device. */
interface Admin {
  host: string;
  user: string;
  counter: number;
  session: Session | undefined;
  /** The id of a session a commit closed (Junos `UI_COMMIT`): a following logout line belongs to it. */
  committedId: string;
  stack: Frame[];
  junos: JunosLevel;
  tasks: Map<string, TaskMemo>;
}

/** Where a line sits: its command, sub-mode context, mirroring object and configuration session. */
export interface Placement {
  command: string;
  context: string;
  object: string;
  sessionId: string;
  /** Address and tty the session learned at its start, for lines that carry none. */
  sourceIp: string;
  tty: string;
  /** The session to hold this line's event in, when it should wait for the closing line's address. */
  holdIn: Session | undefined;
}

/** Receives a warning about early release. */
export type OverflowReport = (message: string) => void;

/** Quotes a Junos value that holds spaces, as the CLI requires. */
function junosValue(v: string): string {
  return /[\s;]/.test(v) ? `"${v}"` : v;
}

/** The per-file device state. */
export class DeviceState {
  /** Administrators by device, then by user name. */
  private readonly byHost = new Map<string, Map<string, Admin>>();
  /** Sessions that hold events, oldest first. */
  private readonly holding = new Set<Session>();
  private heldTotal = 0;
  private overflowReported = false;

  constructor(private readonly onOverflow: OverflowReport) {}

  private admin(host: string, user: string): Admin {
    let users = this.byHost.get(host);
    if (!users) {
      users = new Map();
      this.byHost.set(host, users);
    }
    let a = users.get(user);
    if (!a) {
      a = {
        host,
        user,
        counter: 0,
        session: undefined,
        committedId: '',
        stack: [],
        junos: { groups: [] },
        tasks: new Map(),
      };
      users.set(user, a);
    }
    return a;
  }

  private newSession(a: Admin, sourceIp: string, tty: string): Session {
    a.counter++;
    const s: Session = {
      id: `${a.host}|${a.user}|${a.counter}`,
      lastMs: NaN,
      lines: 0,
      held: [],
      released: false,
      sourceIp,
      tty,
      fresh: false,
    };
    a.session = s;
    a.committedId = '';
    return s;
  }

  /** Releases what `s` holds into `out`, filling the address and tty when the events have none. */
  private release(s: Session, out: Event[], sourceIp: string, tty: string): void {
    if (s.held.length > 0) {
      for (const ev of s.held) {
        const f = ev.fields;
        if (sourceIp !== '' && f.source_ip === '') f.source_ip = sourceIp;
        if (tty !== '' && f.tty === '') f.tty = tty;
        out.push(ev);
      }
      this.heldTotal -= s.held.length;
      s.held = [];
    }
    this.holding.delete(s);
  }

  /** Ends the current session of `a` (if any), releasing its events. */
  private close(a: Admin, out: Event[], sourceIp: string, tty: string): void {
    const s = a.session;
    if (!s) return;
    this.release(s, out, sourceIp, tty);
    a.session = undefined;
  }

  /** The session a line at `timeMs` belongs to: the current one, or a new one after a pause or boundary. */
  private sessionAt(a: Admin, timeMs: number, out: Event[]): Session {
    let s = a.session;
    if (s && Number.isFinite(timeMs) && Number.isFinite(s.lastMs) && timeMs - s.lastMs > SESSION_GAP_MS) {
      this.close(a, out, '', '');
      s = undefined;
    }
    if (!s) s = this.newSession(a, '', '');
    if (Number.isFinite(timeMs)) s.lastMs = timeMs;
    s.lines++;
    s.fresh = false;
    return s;
  }

  /** The session of a command that enters configuration mode: a new one, marked fresh. */
  private enteringSession(a: Admin, timeMs: number, out: Event[]): Session {
    const joined = a.session?.fresh === true;
    if (!joined) this.boundary(a, out);
    const s = this.sessionAt(a, timeMs, out);
    // After a login/"entering" line the command joins that session; otherwise the device's own line may follow.
    s.fresh = !joined && s.lines === 1;
    return s;
  }

  /** Starts a fresh session unless the current one has no lines yet. */
  private boundary(a: Admin, out: Event[]): void {
    if (a.session && a.session.lines > 0) this.close(a, out, '', '');
  }

  /**
   * Applies one record to the state. Events released by this line (a closed session, a pause) are appended to
   * `out`; they come before the line's own event.
   */
  place(r: DeviceRecord, host: string, timeMs: number, out: Event[]): Placement {
    const d: Directive = r.directive;
    const empty: Placement = { command: '', context: '', object: '', sessionId: '', sourceIp: '', tty: '', holdIn: undefined };
    switch (d.kind) {
      case 'none': {
        if (!r.config || r.user === '') return empty;
        const a = this.admin(host, r.user);
        const s = this.sessionAt(a, timeMs, out);
        return { ...empty, sessionId: s.id, sourceIp: s.sourceIp, tty: s.tty };
      }
      case 'session-open': {
        if (r.user === '') return empty;
        const a = this.admin(host, r.user);
        const joined = a.session?.fresh === true;
        if (!joined) this.boundary(a, out);
        const s = a.session ?? this.newSession(a, r.sourceIp, r.tty);
        if (s.sourceIp === '') s.sourceIp = r.sourceIp;
        if (s.tty === '') s.tty = r.tty;
        if (Number.isFinite(timeMs)) s.lastMs = timeMs;
        s.lines++;
        // A command entering configuration mode may follow (TACACS+ exec start, then `configure terminal`).
        s.fresh = !joined;
        a.stack.length = 0;
        return { ...empty, sessionId: s.id };
      }
      case 'session-close': {
        if (d.scope === 'host') {
          for (const a of this.byHost.get(host)?.values() ?? []) this.close(a, out, '', '');
          return empty;
        }
        const a = this.admin(host, r.user);
        let id: string;
        if (a.session) id = a.session.id;
        else if (a.committedId !== '') id = a.committedId;
        else id = this.newSession(a, '', '').id;
        this.close(a, out, r.sourceIp, r.tty);
        if (d.leavesConfigMode) {
          a.stack.length = 0;
          a.junos.groups = [];
          a.committedId = '';
        } else {
          a.committedId = id;
        }
        return { ...empty, sessionId: id };
      }
      case 'cli':
        return this.placeCli(r, host, d.command, timeMs, out);
      case 'path': {
        const a = this.admin(host, r.user);
        const p = placePathCommand(d.path);
        const s = p.configureTerminal ? this.enteringSession(a, timeMs, out) : this.sessionAt(a, timeMs, out);
        return this.result(r, s, p.command, p.context, p.object);
      }
      case 'junos-line': {
        const a = this.admin(host, r.user);
        const memo = r.taskId !== '' ? a.tasks.get(r.taskId) : undefined;
        if (memo) return this.result(r, this.sessionAt(a, timeMs, out), memo.command, memo.context, memo.object);
        const p = placeJunosCommand(a.junos, d.command);
        if (p.leavesConfig === true && !a.session && a.committedId !== '') {
          // `exit` right after a commit ends the committed session; it starts no new one.
          return { ...empty, command: d.command, context: p.context, sessionId: a.committedId };
        }
        const s = p.entersConfig ? this.enteringSession(a, timeMs, out) : this.sessionAt(a, timeMs, out);
        const object = p.absolute ? junosMirrorObject(p.absolute) : '';
        this.remember(a, r.taskId, { command: d.command, context: p.context, object });
        return this.result(r, s, d.command, p.context, object);
      }
      case 'junos-audit': {
        const a = this.admin(host, r.user);
        const s = this.sessionAt(a, timeMs, out);
        const command = `${d.verb} ${d.path}${d.value !== undefined ? ` ${junosValue(d.value)}` : ''}`;
        return this.result(r, s, command, '', junosMirrorObject(junosPathWords(d.path)));
      }
    }
  }

  private placeCli(r: DeviceRecord, host: string, command: string, timeMs: number, out: Event[]): Placement {
    const a = this.admin(host, r.user);
    const memo = r.taskId !== '' ? a.tasks.get(r.taskId) : undefined;
    if (memo) {
      // The stop (or update) record of a command whose start was placed already: same place, no second move.
      const s = this.sessionAt(a, timeMs, out);
      return this.result(r, s, memo.command, memo.context, memo.object);
    }
    const p = placeCliCommand(a.stack, command);
    const s = p.configureTerminal ? this.enteringSession(a, timeMs, out) : this.sessionAt(a, timeMs, out);
    this.remember(a, r.taskId, { command, context: p.context, object: p.object });
    return this.result(r, s, command, p.context, p.object);
  }

  private remember(a: Admin, taskId: string, memo: TaskMemo): void {
    if (taskId === '') return;
    if (a.tasks.size >= MAX_TASKS) {
      const oldest = a.tasks.keys().next();
      if (!oldest.done) a.tasks.delete(oldest.value);
    }
    a.tasks.set(taskId, memo);
  }

  private result(r: DeviceRecord, s: Session, command: string, context: string, object: string): Placement {
    // Only syslog command lines of devices whose closing line carries the address wait for it.
    const wait =
      r.logType === 'syslog' &&
      r.sourceIp === '' &&
      s.sourceIp === '' &&
      !s.released &&
      (r.os === 'ios' || r.os === 'iosxr' || r.os === 'eos' || r.os === 'nxos');
    return {
      command,
      context,
      object,
      sessionId: s.id,
      sourceIp: s.sourceIp,
      tty: s.tty,
      holdIn: wait ? s : undefined,
    };
  }

  /** Holds `ev` in `s` until the session closes; releases early (into `out`) when a limit is reached. */
  hold(s: Session, ev: Event, out: Event[]): void {
    s.held.push(ev);
    this.heldTotal++;
    this.holding.add(s);
    if (s.held.length >= MAX_HELD_PER_SESSION) {
      this.release(s, out, '', '');
      s.released = true;
      this.overflowReport(`configuration session ${s.id} held ${MAX_HELD_PER_SESSION} lines; released without waiting for its end`);
    }
    while (this.heldTotal > MAX_HELD_TOTAL) {
      const oldest = this.holding.values().next();
      if (oldest.done) break;
      this.release(oldest.value, out, '', '');
      oldest.value.released = true;
      this.overflowReport(`more than ${MAX_HELD_TOTAL} lines were waiting for the end of their configuration sessions; the oldest were released`);
    }
  }

  private overflowReport(message: string): void {
    if (this.overflowReported) return;
    this.overflowReported = true;
    this.onOverflow(message);
  }

  /** Releases everything still held (end of input), oldest session first. */
  flush(): Event[] {
    const out: Event[] = [];
    for (const s of [...this.holding]) this.release(s, out, '', '');
    return out;
  }
}

export type { Session };
