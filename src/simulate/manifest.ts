/**
 * The manifest a simulation writes beside its files (`manifest.json`): which scenario, seed and options produced
 * them, every file, the scenario's own records by their natural keys (CloudTrail `eventID`, Azure `correlationId`,
 * GCP `operation.id`/`insertId`, device `file:line`), and the alerts mirrorwatch must raise on them, each with its
 * rule, severity, identifiers its message must contain, and the records that must be among its evidence.
 *
 * `expected_alerts` are the alerts of an untuned scan. A benign scenario is marked `benign: true`; its expected
 * alerts are the ones a scan raises before the user's tuning file approves the activity. A later version adds
 * `expected_with_tuning` beside them; readers must ignore members they do not know.
 */
import { REDELIVERED } from './cloudtrail-layout.js';
import { SEQ, SEQ6 } from './device-lines.js';
import { expectedRule } from './expected-rules.js';
import type { OutputDir, RecordLocation, WrittenFile } from './output-dir.js';
import type { PlannedAlert, Platform, Scenario, SimRecord } from './types.js';
import { platformOf } from './types.js';

/** The manifest format version. */
export const MANIFEST_VERSION = 1;

/** One of the scenario's records, by its natural key and where it was written. */
export interface ManifestRecord {
  platform: Platform;
  /** The natural key at the source. */
  key: Record<string, string | boolean>;
  /** What the record does: the API call, operation, method or command. */
  action: string;
  time: string;
  file: string;
  line?: number;
  record?: number;
  /** A second delivery of the same record (CloudTrail's occasional duplicate): the other file. */
  redelivered_in?: string;
}

/** One alert mirrorwatch must raise. */
export interface ManifestAlert {
  rule_id: string;
  rule_name: string;
  /** The rule's level. Risk scoring may raise or lower an enriched alert's final severity; it keeps this one as `mirrorwatch.scoring.base_level`. */
  severity: string;
  /** Identifiers the alert's `message` must contain. */
  message_mentions: string[];
  /** Natural keys of records that must be among the alert's evidence (`eventID`, `correlationId`, `operation.id`, `file:line`). */
  evidence: string[];
  why?: string;
}

/** The whole manifest. */
export interface Manifest {
  mirrorwatch_manifest: number;
  scenario: string;
  title: string;
  description: string;
  benign: boolean;
  seed_test?: string;
  seed: string;
  start: string;
  generator: string;
  options: Record<string, string | number>;
  files: WrittenFile[];
  counts: { files: number; records: number; scenario_records: number; noise_records: number };
  attack_records: ManifestRecord[];
  benign_records: ManifestRecord[];
  expected_alerts: ManifestAlert[];
}

/** The natural key of a record, and the action it describes. */
function keyOf(rec: SimRecord, loc: RecordLocation): { key: ManifestRecord['key']; action: string; evidence: string } {
  switch (rec.kind) {
    case 'cloudtrail': {
      const id = String(rec.record.eventID);
      return { key: { eventID: id }, action: String(rec.record.eventName), evidence: id };
    }
    case 'azure': {
      const id = String(rec.record.correlationId);
      return { key: { correlationId: id, resultType: String(rec.record.resultType) }, action: String(rec.record.operationName), evidence: id };
    }
    case 'gcp': {
      const op = rec.record.operation as { id?: string; first?: boolean; last?: boolean } | undefined;
      const payload = rec.record.protoPayload as { methodName?: string };
      const key: ManifestRecord['key'] = { insertId: String(rec.record.insertId) };
      if (op?.id) key.operationId = op.id;
      if (op?.first) key.first = true;
      if (op?.last) key.last = true;
      return { key, action: String(payload.methodName), evidence: op?.id ?? String(rec.record.insertId) };
    }
    case 'device': {
      const at = `${loc.file}:${loc.line ?? 0}`;
      return { key: { host: rec.host, at }, action: rec.line.replaceAll(SEQ6, '#').replaceAll(SEQ, '#'), evidence: at };
    }
  }
}

/** Builds the manifest once every file is written. Throws when a planned alert names a record that was not written. */
export function buildManifest(
  scenario: Scenario,
  info: { seed: string; startMs: number; generator: string; options: Record<string, string | number>; noiseRecords: number },
  records: readonly SimRecord[],
  expected: readonly PlannedAlert[],
  out: OutputDir,
): Manifest {
  const byRef = new Map<string, string>();
  const listed: ManifestRecord[] = [];
  for (const rec of records) {
    if (rec.ref === undefined) continue;
    const loc = out.locations.get(rec.ref);
    if (!loc) throw new Error(`scenario ${scenario.name}: record ${rec.ref} was not written`);
    const { key, action, evidence } = keyOf(rec, loc);
    byRef.set(rec.ref, evidence);
    const entry: ManifestRecord = { platform: platformOf(rec), key, action, time: new Date(rec.timeMs).toISOString(), file: loc.file };
    if (loc.line !== undefined && rec.kind !== 'cloudtrail') entry.line = loc.line;
    if (loc.record !== undefined) entry.record = loc.record;
    const again = out.locations.get(`${rec.ref}${REDELIVERED}`);
    if (again) entry.redelivered_in = again.file;
    listed.push(entry);
  }
  const alerts: ManifestAlert[] = expected.map((a) => {
    const rule = expectedRule(a.rule);
    const evidence: string[] = [];
    for (const ref of a.evidence) {
      const key = byRef.get(ref);
      if (key === undefined) throw new Error(`scenario ${scenario.name}: expected alert ${rule.name} names unknown record ${ref}`);
      if (!evidence.includes(key)) evidence.push(key);
    }
    const m: ManifestAlert = { rule_id: rule.id, rule_name: rule.name, severity: rule.level, message_mentions: a.mentions, evidence };
    if (a.why) m.why = a.why;
    return m;
  });
  const total = out.files.reduce((n, f) => n + f.records, 0);
  const manifest: Manifest = {
    mirrorwatch_manifest: MANIFEST_VERSION,
    scenario: scenario.name,
    title: scenario.title,
    description: scenario.description,
    benign: scenario.benign,
    ...(scenario.seedTest ? { seed_test: scenario.seedTest } : {}),
    seed: info.seed,
    start: new Date(info.startMs).toISOString(),
    generator: info.generator,
    options: info.options,
    files: out.files,
    counts: { files: out.files.length, records: total, scenario_records: records.length, noise_records: info.noiseRecords },
    attack_records: scenario.benign ? [] : listed,
    benign_records: scenario.benign ? listed : [],
    expected_alerts: alerts,
  };
  return manifest;
}

/** The manifest as written: two-space JSON and a final newline. */
export function manifestText(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
