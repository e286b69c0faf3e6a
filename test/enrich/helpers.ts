/**
 * Test helpers for the risk / tuning / playbook layer: realistic CloudTrail records built from the shapes in
 * `shared/reference/events.md` §1, an in-memory baselines double, and "scan then enrich" in one call.
 *
 * The baselines double stands in for the state store (`src/store/`), which is built and tested on its own; it
 * implements the same `Baselines` interface with a Map.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AlertDocument } from '../../src/core/alert.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { enrichAlerts, type EnrichResult } from '../../src/enrich/enrich.js';
import { parseTuning, type Tuning } from '../../src/enrich/tuning.js';
import type { BaselineKind, Baselines } from '../../src/store/types.js';
import { scanTexts } from '../helpers/engine.js';
import { repoPath } from '../helpers/paths.js';

/** Baselines kept in a Map (test double of the state store's baselines). */
export class MemoryBaselines implements Baselines {
  readonly facts = new Map<string, { first: number; last: number }>();

  firstSeen(kind: BaselineKind, subject: string, value: string): number | undefined {
    return this.facts.get(`${kind}\u0000${subject}\u0000${value}`)?.first;
  }

  remember(kind: BaselineKind, subject: string, value: string, timeMs: number): void {
    const key = `${kind}\u0000${subject}\u0000${value}`;
    const cur = this.facts.get(key);
    if (!cur) this.facts.set(key, { first: timeMs, last: timeMs });
    else {
      cur.first = Math.min(cur.first, timeMs);
      cur.last = Math.max(cur.last, timeMs);
    }
  }
}

/** The scan clock used by the tests (three days after the example data). */
export const NOW = new Date('2026-11-23T00:00:00Z');

/** An IAM user identity (`userIdentity`, events.md §1.5). */
export function iamUser(name: string, accessKeyId = 'AKIAQX3KD72HCN5W7R2T', account = '111122223333'): Record<string, unknown> {
  return { type: 'IAMUser', principalId: 'AIDAQX3KD72HE6M2YP4LS', arn: `arn:aws:iam::${account}:user/${name}`, accountId: account, accessKeyId, userName: name };
}

/** An assumed-role identity with its session issuer. */
export function assumedRole(role: string, session: string, accessKeyId = 'ASIAQX3KD72HMB4T6W8Y', path = '', account = '111122223333'): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROAQX3KD72HQ9V3N7ZKD:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAQX3KD72HQ9V3N7ZKD', arn: `arn:aws:iam::${account}:role/${path}${role}`, accountId: account, userName: role },
      attributes: { creationDate: '2026-11-21T09:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

/** The root user (documented shape: no userName). */
export function rootUser(accessKeyId = 'AKIAQX3KD72HROOT0001', account = '111122223333'): Record<string, unknown> {
  return { type: 'Root', principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, accessKeyId };
}

let seq = 0;

/** A CloudTrail record of an EC2 traffic-mirroring call, with `<Name>Request` / `<Name>Response` nesting. */
export function cloudTrail(o: {
  time: string;
  name: string;
  request: Record<string, unknown>;
  response?: Record<string, unknown> | null;
  identity?: Record<string, unknown>;
  ip?: string;
  ua?: string;
  error?: [string, string];
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  seq++;
  const id = `${String(seq).padStart(8, '0')}-5e6f-4a7b-8c9d-0e1f2a3b4c5d`;
  const r: Record<string, unknown> = {
    eventVersion: '1.10',
    userIdentity: o.identity ?? iamUser('ops-alice'),
    eventTime: o.time,
    eventSource: 'ec2.amazonaws.com',
    eventName: o.name,
    awsRegion: 'eu-west-1',
    sourceIPAddress: o.ip ?? '198.51.100.77',
    userAgent: o.ua ?? 'Boto3/1.35.60 md/Botocore#1.35.60 ua/2.0 os/linux#6.1.0-27-amd64 md/arch#x86_64 lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.60',
    requestParameters: { [`${o.name}Request`]: o.request },
    responseElements: o.error || o.response === null ? null : { [`${o.name}Response`]: { requestId: id, ...(o.response ?? {}), xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/' } },
    requestID: id,
    eventID: `e${id.slice(1)}`,
    readOnly: o.name.startsWith('Describe'),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...(o.error ? { errorCode: o.error[0], errorMessage: o.error[1] } : {}),
    ...(o.extra ?? {}),
  };
  return r;
}

/** Records as NDJSON (one CloudTrail record per line, as `aws cloudtrail lookup-events`-free exports write them). */
export function ndjson(records: readonly unknown[]): string {
  return `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

/** Parses tuning text (file name `t.yml`), collecting diagnostics. */
export function tuningOf(text: string, now = NOW, knownRuleIds?: ReadonlySet<string>): { tuning: Tuning; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const tuning = parseTuning(text, 't.yml', { report: (d) => diagnostics.push(d), now, knownRuleIds });
  return { tuning, diagnostics };
}

/** Scans in-memory files with the bundled rules and enriches the alerts. */
export async function scanAndEnrich(
  files: { name: string; text: string }[],
  o: { tuning?: Tuning; baselines?: MemoryBaselines; now?: Date } = {},
): Promise<EnrichResult & { raw: AlertDocument[]; baselines: MemoryBaselines }> {
  const { alerts, diagnostics } = await scanTexts(files);
  const bad = diagnostics.filter((d) => d.severity === 'error');
  if (bad.length > 0) throw new Error(`fixture has errors: ${JSON.stringify(bad)}`);
  const raw = alerts.map((a) => structuredClone(a));
  const baselines = o.baselines ?? new MemoryBaselines();
  const result = enrichAlerts(alerts, { tuning: o.tuning, baselines, now: o.now ?? NOW, report: () => undefined });
  return { ...result, raw, baselines };
}

/** The alert of a rule action (CloudTrail eventName, Azure operation, GCP method, device command), optionally with a mirror outcome. */
export function alertFor(alerts: readonly AlertDocument[], action: string | RegExp, outcome?: string): AlertDocument {
  const a = alerts.find((x) => {
    if (outcome !== undefined && (x.mirrorwatch.mirror as { outcome?: unknown } | undefined)?.outcome !== outcome) return false;
    const acts = [String((x.event as { action?: unknown }).action ?? ''), String((x.mirrorwatch.mirror as { action?: unknown } | undefined)?.action ?? '')];
    return acts.some((act) => (typeof action === 'string' ? act === action : action.test(act)));
  });
  if (!a) throw new Error(`no alert for ${String(action)} among ${alerts.map((x) => String((x.event as { action?: unknown }).action)).join(', ')}`);
  return a;
}

/** The factor of that name on an alert, if any. */
export function factor(a: AlertDocument, name: string): { name: string; weight: number; evidence: string; strength?: string } | undefined {
  return a.mirrorwatch.risk_factors.find((f) => f.name === name);
}

/** Names of an alert's factors. */
export function factorNames(a: AlertDocument): string[] {
  return a.mirrorwatch.risk_factors.map((f) => f.name).sort();
}

/** Files under a repository directory as in-memory inputs (gzip decompressed), named relative to the repository. */
export function filesUnder(dir: string): { name: string; text: string }[] {
  const root = repoPath(dir);
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  return walk(root)
    .filter((f) => !/CloudTrail-Digest|\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ name: relative(repoPath(), f), text: f.endsWith('.gz') ? gunzipSync(readFileSync(f)).toString('utf8') : readFileSync(f, 'utf8') }));
}
