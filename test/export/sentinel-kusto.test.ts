/**
 * Proof for the Sentinel target: every compiled query, and the query of every packaged analytic rule, is parsed and
 * semantically analysed by Microsoft's Kusto language service (npm `@kusto/language-service-next`) against the
 * schemas of the AWSCloudTrail, AzureActivity and GCPAuditLogs tables (column names and types as vendored in
 * AttackIQ/pySigma-backend-kusto `sigma/pipelines/azuremonitor/tables.py`, reference query-languages.md §3.5).
 * Any diagnostic fails the test: an unknown column, a type error, a syntax error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { compileAll, fieldMapFor } from '../../src/export/compile.js';
import { packageFiles, type PackagedRule } from '../../src/export/packages.js';
import { loadRuleFiles } from '../../src/sigma/index.js';
import { repoPath } from '../helpers/paths.js';

const require = createRequire(import.meta.url);
// The package is a Bridge.NET build that defines globals `Bridge` and `Kusto` when its two scripts are loaded.
require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.js');

interface KustoDiagnostic {
  Message: string;
  Severity: string;
}
interface KustoApi {
  Symbols: {
    TableSymbol: { $ctor7: new (name: string, schema: string, description: string) => unknown };
    DatabaseSymbol: { $ctor1: new (name: string, members: unknown, isOpen: boolean) => unknown };
  };
  GlobalState: { Default: { WithDatabase(db: unknown): unknown } };
  KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): { Count: number; getItem(i: number): KustoDiagnostic } } };
}
const K = (globalThis as unknown as { Kusto: { Language: KustoApi } }).Kusto.Language;

const TABLES: Record<string, string> = {
  AWSCloudTrail:
    '(TimeGenerated:datetime, EventName:string, EventSource:string, EventTypeName:string, EventVersion:string, AWSRegion:string, AwsEventId:string, AwsRequestId_:string, SourceIpAddress:string, UserAgent:string, UserIdentityType:string, UserIdentityArn:string, UserIdentityAccountId:string, UserIdentityAccessKeyId:string, UserIdentityPrincipalid:string, UserIdentityUserName:string, UserIdentityInvokedBy:string, SessionIssuerArn:string, SessionIssuerUserName:string, SessionIssuerType:string, SessionIssuerPrincipalId:string, SessionIssuerAccountId:string, SessionMfaAuthenticated:bool, SessionCreationDate:datetime, RecipientAccountId:string, RequestParameters:string, ResponseElements:string, Resources:string, ErrorCode:string, ErrorMessage:string, ReadOnly:bool, ManagementEvent:bool, Category:string, AdditionalEventData:string, ServiceEventDetails:string, SharedEventId:string, VpcEndpointId:string, TlsVersion:string, CipherSuite:string, ClientProvidedHostHeader:string, CidrIp:string, IpProtocol:string, SourcePort:int, DestinationPort:int, OperationName:string, TenantId:string, SourceSystem:string, Type:string)',
  AzureActivity:
    '(TimeGenerated:datetime, OperationNameValue:string, OperationName:string, ActivityStatusValue:string, ActivitySubstatusValue:string, Caller:string, CallerIpAddress:string, CategoryValue:string, ResourceProviderValue:string, ResourceGroup:string, _ResourceId:string, SubscriptionId:string, CorrelationId:string, EventDataId:string, Properties:string, Properties_d:dynamic, Authorization:string, Authorization_d:dynamic, Claims:string, Claims_d:dynamic, HTTPRequest:string, Hierarchy:string, Level:string, TenantId:string, SourceSystem:string, Type:string)',
  GCPAuditLogs:
    '(TimeGenerated:datetime, MethodName:string, ServiceName:string, PrincipalEmail:string, ProjectId:string, GCPResourceName:string, GCPResourceType:string, LogName:string, Request:dynamic, Response:dynamic, Metadata:dynamic, ServiceData:dynamic, AuthenticationInfo:dynamic, AuthorizationInfo:dynamic, RequestMetadata:dynamic, Status:dynamic, Severity:string, StatusMessage:string, InsertId:string, Timestamp:datetime, NumResponseItems:string, TenantId:string, SourceSystem:string, Type:string)',
};

const Bridge = (globalThis as unknown as { Bridge: { toList(a: unknown[]): unknown } }).Bridge;
const db = new K.Symbols.DatabaseSymbol.$ctor1(
  'SentinelWorkspace',
  Bridge.toList(Object.entries(TABLES).map(([name, schema]) => new K.Symbols.TableSymbol.$ctor7(name, schema, ''))),
  false,
);
const globals = K.GlobalState.Default.WithDatabase(db);

/** The Kusto language service's diagnostics for a query. */
function diagnostics(query: string): string[] {
  const d = K.KustoCode.ParseAndAnalyze(query, globals).GetDiagnostics();
  const out: string[] = [];
  for (let i = 0; i < d.Count; i++) out.push(`${d.getItem(i).Severity}: ${d.getItem(i).Message}`);
  return out;
}

describe('Sentinel KQL passes the Kusto language service against the table schemas', async () => {
  const loaded = await loadRuleFiles([repoPath('rules'), repoPath('test', 'fixtures', 'export', 'correlations')]);
  const map = await fieldMapFor(repoPath('mappings'), 'sentinel', () => undefined);
  const exports = compileAll('sentinel', map, loaded.rules, loaded.correlations);

  test('the language service rejects what it should (so the check can fail)', () => {
    assert.notDeepEqual(diagnostics('AWSCloudTrail | where EventNam =~ "x"'), []);
    assert.notDeepEqual(diagnostics('AzureActivity | where OperationNameValue =~ '), []);
    assert.deepEqual(diagnostics('GCPAuditLogs | where MethodName endswith @".compute.packetMirrorings.insert"'), []);
  });

  test('every cloud rule and correlation compiles', () => {
    const compiled = exports.filter((e) => e.result.status === 'compiled');
    assert.ok(compiled.filter((e) => e.kind === 'rule').length >= 18);
    assert.ok(compiled.filter((e) => e.kind === 'correlation' && e.file.includes('fixtures')).length === 3);
  });

  test('every compiled query analyses without a diagnostic', () => {
    for (const e of exports) {
      if (e.result.status !== 'compiled') continue;
      for (const q of e.result.queries) assert.deepEqual(diagnostics(q.text), [], `${e.title}\n${q.text}`);
    }
  });

  test('every packaged analytic rule query analyses without a diagnostic and meets the template CI limits', () => {
    const docs = new Map([...loaded.rules, ...loaded.correlations].map((d) => [d.id ?? d.title, d]));
    const rules: PackagedRule[] = exports.map((e) => ({ doc: docs.get(e.ruleId)!, export: e }));
    const files = packageFiles('sentinel', rules, map);
    const yamls = [...files].filter(([name]) => name.startsWith('analytic-rules/'));
    assert.equal(yamls.length, exports.filter((e) => e.result.status === 'compiled').length);
    for (const [name, text] of yamls) {
      const r = parse(text) as Record<string, unknown>;
      assert.deepEqual(diagnostics(String(r.query)), [], `${name}\n${String(r.query)}`);
      assert.match(String(r.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(r.kind, 'Scheduled');
      assert.ok(String(r.name).length <= 256 && String(r.description).length <= 5000);
      assert.ok(['Informational', 'Low', 'Medium', 'High'].includes(String(r.severity)));
      assert.ok(String(r.query).length >= 1 && String(r.query).length <= 10000);
      const minutes = (s: unknown): number => {
        const m = /^(\d+)([mhd])$/.exec(String(s));
        assert.ok(m, `duration ${String(s)}`);
        return Number(m[1]) * { m: 1, h: 60, d: 1440 }[m[2] as 'm' | 'h' | 'd'];
      };
      const f = minutes(r.queryFrequency);
      const p = minutes(r.queryPeriod);
      assert.ok(f >= 5 && f <= 14 * 1440 && p >= 5 && p <= 14 * 1440 && p >= f, `${name}: frequency ${f} period ${p}`);
      assert.ok(['gt', 'lt', 'eq', 'ne'].includes(String(r.triggerOperator)));
      const ents = r.entityMappings as { fieldMappings: unknown[] }[];
      assert.ok(ents.length >= 1 && ents.length <= 5 && ents.every((x) => x.fieldMappings.length >= 1 && x.fieldMappings.length <= 3));
      assert.deepEqual(r.tactics, ['Exfiltration']);
      assert.deepEqual(r.relevantTechniques, ['T1020.001']);
      // Every entity column must exist in the query's output: the language service resolves it after a project.
      for (const x of ents as { fieldMappings: { columnName: string }[] }[]) {
        for (const fm of x.fieldMappings) assert.deepEqual(diagnostics(`${String(r.query)}| project ${fm.columnName}`), [], `${name}: entity column ${fm.columnName}`);
      }
    }
  });
});
