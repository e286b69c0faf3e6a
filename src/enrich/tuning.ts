/**
 * The tuning file (`mirrorwatch.tuning.yml`): what an organisation approves, so that its own NDR deployments,
 * Terraform runs, CSPM scanners and incident-response captures stop raising alerts without anything being dropped
 * silently. Every entry has an `id` and a `reason`; a suppressed alert records the entry that suppressed it (with
 * its ticket, expiry and `file:line:column`), and expired entries are ignored with a warning naming where they are.
 *
 * Sections (all optional):
 *
 *   approved_principals     who may manage mirroring: exact names, `*` wildcards, ARNs; a role ARN also approves
 *                           every assumed-role session of that role. Suppresses the principal's alerts only when
 *                           the mirror's destination, if it names one, is an approved collector (or the entry says
 *                           `any_destination: true`), so a stolen CI role pointing a mirror elsewhere still alerts.
 *   approved_collectors     where copies may go: mirror target ids, ENI ids, ARNs, CIDRs, GCP ILB URLs, Azure
 *                           resource ids (case-insensitive; a parent id covers its children). They never suppress by
 *                           themselves; they feed the approved/unapproved-destination risk factors and the checks
 *                           above.
 *   infrastructure_as_code  user agents of approved pipelines (Terraform, Pulumi, …). A user agent is chosen by the
 *                           caller, so it lowers the risk score but never suppresses by itself.
 *   windows                 time-boxed approvals (`starts`, `expires`, a `ticket`) for changes such as an incident
 *                           capture, limited by at least one scope condition.
 *   exceptions              per-rule exceptions: rule ids plus conditions on the alert's fields.
 *
 * Scope conditions any entry may add (all must hold): `rules`, `platforms`, `principals`, `destinations`, `sources`,
 * `accounts`, `user_agents`, `match` (`field.path: pattern`, `field.path|cidr: 10.0.0.0/8`, `field.path|exists: true`).
 * Parsed with the `yaml` package; every mistake is a numbered diagnostic (MW4200–MW4299) with file:line:column.
 */
import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node, Pair, ParsedNode, YAMLMap } from 'yaml';
import type { CodeInfo, Diagnostic, Report } from '../core/diagnostic.js';
import type { MirrorPlatform } from './mirror.js';

/** Diagnostic codes of the tuning file and the enrichment layer (MW4200–MW4299). */
export const TUNING_CODES = {
  unreadable: { code: 'MW4200', severity: 'error', summary: 'the tuning file cannot be read' },
  syntax: { code: 'MW4201', severity: 'error', summary: 'the tuning file is not valid YAML' },
  notMap: { code: 'MW4202', severity: 'error', summary: 'the tuning file or a section has the wrong shape' },
  unknownSection: { code: 'MW4203', severity: 'warning', summary: 'unknown top-level key (ignored)' },
  entryNotMap: { code: 'MW4204', severity: 'error', summary: 'an entry is not a map (entry ignored)' },
  unknownKey: { code: 'MW4205', severity: 'error', summary: 'unknown key in an entry (entry ignored: a misspelt condition would widen it)' },
  missing: { code: 'MW4206', severity: 'error', summary: 'a required key is missing (entry ignored)' },
  duplicateId: { code: 'MW4207', severity: 'error', summary: 'two entries share an id (the later one is ignored)' },
  badType: { code: 'MW4208', severity: 'error', summary: 'a value has the wrong type (entry ignored)' },
  badTime: { code: 'MW4209', severity: 'error', summary: 'a date or time is invalid or has no time zone (entry ignored)' },
  badPattern: { code: 'MW4210', severity: 'error', summary: 'a pattern is invalid or matches everything (entry ignored)' },
  expired: { code: 'MW4211', severity: 'warning', summary: 'an entry has expired and is ignored' },
  badWindow: { code: 'MW4212', severity: 'error', summary: 'a window ends before it starts (entry ignored)' },
  unscopedWindow: { code: 'MW4213', severity: 'error', summary: 'a window names nothing it covers (entry ignored)' },
  unconditionalException: {
    code: 'MW4214',
    severity: 'warning',
    summary: 'an exception has no condition and suppresses every alert of its rules',
  },
  unknownRule: { code: 'MW4215', severity: 'warning', summary: 'an exception names a rule id that is not loaded' },
  badField: { code: 'MW4216', severity: 'error', summary: 'a match condition has an invalid field path or modifier (entry ignored)' },
  badVersion: { code: 'MW4217', severity: 'error', summary: 'unsupported tuning file version' },
  duplicateKey: { code: 'MW4218', severity: 'error', summary: 'a key appears twice in one map' },
  unknownTechnique: { code: 'MW4290', severity: 'error', summary: 'unknown technique id (explain)' },
} as const satisfies Record<string, CodeInfo>;

/** The kinds of tuning entries. */
export type TuningEntryKind = 'approved-principal' | 'approved-collector' | 'infrastructure-as-code' | 'window' | 'exception';

/** A prepared pattern: its text and a test. */
export interface Pattern {
  text: string;
  test(value: string): boolean;
}

/** A condition on one alert field (`match:`). */
export interface FieldCondition {
  path: string;
  modifier: 'glob' | 'cidr' | 'exists';
  patterns: Pattern[];
  /** For `|exists`. */
  exists?: boolean;
}

/** Conditions that limit an entry; every one that is set must hold. */
export interface Scope {
  rules?: string[];
  platforms?: MirrorPlatform[];
  principals?: Pattern[];
  destinations?: Pattern[];
  sources?: Pattern[];
  accounts?: Pattern[];
  userAgents?: Pattern[];
  match?: FieldCondition[];
}

/** What every entry has. */
export interface TuningEntryBase {
  kind: TuningEntryKind;
  id: string;
  reason: string;
  ticket?: string;
  /** Epoch ms when the entry stops applying, and the text as written. */
  expiresMs?: number;
  expires?: string;
  /** True when `expires` was at or before the tuning file's `now`: the entry is kept for reference but never applies. */
  expired: boolean;
  /** `file:line:column` of the entry. */
  location: string;
  scope: Scope;
}

/** `approved_principals[]`. */
export interface PrincipalEntry extends TuningEntryBase {
  kind: 'approved-principal';
  principals: Pattern[];
  /** Suppress whatever the destination (default false: only approved collectors or none). */
  anyDestination: boolean;
}

/** `approved_collectors[]`. */
export interface CollectorEntry extends TuningEntryBase {
  kind: 'approved-collector';
  collectors: Pattern[];
}

/** `infrastructure_as_code[]`. */
export interface IacEntry extends TuningEntryBase {
  kind: 'infrastructure-as-code';
  userAgents: Pattern[];
}

/** `windows[]`. */
export interface WindowEntry extends TuningEntryBase {
  kind: 'window';
  startsMs: number;
  starts: string;
  expiresMs: number;
  expires: string;
  ticket: string;
}

/** `exceptions[]`. */
export interface ExceptionEntry extends TuningEntryBase {
  kind: 'exception';
  rules: string[];
}

/** Any tuning entry. */
export type TuningEntry = PrincipalEntry | CollectorEntry | IacEntry | WindowEntry | ExceptionEntry;

/** A parsed tuning file. */
export interface Tuning {
  file: string;
  principals: PrincipalEntry[];
  collectors: CollectorEntry[];
  iac: IacEntry[];
  windows: WindowEntry[];
  exceptions: ExceptionEntry[];
}

/** Options of the parser. */
export interface TuningParseOptions {
  report: Report;
  /** The moment against which `expires` is judged (the scan's clock). */
  now: Date;
  /** Rule ids that are loaded; exceptions naming others are warned about. */
  knownRuleIds?: ReadonlySet<string>;
}

/** An empty tuning (no file given). */
export function emptyTuning(file = '<none>'): Tuning {
  return { file, principals: [], collectors: [], iac: [], windows: [], exceptions: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// Patterns

/** Escapes a string for a regular expression. */
function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** A case-insensitive glob where `*` matches any run of characters (also `/` and `:`), anchored at both ends. */
export function globPattern(text: string): Pattern {
  const re = new RegExp(`^${text.split('*').map(escapeRe).join('.*')}$`, 'is');
  return { text, test: (v) => re.test(v) };
}

/** True when the text is an IPv4 or IPv6 CIDR block such as `10.0.0.0/8` or `2001:db8::/32`. */
export function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return false;
  const family = isIP(m[1]);
  const bits = Number(m[2]);
  return family !== 0 && bits <= (family === 4 ? 32 : 128);
}

/** A CIDR pattern: matches IP addresses inside the block (and the block written the same way). */
export function cidrPattern(text: string): Pattern {
  const [addr, bits] = text.trim().split('/');
  const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  list.addSubnet(addr, Number(bits), family);
  return {
    text,
    test(v) {
      const s = v.trim();
      const f = isIP(s);
      if (f === 0) return s.toLowerCase() === text.trim().toLowerCase();
      return list.check(s, f === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** Strips the API prefix of a GCP resource URL so `https://www.googleapis.com/compute/v1/projects/…` equals `projects/…`. */
export function normaliseResource(s: string): string {
  return s
    .trim()
    .replace(/^https?:\/\/(?:www|compute)\.googleapis\.com\/compute\/(?:v1|beta|alpha)\//i, '')
    .replace(/^\/\/compute\.googleapis\.com\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/**
 * A collector or resource pattern: a CIDR block, or a glob over the normalised resource text. Azure resource ids
 * (`/subscriptions/…`) also match their children: an approved NIC covers its `ipConfigurations/…`.
 */
export function resourcePattern(text: string): Pattern {
  if (isCidr(text)) return cidrPattern(text);
  const norm = normaliseResource(text);
  const glob = globPattern(norm);
  const isAzure = norm.startsWith('/subscriptions/');
  return {
    text,
    test(v) {
      const n = normaliseResource(v);
      if (glob.test(n)) return true;
      return isAzure && !norm.includes('*') && n.startsWith(`${norm}/`);
    },
  };
}

/**
 * A principal pattern: a glob over the alert's principal identities (ARN, name, UPN, e-mail, app id). A role ARN
 * `arn:aws:iam::123456789012:role[/path]/NAME` also matches every session of the role,
 * `arn:aws:sts::123456789012:assumed-role/NAME/<session>` (the session ARN carries no role path; IAM user guide,
 * "IAM identifiers").
 */
export function principalPattern(text: string): Pattern {
  const glob = globPattern(text.trim());
  const role = /^arn:(aws[\w-]*):iam::(\d{12}|\*):role\/(?:.*\/)?([^/]+)$/i.exec(text.trim());
  const session = role ? globPattern(`arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/*`) : undefined;
  return { text, test: (v) => glob.test(v) || (session !== undefined && session.test(v)) };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

const SECTIONS: Record<string, TuningEntryKind> = {
  approved_principals: 'approved-principal',
  approved_collectors: 'approved-collector',
  infrastructure_as_code: 'infrastructure-as-code',
  windows: 'window',
  exceptions: 'exception',
};

const COMMON_KEYS = ['id', 'reason', 'ticket', 'expires', 'description'];
const SCOPE_KEYS = ['rules', 'rule', 'platforms', 'platform', 'principals', 'destinations', 'sources', 'accounts', 'user_agents', 'match'];
const KIND_KEYS: Record<TuningEntryKind, string[]> = {
  'approved-principal': ['principal', 'any_destination'],
  'approved-collector': ['collector', 'collectors'],
  'infrastructure-as-code': ['user_agent', 'user_agents'],
  window: ['starts'],
  exception: [],
};
const PLATFORMS: readonly MirrorPlatform[] = ['aws', 'azure', 'gcp', 'network-device'];

/** Reads a node's location as `file:line:column` and structured. */
class Locator {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  at(node: Node | null | undefined, fallback = 0): { file: string; line: number; column: number } {
    const offset = node?.range?.[0] ?? fallback;
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, column: p.col };
  }

  text(node: Node | null | undefined): string {
    const l = this.at(node);
    return `${l.file}:${l.line}:${l.column}`;
  }
}

/** Collects problems of one entry; an entry with an error is dropped. */
class EntryProblems {
  errors = 0;
  constructor(
    private readonly report: Report,
    private readonly loc: Locator,
  ) {}

  add(info: CodeInfo, node: Node | null | undefined, message: string): void {
    if (info.severity === 'error') this.errors++;
    const d: Diagnostic = { code: info.code, severity: info.severity, message, ...this.loc.at(node) };
    this.report(d);
  }
}

/** The scalar value of a node as a string, a number, a boolean, or undefined for other node types. */
function scalarValue(node: unknown): string | number | boolean | null | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}

/** A string value (numbers are accepted and turned into text: ticket numbers, account ids). */
function stringOf(node: unknown): string | undefined {
  const v = scalarValue(node);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Parses a date or date-time. ISO 8601 with a zone (`2026-11-27T08:00:00Z`, `…+02:00`); a bare date means the
 * start of that day in UTC for `starts` and the end of that day (the next midnight UTC) for `expires`. A date-time
 * without a zone is refused: it is ambiguous, and an exception must not last longer than meant.
 */
export function parseTuningTime(text: string, end: boolean): number | undefined {
  const s = text.trim();
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    const back = new Date(ms);
    if (back.getUTCFullYear() !== Number(date[1]) || back.getUTCMonth() !== Number(date[2]) - 1 || back.getUTCDate() !== Number(date[3])) {
      return undefined;
    }
    return end ? ms + 86_400_000 : ms;
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return undefined;
  const ms = Date.parse(s.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Parses a tuning file's text. Never throws for a user's mistake: each one is a numbered, located diagnostic. */
export function parseTuning(text: string, file: string, options: TuningParseOptions): Tuning {
  const out = emptyTuning(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const loc = new Locator(file, lines);
  const report = options.report;
  const emit = (info: CodeInfo, node: Node | null | undefined, message: string, offset?: number): void => {
    const where = node ? loc.at(node) : loc.at(null, offset ?? 0);
    report({ code: info.code, severity: info.severity, message, ...where });
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) emit(TUNING_CODES.syntax, null, e.message.split('\n')[0], e.pos[0]);
    return out;
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return out; // empty file: nothing approved
  if (!isMap(root)) {
    emit(TUNING_CODES.notMap, root, 'the tuning file must be a map of sections (approved_principals, approved_collectors, infrastructure_as_code, windows, exceptions)');
    return out;
  }
  checkDuplicateKeys(root, loc, report);
  const ids = new Map<string, string>();
  for (const pair of root.items as Pair<ParsedNode, ParsedNode | null>[]) {
    const key = stringOf(pair.key);
    if (key === 'version') {
      const v = scalarValue(pair.value);
      if (v !== 1 && v !== '1') emit(TUNING_CODES.badVersion, pair.value ?? pair.key, `version ${JSON.stringify(v)} is not supported; this mirrorwatch reads version 1`);
      continue;
    }
    const kind = key === undefined ? undefined : SECTIONS[key];
    if (kind === undefined) {
      emit(TUNING_CODES.unknownSection, pair.key, `unknown section "${key ?? '?'}" (expected ${Object.keys(SECTIONS).join(', ')} or version)`);
      continue;
    }
    const list = pair.value;
    if (list === null || (isScalar(list) && list.value === null)) continue; // an empty section
    if (!isSeq(list)) {
      emit(TUNING_CODES.notMap, list, `${key} must be a list of entries`);
      continue;
    }
    for (const item of list.items as (ParsedNode | null)[]) {
      const entry = parseEntry(kind, item, loc, options);
      if (entry === undefined) continue;
      const seen = ids.get(entry.id.toLowerCase());
      if (seen !== undefined) {
        emit(TUNING_CODES.duplicateId, item, `id "${entry.id}" is already used by the entry at ${seen}; ids name exceptions in audit records and must be unique`);
        continue;
      }
      ids.set(entry.id.toLowerCase(), entry.location);
      if (entry.expiresMs !== undefined && entry.expiresMs <= options.now.getTime()) {
        entry.expired = true;
        const node = isMap(item) ? (item.get('expires', true) as Node | undefined) : undefined;
        emit(
          TUNING_CODES.expired,
          node ?? item,
          `${kindLabel(entry.kind)} "${entry.id}" expired at ${new Date(entry.expiresMs).toISOString()}${entry.ticket ? ` (ticket ${entry.ticket})` : ''}; it is ignored: renew it or remove it`,
        );
      }
      switch (entry.kind) {
        case 'approved-principal':
          out.principals.push(entry);
          break;
        case 'approved-collector':
          out.collectors.push(entry);
          break;
        case 'infrastructure-as-code':
          out.iac.push(entry);
          break;
        case 'window':
          out.windows.push(entry);
          break;
        case 'exception':
          out.exceptions.push(entry);
          break;
      }
    }
  }
  return out;
}

/** Reports keys that appear twice in one map (YAML allows the parser to keep the last; we refuse to guess). */
function checkDuplicateKeys(map: YAMLMap, loc: Locator, report: Report): void {
  const seen = new Set<string>();
  for (const pair of map.items as Pair<ParsedNode, ParsedNode | null>[]) {
    const k = stringOf(pair.key);
    if (k === undefined) continue;
    if (seen.has(k)) {
      report({ code: TUNING_CODES.duplicateKey.code, severity: 'error', message: `key "${k}" appears twice in this map`, ...loc.at(pair.key) });
    }
    seen.add(k);
  }
}

/** A human label for an entry kind. */
export function kindLabel(kind: TuningEntryKind): string {
  switch (kind) {
    case 'approved-principal':
      return 'approved principal';
    case 'approved-collector':
      return 'approved collector';
    case 'infrastructure-as-code':
      return 'infrastructure-as-code user agent';
    case 'window':
      return 'window';
    case 'exception':
      return 'exception';
  }
}

/** Reads a string or a list of strings; reports a wrong type. */
function stringList(node: ParsedNode | null, key: string, problems: EntryProblems): { values: string[]; nodes: ParsedNode[] } | undefined {
  if (node === null) {
    problems.add(TUNING_CODES.badType, node, `${key} must be a string or a list of strings`);
    return undefined;
  }
  const items: ParsedNode[] = isSeq(node) ? (node.items as ParsedNode[]) : [node];
  const values: string[] = [];
  for (const it of items) {
    const s = stringOf(it);
    if (s === undefined || s.trim() === '') {
      problems.add(TUNING_CODES.badType, it, `${key} must be a non-empty string or a list of non-empty strings`);
      return undefined;
    }
    values.push(s.trim());
  }
  if (values.length === 0) {
    problems.add(TUNING_CODES.badType, node, `${key} is an empty list`);
    return undefined;
  }
  return { values, nodes: items };
}

/** Builds patterns, refusing ones that would match everything. */
function patterns(
  node: ParsedNode | null,
  key: string,
  make: (s: string) => Pattern,
  problems: EntryProblems,
): Pattern[] | undefined {
  const list = stringList(node, key, problems);
  if (!list) return undefined;
  const out: Pattern[] = [];
  list.values.forEach((v, i) => {
    if (/^\*+$/.test(v)) {
      problems.add(TUNING_CODES.badPattern, list.nodes[i], `${key} "${v}" matches everything; name what you approve`);
      return;
    }
    if (v.includes('/') && /^[\d.:a-f]+\/\d+$/i.test(v) && !isCidr(v)) {
      problems.add(TUNING_CODES.badPattern, list.nodes[i], `${key} "${v}" looks like a CIDR block but is not a valid one`);
      return;
    }
    out.push(make(v));
  });
  return out.length === list.values.length ? out : undefined;
}

/** Parses one entry of a section. */
function parseEntry(kind: TuningEntryKind, node: ParsedNode | null, loc: Locator, options: TuningParseOptions): TuningEntry | undefined {
  const problems = new EntryProblems(options.report, loc);
  if (!isMap(node)) {
    problems.add(TUNING_CODES.entryNotMap, node, `each ${kindLabel(kind)} must be a map with at least id and reason`);
    return undefined;
  }
  checkDuplicateKeys(node, loc, options.report);
  const allowed = new Set([...COMMON_KEYS, ...SCOPE_KEYS, ...KIND_KEYS[kind]]);
  const values = new Map<string, ParsedNode | null>();
  const keyNodes = new Map<string, ParsedNode>();
  for (const pair of node.items as Pair<ParsedNode, ParsedNode | null>[]) {
    const k = stringOf(pair.key);
    if (k === undefined) {
      problems.add(TUNING_CODES.unknownKey, pair.key, 'keys must be strings');
      continue;
    }
    if (!allowed.has(k)) {
      problems.add(
        TUNING_CODES.unknownKey,
        pair.key,
        `unknown key "${k}" in ${kindLabel(kind)} (allowed: ${[...allowed].filter((a) => a !== 'rule' && a !== 'platform').join(', ')})`,
      );
      continue;
    }
    values.set(k, pair.value);
    keyNodes.set(k, pair.key);
  }
  const required = (k: string): ParsedNode | null | undefined => {
    if (!values.has(k)) {
      problems.add(TUNING_CODES.missing, node, `${kindLabel(kind)} is missing "${k}"`);
      return undefined;
    }
    return values.get(k) ?? null;
  };
  const str = (k: string, needed: boolean): string | undefined => {
    const n = needed ? required(k) : values.has(k) ? (values.get(k) ?? null) : undefined;
    if (n === undefined) return undefined;
    const s = stringOf(n);
    if (s === undefined || s.trim() === '') {
      problems.add(TUNING_CODES.badType, n ?? keyNodes.get(k), `${k} must be a non-empty string`);
      return undefined;
    }
    return s.trim();
  };

  const id = str('id', true);
  const reason = str('reason', true);
  const ticket = str('ticket', kind === 'window');
  let expiresMs: number | undefined;
  const expiresText = str('expires', kind === 'window');
  if (expiresText !== undefined) {
    expiresMs = parseTuningTime(expiresText, true);
    if (expiresMs === undefined) {
      problems.add(
        TUNING_CODES.badTime,
        values.get('expires') ?? node,
        `expires "${expiresText}" is not a date (2026-12-31) or a date-time with a zone (2026-12-31T18:00:00Z)`,
      );
    }
  }
  const scope = parseScope(values, kind, problems, options, loc);
  const location = loc.text(node);
  const base = { id: id ?? '', reason: reason ?? '', ticket, expiresMs, expires: expiresText, expired: false, location, scope };

  let entry: TuningEntry | undefined;
  switch (kind) {
    case 'approved-principal': {
      const n = required('principal');
      const ps = n === undefined ? undefined : patterns(n, 'principal', principalPattern, problems);
      const anyNode = values.get('any_destination');
      let anyDestination = false;
      if (anyNode !== undefined) {
        const v = scalarValue(anyNode);
        if (typeof v !== 'boolean') problems.add(TUNING_CODES.badType, anyNode ?? node, 'any_destination must be true or false');
        else anyDestination = v;
      }
      if (ps) entry = { ...base, kind, principals: ps, anyDestination };
      break;
    }
    case 'approved-collector': {
      const key = values.has('collector') ? 'collector' : 'collectors';
      const n = values.has(key) ? (values.get(key) ?? null) : required('collector');
      const cs = n === undefined ? undefined : patterns(n, key, resourcePattern, problems);
      if (cs) entry = { ...base, kind, collectors: cs };
      break;
    }
    case 'infrastructure-as-code': {
      const key = values.has('user_agent') ? 'user_agent' : 'user_agents';
      const n = values.has(key) ? (values.get(key) ?? null) : required('user_agent');
      const us = n === undefined ? undefined : patterns(n, key, globPattern, problems);
      if (us) entry = { ...base, kind, userAgents: us };
      break;
    }
    case 'window': {
      const startsText = str('starts', true);
      const startsMs = startsText === undefined ? undefined : parseTuningTime(startsText, false);
      if (startsText !== undefined && startsMs === undefined) {
        problems.add(
          TUNING_CODES.badTime,
          values.get('starts') ?? node,
          `starts "${startsText}" is not a date (2026-12-31) or a date-time with a zone (2026-12-31T08:00:00Z)`,
        );
      }
      if (startsMs !== undefined && expiresMs !== undefined && expiresMs <= startsMs) {
        problems.add(TUNING_CODES.badWindow, values.get('expires') ?? node, `window "${id ?? ''}" expires (${expiresText}) before it starts (${startsText})`);
      }
      const scoped = ['rules', 'principals', 'destinations', 'sources', 'accounts', 'match'].some((k) => values.has(k)) || values.has('rule');
      if (!scoped) {
        problems.add(
          TUNING_CODES.unscopedWindow,
          node,
          `window "${id ?? ''}" would suppress every alert for its duration; limit it with principals, destinations, sources, accounts, rules or match`,
        );
      }
      if (startsMs !== undefined && expiresMs !== undefined && ticket !== undefined && startsText !== undefined && expiresText !== undefined) {
        entry = { ...base, kind, startsMs, starts: startsText, expiresMs, expires: expiresText, ticket };
      }
      break;
    }
    case 'exception': {
      if (!scope.rules || scope.rules.length === 0) {
        if (!values.has('rules') && !values.has('rule')) problems.add(TUNING_CODES.missing, node, 'exception is missing "rules" (the rule ids it applies to)');
        break;
      }
      const conditional = ['principals', 'destinations', 'sources', 'accounts', 'user_agents', 'match', 'platforms', 'platform'].some((k) => values.has(k));
      if (!conditional) {
        problems.add(
          TUNING_CODES.unconditionalException,
          node,
          `exception "${id ?? ''}" has no condition: every alert of ${scope.rules.join(', ')} is suppressed; add match, principals or accounts to narrow it`,
        );
      }
      entry = { ...base, kind, rules: scope.rules };
      break;
    }
  }
  if (problems.errors > 0 || entry === undefined) return undefined;
  return entry;
}

/** Parses the scope conditions of an entry. */
function parseScope(
  values: Map<string, ParsedNode | null>,
  kind: TuningEntryKind,
  problems: EntryProblems,
  options: TuningParseOptions,
  loc: Locator,
): Scope {
  const scope: Scope = {};
  const ruleKey = values.has('rules') ? 'rules' : values.has('rule') ? 'rule' : undefined;
  if (ruleKey !== undefined) {
    const list = stringList(values.get(ruleKey) ?? null, ruleKey, problems);
    if (list) {
      scope.rules = list.values.map((r) => r.toLowerCase());
      if (options.knownRuleIds) {
        const known = new Set([...options.knownRuleIds].map((r) => r.toLowerCase()));
        list.values.forEach((r, i) => {
          if (!known.has(r.toLowerCase())) {
            problems.add(TUNING_CODES.unknownRule, list.nodes[i], `rule id "${r}" is not among the loaded rules; this ${kindLabel(kind)} cannot apply to it`);
          }
        });
      }
    }
  }
  const platKey = values.has('platforms') ? 'platforms' : values.has('platform') ? 'platform' : undefined;
  if (platKey !== undefined) {
    const list = stringList(values.get(platKey) ?? null, platKey, problems);
    if (list) {
      const out: MirrorPlatform[] = [];
      list.values.forEach((p, i) => {
        const v = p.toLowerCase() === 'device' || p.toLowerCase() === 'devices' ? 'network-device' : p.toLowerCase();
        if ((PLATFORMS as readonly string[]).includes(v)) out.push(v as MirrorPlatform);
        else problems.add(TUNING_CODES.badType, list.nodes[i], `platform "${p}" is not one of ${PLATFORMS.join(', ')}`);
      });
      scope.platforms = out;
    }
  }
  if (values.has('principals')) scope.principals = patterns(values.get('principals') ?? null, 'principals', principalPattern, problems);
  if (values.has('destinations')) scope.destinations = patterns(values.get('destinations') ?? null, 'destinations', resourcePattern, problems);
  if (values.has('sources')) scope.sources = patterns(values.get('sources') ?? null, 'sources', resourcePattern, problems);
  if (values.has('accounts')) scope.accounts = patterns(values.get('accounts') ?? null, 'accounts', globPattern, problems);
  if (values.has('user_agents')) scope.userAgents = patterns(values.get('user_agents') ?? null, 'user_agents', globPattern, problems);
  if (values.has('match')) scope.match = parseMatch(values.get('match') ?? null, problems, loc);
  return scope;
}

/** Parses `match: {field.path[|modifier]: value | [values]}`. */
function parseMatch(node: ParsedNode | null, problems: EntryProblems, loc: Locator): FieldCondition[] | undefined {
  if (!isMap(node)) {
    problems.add(TUNING_CODES.badType, node, 'match must be a map of field paths to values, for example {user.name: "svc-*"}');
    return undefined;
  }
  checkDuplicateKeys(node, loc, () => undefined);
  const out: FieldCondition[] = [];
  for (const pair of node.items as Pair<ParsedNode, ParsedNode | null>[]) {
    const key = stringOf(pair.key);
    if (key === undefined) {
      problems.add(TUNING_CODES.badField, pair.key, 'a match key must be a field path');
      continue;
    }
    const [path, modifier, extra] = key.split('|');
    if (extra !== undefined || !/^[A-Za-z_@][\w@-]*(\.[A-Za-z_@][\w@-]*)*$/.test(path)) {
      problems.add(TUNING_CODES.badField, pair.key, `"${key}" is not a field path such as user.name or mirrorwatch.mirror.destination.id (with an optional |cidr or |exists)`);
      continue;
    }
    if (modifier === undefined || modifier === '') {
      const ps = patterns(pair.value, key, globPattern, problems);
      if (ps) out.push({ path, modifier: 'glob', patterns: ps });
    } else if (modifier === 'cidr') {
      const list = stringList(pair.value, key, problems);
      if (!list) continue;
      const ps: Pattern[] = [];
      list.values.forEach((v, i) => {
        if (isCidr(v)) ps.push(cidrPattern(v));
        else problems.add(TUNING_CODES.badPattern, list.nodes[i], `"${v}" is not a CIDR block such as 10.0.0.0/8`);
      });
      if (ps.length === list.values.length) out.push({ path, modifier: 'cidr', patterns: ps });
    } else if (modifier === 'exists') {
      const v = scalarValue(pair.value);
      if (typeof v !== 'boolean') problems.add(TUNING_CODES.badType, pair.value ?? pair.key, `${key} must be true or false`);
      else out.push({ path, modifier: 'exists', patterns: [], exists: v });
    } else {
      problems.add(TUNING_CODES.badField, pair.key, `unknown modifier "|${modifier}" (use |cidr or |exists)`);
    }
  }
  return out;
}

/** Reads and parses a tuning file; an unreadable file is MW4200 and yields an empty tuning. */
export async function loadTuningFile(path: string, options: TuningParseOptions): Promise<Tuning> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : ((err as Error).message ?? String(err));
    options.report({ code: TUNING_CODES.unreadable.code, severity: 'error', message: `cannot read the tuning file: ${reason}`, file: path });
    return emptyTuning(path);
  }
  return parseTuning(text, path, options);
}

/** Entries that apply at all (not expired). */
export function activeEntries<T extends TuningEntryBase>(entries: readonly T[]): T[] {
  return entries.filter((e) => !e.expired);
}
