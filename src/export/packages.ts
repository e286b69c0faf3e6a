/**
 * Deployable packages built from the compiled queries: Elastic Security rules as import NDJSON (EQL), Splunk
 * `savedsearches.conf` correlation searches, Sentinel scheduled analytic rules (YAML), QRadar AQL searches with the
 * custom-property (LEEF) mapping, Google SecOps `.yaral` files, and an ATT&CK Navigator layer (4.5) of what the
 * pack covers. Formats: reference formats.md §2.2–§2.8.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { ATTACK } from '../core/attack.js';
import { SEVERITY_NUMBERS } from '../core/alert.js';
import type { SigmaCorrelation, SigmaLevel, SigmaRule } from '../sigma/types.js';
import type { FieldMap } from './field-map.js';
import type { RuleExport, TargetName } from './types.js';

/** A rule or correlation with its compiled export. */
export interface PackagedRule {
  doc: SigmaRule | SigmaCorrelation;
  export: RuleExport;
}

/** The files of a package: relative path → content. */
export type PackageFiles = Map<string, string>;

/**
 * Fields the Kibana rule import API requires of every EQL rule: `rule_id` (import matches on it), and the create-rule
 * required fields `name`, `description`, `risk_score`, `severity`, `type`, plus `query` and `language` for EQL rules
 * (Elastic Security "Create rule" API; reference formats.md §2.2).
 */
export const ELASTIC_REQUIRED_FIELDS = ['rule_id', 'name', 'description', 'risk_score', 'severity', 'type', 'query', 'language'] as const;

function level(doc: SigmaRule | SigmaCorrelation): SigmaLevel {
  return doc.level ?? 'medium';
}

/** Elastic's severity: no "informational" (formats.md §2.2), so it maps to low with the low band's risk score. */
function elasticSeverity(l: SigmaLevel): 'low' | 'medium' | 'high' | 'critical' {
  return l === 'informational' ? 'low' : l;
}

/** The ATT&CK block of Elastic rules (T1020 with sub-technique T1020.001 under TA0010). */
export function elasticThreat(): unknown[] {
  return [
    {
      framework: ATTACK.framework,
      tactic: { ...ATTACK.tactic },
      technique: [{ ...ATTACK.technique, subtechnique: [{ ...ATTACK.subtechnique }] }],
    },
  ];
}

function platformOf(doc: SigmaRule | SigmaCorrelation): string {
  const p = doc.type === 'rule' ? (doc.logsource.product ?? doc.logsource.category ?? '') : 'aws';
  return p === 'aws' ? 'AWS' : p === 'azure' ? 'Azure' : p === 'gcp' ? 'GCP' : 'Network';
}

function guide(doc: SigmaRule | SigmaCorrelation): string {
  return [
    `## Triage and analysis`,
    '',
    `### Investigating ${doc.title}`,
    '',
    (doc.description ?? '').trim(),
    '',
    '#### Possible investigation steps',
    '',
    '- Identify the principal (user, role, service account or device user) and whether it is expected to manage traffic mirroring.',
    '- Find what is mirrored (source interfaces, ENIs, subnets, instances) and where the copy goes (target, collector, remote IP); check whether the destination belongs to your organisation.',
    '- Look for the rest of the set-up around the same time: targets, filters, sessions, and any later deletion.',
    '- Check the source IP address and user agent against the principal\'s usual activity.',
    '',
    '### False positive analysis',
    '',
    ...doc.falsepositives.map((f) => `- ${f}`),
    '',
    '### Response and remediation',
    '',
    '- If the mirroring is not sanctioned, delete the session/policy/tap and its target, rotate the principal\'s credentials and review what traffic could have been copied.',
  ].join('\n');
}

/** Elastic Security import NDJSON: one EQL rule per line (only rules that compiled for EQL). */
export function elasticNdjson(rules: PackagedRule[], map: FieldMap): string {
  const lines: string[] = [];
  for (const { doc, export: ex } of rules) {
    if (ex.result.status !== 'compiled') continue;
    const l = level(doc);
    const sev = elasticSeverity(l);
    const rule: Record<string, unknown> = {
      rule_id: doc.id,
      name: doc.title,
      description: (doc.description ?? doc.title).trim(),
      risk_score: SEVERITY_NUMBERS[l === 'informational' ? 'low' : l].risk,
      severity: sev,
      type: 'eql',
      language: 'eql',
      query: ex.result.queries[0].text,
      index: ex.result.queries[0].on.split(/,\s*/),
      version: 1,
      author: [doc.author ?? 'mirrorwatch'],
      license: 'Apache-2.0',
      from: 'now-9m',
      interval: '5m',
      max_signals: 100,
      enabled: false,
      tags: ['Domain: Cloud', `Data Source: ${platformOf(doc)}`, 'Tactic: Exfiltration', 'Use Case: Threat Detection', 'Rule Type: mirrorwatch'],
      references: doc.references,
      false_positives: doc.falsepositives,
      note: guide(doc),
      threat: elasticThreat(),
      setup: map.requirements.join('\n'),
    };
    lines.push(JSON.stringify(rule));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The Elasticsearch component template that adds the `caseless` multi-fields Kibana KQL and Lucene queries use. */
export function caselessTemplate(map: FieldMap): string {
  const properties: Record<string, unknown> = {};
  for (const src of map.sources) {
    for (const spec of src.fields.values()) {
      if (!spec.caseless) continue;
      let node = properties;
      const parts = spec.name.split('.');
      parts.forEach((p, i) => {
        if (i === parts.length - 1) node[p] = { type: 'keyword', fields: { caseless: { type: 'keyword', normalizer: 'lowercase' } } };
        else {
          const next = (node[p] as { properties?: Record<string, unknown> } | undefined) ?? { properties: {} };
          next.properties ??= {};
          node[p] = next;
          node = next.properties;
        }
      });
    }
  }
  return `${JSON.stringify({ template: { mappings: { properties } }, _meta: { description: 'mirrorwatch: lower-cased keyword copies for case-insensitive KQL / Lucene' } }, null, 2)}\n`;
}

function confValue(s: string): string {
  // savedsearches.conf continues a value on the next line with a trailing backslash.
  return s.replace(/\n/g, ' \\\n');
}

/** Splunk `savedsearches.conf` with Enterprise Security correlation-search keys and ATT&CK annotations. */
export function splunkSavedSearches(rules: PackagedRule[]): string {
  const out: string[] = ['# mirrorwatch correlation searches (Splunk Enterprise Security conventions; reference formats.md §2.3)', ''];
  for (const { doc, export: ex } of rules) {
    if (ex.result.status !== 'compiled') continue;
    const l = level(doc);
    const name = `Network - ${doc.title} - Rule`;
    const risk = SEVERITY_NUMBERS[l].risk;
    out.push(
      `[${name}]`,
      `search = ${confValue(ex.result.queries[0].text)}`,
      `description = ${(doc.description ?? doc.title).trim().replace(/\s*\n\s*/g, ' ')}`,
      'disabled = 1',
      'enableSched = 1',
      'cron_schedule = */15 * * * *',
      'dispatch.earliest_time = -20m@m',
      'dispatch.latest_time = -5m@m',
      'schedule_window = auto',
      'action.correlationsearch.enabled = 1',
      `action.correlationsearch.label = ${name}`,
      `action.correlationsearch.annotations = ${JSON.stringify({ mitre_attack: [ATTACK.subtechnique.id, ATTACK.technique.id] })}`,
      'action.notable = 1',
      `action.notable.param.rule_title = ${doc.title}`,
      `action.notable.param.rule_description = ${(doc.description ?? doc.title).replace(/\s+/g, ' ').trim()}`,
      'action.notable.param.security_domain = network',
      `action.notable.param.severity = ${l === 'informational' ? 'informational' : l}`,
      'action.risk = 1',
      `action.risk.param._risk = ${JSON.stringify([{ risk_object_field: 'user', risk_object_type: 'user', risk_score: risk }])}`,
      `action.risk.param._risk_message = ${doc.title}`,
      'alert.suppress = 1',
      'alert.suppress.period = 3600s',
      'relation = greater than',
      'quantity = 0',
      'counttype = number of events',
      '',
    );
  }
  return out.join('\n');
}

const SENTINEL_SEVERITY: Record<SigmaLevel, string> = { informational: 'Informational', low: 'Low', medium: 'Medium', high: 'High', critical: 'High' };
const SENTINEL_CONNECTORS: Record<string, { connectorId: string; dataTypes: string[] }[]> = {
  AWSCloudTrail: [
    { connectorId: 'AWS', dataTypes: ['AWSCloudTrail'] },
    { connectorId: 'AWSS3', dataTypes: ['AWSCloudTrail'] },
  ],
  AzureActivity: [{ connectorId: 'AzureActivity', dataTypes: ['AzureActivity'] }],
  GCPAuditLogs: [{ connectorId: 'GCPAuditLogsDefinition', dataTypes: ['GCPAuditLogs'] }],
};
/** Per table: the columns an entity mapping reads (projected by the query's `extend`). */
const SENTINEL_ENTITIES: Record<string, { account: string; ip: string }> = {
  AWSCloudTrail: { account: 'UserIdentityArn', ip: 'SourceIpAddress' },
  AzureActivity: { account: 'Caller', ip: 'CallerIpAddress' },
  GCPAuditLogs: { account: 'PrincipalEmail', ip: 'tostring(RequestMetadata.callerIp)' },
};

/** A deterministic GUID from a rule id (Sentinel requires a GUID `id`). */
function guidOf(s: string): string {
  const h = createHash('sha256').update(`mirrorwatch-sentinel:${s}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** One Sentinel scheduled analytic rule (YAML) satisfying Azure-Sentinel's template CI constraints (formats.md §2.4). */
export function sentinelRule(doc: SigmaRule | SigmaCorrelation, ex: RuleExport): string | null {
  if (ex.result.status !== 'compiled') return null;
  const q = ex.result.queries[0];
  const tables = Object.keys(SENTINEL_CONNECTORS).filter((t) => q.text.includes(t));
  const table = tables[0];
  if (!table) return null;
  const ent = SENTINEL_ENTITIES[table];
  const isCorrelation = doc.type === 'correlation';
  const query = isCorrelation ? q.text : `${q.text}\n| extend AccountCustomEntity = tostring(${ent.account}), IPCustomEntity = tostring(${ent.ip})`;
  const rule: Record<string, unknown> = {
    id: guidOf(doc.id ?? doc.title),
    name: doc.title.slice(0, 256),
    description: `${(doc.description ?? doc.title).trim()}\n`.slice(0, 5000),
    severity: SENTINEL_SEVERITY[level(doc)],
    status: 'Available',
    requiredDataConnectors: tables.flatMap((t) => SENTINEL_CONNECTORS[t]),
    queryFrequency: '1h',
    queryPeriod: isCorrelation ? '1d' : '1h',
    triggerOperator: 'gt',
    triggerThreshold: 0,
    tactics: ['Exfiltration'],
    relevantTechniques: [ATTACK.subtechnique.id],
    query: `${query}\n`,
    entityMappings: isCorrelation
      ? [{ entityType: 'Account', fieldMappings: [{ identifier: 'FullName', columnName: ((doc as SigmaCorrelation).groupBy[0] ?? 'mw_rule').replace(/[^A-Za-z0-9_]/g, '_') }] }]
      : [
          { entityType: 'Account', fieldMappings: [{ identifier: 'FullName', columnName: 'AccountCustomEntity' }] },
          { entityType: 'IP', fieldMappings: [{ identifier: 'Address', columnName: 'IPCustomEntity' }] },
        ],
    version: '1.0.0',
    kind: 'Scheduled',
  };
  return stringify(rule, { lineWidth: 0 });
}

/** The QRadar custom-property mapping: each property the AQL uses, its JSON expression and a LEEF key. */
export function qradarPropertyMap(map: FieldMap): string {
  const rows = ['property,json_expression,leef_key,log_source_type,sigma_field'];
  for (const src of map.sources) {
    const devicetype = [...src.datasets.values()][0]?.devicetype ?? '';
    for (const [sigma, spec] of src.fields) {
      const json = spec.name
        .split('.')
        .map((p) => `/"${p}"`)
        .join('');
      rows.push([spec.name, json, spec.name.replace(/[^A-Za-z0-9]/g, '_'), devicetype, sigma].map((c) => `"${c.replace(/"/g, '""')}"`).join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}

/** An ATT&CK Navigator layer (format 4.5) of the techniques the compiled rules cover. */
export function navigatorLayer(rules: PackagedRule[], target: TargetName | 'all'): string {
  const compiled = rules.filter((r) => r.export.result.status === 'compiled');
  const platforms = [...new Set(compiled.map((r) => platformOf(r.doc)))].sort();
  const comment = `${compiled.length} mirrorwatch rule(s): ${compiled.map((r) => r.doc.title).join('; ')}`;
  const layer = {
    name: `mirrorwatch coverage (${target})`,
    versions: { attack: '18', navigator: '5.1.0', layer: '4.5' },
    domain: 'enterprise-attack',
    description: `What the mirrorwatch rule pack detects, compiled for ${target}. Platforms: ${platforms.join(', ')}.`,
    techniques: [
      {
        techniqueID: ATTACK.subtechnique.id,
        tactic: 'exfiltration',
        score: compiled.length,
        comment,
        enabled: true,
        metadata: platforms.map((p) => ({ name: 'platform', value: p })),
        links: [{ label: 'ATT&CK', url: ATTACK.subtechnique.reference }],
        showSubtechniques: true,
      },
      {
        techniqueID: ATTACK.technique.id,
        tactic: 'exfiltration',
        score: compiled.length,
        comment: 'covered through its sub-technique T1020.001',
        enabled: true,
        showSubtechniques: true,
      },
    ],
    gradient: { colors: ['#ffffff', '#8ec843'], minValue: 0, maxValue: Math.max(1, compiled.length) },
    legendItems: [{ label: 'rules compiled', color: '#8ec843' }],
    layout: { layout: 'side', showID: true, showName: true, expandedSubtechniques: 'annotated' },
  };
  return `${JSON.stringify(layer, null, 2)}\n`;
}

/** The package files of one target (the per-rule query files are written separately). */
export function packageFiles(target: TargetName, rules: PackagedRule[], map: FieldMap): PackageFiles {
  const files: PackageFiles = new Map();
  switch (target) {
    case 'eql':
      files.set('elastic-security-rules.ndjson', elasticNdjson(rules, map));
      break;
    case 'kibana-kql':
    case 'lucene':
      files.set('caseless-fields.json', caselessTemplate(map));
      break;
    case 'splunk':
      files.set('savedsearches.conf', splunkSavedSearches(rules));
      break;
    case 'sentinel':
      for (const r of rules) {
        const y = sentinelRule(r.doc, r.export);
        if (y !== null) files.set(`analytic-rules/${r.export.stem}.yaml`, y);
      }
      break;
    case 'qradar':
      files.set('leef-field-mapping.csv', qradarPropertyMap(map));
      break;
    case 'secops':
    case 'esql':
    case 'athena':
    case 'bigquery':
    case 'sigma':
      break;
  }
  files.set('attack-navigator-layer.json', navigatorLayer(rules, target));
  return files;
}
