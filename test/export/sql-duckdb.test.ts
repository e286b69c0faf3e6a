/**
 * Proof for the SQL targets: the Athena and BigQuery queries of every rule run on DuckDB over a corpus (the bundled
 * examples/, the reference samples, every rule's examples) loaded into tables shaped like Athena's CloudTrail table
 * (AWS's Athena DDL: lower-case columns, `useridentity` STRUCT, `requestparameters` a JSON string), Amazon Security
 * Lake's CloudTrail table (OCSF 1.1 API Activity, class 6003, under its Glue database and table names) and BigQuery's
 * `cloudaudit_googleapis_com_*` export tables (`protopayload_auditlog` RECORD, `requestJson` string), and must return
 * exactly the records the native engine (`scan`) matches, rule by rule. Correlation queries run too and are checked
 * against a direct sliding-window evaluation of the native matches.
 *
 * DuckDB stands in for Trino and BigQuery: the only text rewritten is the BigQuery table reference; the Trino and
 * BigQuery function names the compilers emit (`regexp_like`, `REGEXP_CONTAINS`, `json_extract_scalar`,
 * `from_iso8601_timestamp`, `from_unixtime`) are defined as DuckDB macros with the same meaning (partial-match RE2 regexes, JSON path
 * scalars, ISO 8601 timestamps).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { isObject } from '../../src/core/json.js';
import { compileAll, fieldMapFor } from '../../src/export/compile.js';
import { buildCorpus, filesUnder, ruleExampleInputs, type CorpusRecord } from '../../src/export/corpus.js';
import type { RuleExport } from '../../src/export/types.js';
import { loadRuleFiles } from '../../src/sigma/index.js';
import { bundled } from '../helpers/engine.js';
import { repoPath, samplesDir } from '../helpers/paths.js';

const MACROS = [
  'CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
  'CREATE MACRO regexp_contains(s, p) AS regexp_matches(s, p)',
  'CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
  'CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  'CREATE MACRO from_unixtime(x) AS to_timestamp(x)',
];

/** Amazon Security Lake's CloudTrail management table (OCSF 1.1 API Activity, class_uid 6003; formats.md §1.3). */
const OCSF_TABLE = 'amazon_security_lake_glue_db_REGION.amazon_security_lake_table_REGION_cloud_trail_mgmt_2_0';
const OCSF_COLUMNS = {
  class_uid: 'INTEGER',
  category_uid: 'INTEGER',
  activity_id: 'INTEGER',
  type_uid: 'BIGINT',
  severity_id: 'INTEGER',
  status: 'VARCHAR',
  time: 'BIGINT',
  api: 'STRUCT(operation VARCHAR, version VARCHAR, service STRUCT(name VARCHAR), request STRUCT(uid VARCHAR), response STRUCT(error VARCHAR, message VARCHAR))',
  actor:
    'STRUCT("user" STRUCT(type VARCHAR, uid VARCHAR, uid_alt VARCHAR, name VARCHAR, credential_uid VARCHAR, account STRUCT(uid VARCHAR)), invoked_by VARCHAR, session STRUCT(issuer VARCHAR, created_time BIGINT, is_mfa BOOLEAN))',
  cloud: 'STRUCT(provider VARCHAR, region VARCHAR)',
  src_endpoint: 'STRUCT(ip VARCHAR, domain VARCHAR, uid VARCHAR)',
  http_request: 'STRUCT(user_agent VARCHAR)',
  metadata: 'STRUCT(uid VARCHAR, event_code VARCHAR, product STRUCT(name VARCHAR, vendor_name VARCHAR, version VARCHAR, feature STRUCT(name VARCHAR)))',
  resources: 'STRUCT(uid VARCHAR, account_uid VARCHAR, type VARCHAR)[]',
  unmapped: 'VARCHAR',
  mw_key: 'VARCHAR',
};

/** OCSF API Activity activity_id from the API name: 1 Create, 2 Read, 3 Update, 4 Delete, 99 Other. */
function activityId(name: string): number {
  if (/^(Create|Run|Start|Put|Add)/.test(name)) return 1;
  if (/^(Describe|Get|List)/.test(name)) return 2;
  if (/^(Modify|Update|Replace)/.test(name)) return 3;
  if (/^(Delete|Remove|Terminate)/.test(name)) return 4;
  return 99;
}

const ATHENA_COLUMNS = {
  eventversion: 'VARCHAR',
  useridentity:
    'STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR, accesskeyid VARCHAR, username VARCHAR, sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR), sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR)))',
  eventtime: 'VARCHAR',
  eventsource: 'VARCHAR',
  eventname: 'VARCHAR',
  awsregion: 'VARCHAR',
  sourceipaddress: 'VARCHAR',
  useragent: 'VARCHAR',
  errorcode: 'VARCHAR',
  errormessage: 'VARCHAR',
  requestparameters: 'VARCHAR',
  responseelements: 'VARCHAR',
  additionaleventdata: 'VARCHAR',
  requestid: 'VARCHAR',
  eventid: 'VARCHAR',
  resources: 'STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]',
  eventtype: 'VARCHAR',
  apiversion: 'VARCHAR',
  readonly: 'VARCHAR',
  recipientaccountid: 'VARCHAR',
  serviceeventdetails: 'VARCHAR',
  sharedeventid: 'VARCHAR',
  vpcendpointid: 'VARCHAR',
  mw_key: 'VARCHAR',
};

const BIGQUERY_COLUMNS = {
  logName: 'VARCHAR',
  resource: 'STRUCT(type VARCHAR, labels JSON)',
  protopayload_auditlog:
    'STRUCT(serviceName VARCHAR, methodName VARCHAR, resourceName VARCHAR, authenticationInfo STRUCT(principalEmail VARCHAR), requestMetadata STRUCT(callerIp VARCHAR, callerSuppliedUserAgent VARCHAR), status STRUCT(code BIGINT, message VARCHAR), requestJson VARCHAR, responseJson VARCHAR)',
  timestamp: 'TIMESTAMPTZ',
  receiveTimestamp: 'TIMESTAMPTZ',
  severity: 'VARCHAR',
  insertId: 'VARCHAR',
  operation: 'STRUCT(id VARCHAR, producer VARCHAR, "first" BOOLEAN, "last" BOOLEAN)',
  mw_key: 'VARCHAR',
};

const str = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});

/** A CloudTrail record as a row of Athena's CloudTrail table. */
function athenaRow(r: CorpusRecord): Record<string, unknown> {
  const f = r.event.fields;
  const ui = obj(f.userIdentity);
  const sc = obj(ui.sessionContext);
  const attrs = obj(sc.attributes);
  const issuer = obj(sc.sessionIssuer);
  return {
    eventversion: str(f.eventVersion),
    useridentity: {
      type: str(ui.type),
      principalid: str(ui.principalId),
      arn: str(ui.arn),
      accountid: str(ui.accountId),
      invokedby: str(ui.invokedBy),
      accesskeyid: str(ui.accessKeyId),
      username: str(ui.userName),
      sessioncontext: { attributes: { mfaauthenticated: str(attrs.mfaAuthenticated), creationdate: str(attrs.creationDate) }, sessionissuer: { type: str(issuer.type), principalid: str(issuer.principalId), arn: str(issuer.arn), accountid: str(issuer.accountId), username: str(issuer.userName) } },
    },
    eventtime: str(f.eventTime),
    eventsource: str(f.eventSource),
    eventname: str(f.eventName),
    awsregion: str(f.awsRegion),
    sourceipaddress: str(f.sourceIPAddress),
    useragent: str(f.userAgent),
    errorcode: str(f.errorCode),
    errormessage: str(f.errorMessage),
    requestparameters: str(f.requestParameters),
    responseelements: str(f.responseElements),
    additionaleventdata: str(f.additionalEventData),
    requestid: str(f.requestID),
    eventid: str(f.eventID) ?? r.key,
    resources: Array.isArray(f.resources) ? f.resources.map((x) => ({ arn: str(obj(x).ARN), accountid: str(obj(x).accountId), type: str(obj(x).type) })) : null,
    eventtype: str(f.eventType),
    apiversion: str(f.apiVersion),
    readonly: str(f.readOnly),
    recipientaccountid: str(f.recipientAccountId),
    serviceeventdetails: str(f.serviceEventDetails),
    sharedeventid: str(f.sharedEventID),
    vpcendpointid: str(f.vpcEndpointId),
    mw_key: r.key,
  };
}

/**
 * A CloudTrail record as a row of the Security Lake OCSF table, with the CloudTrail → OCSF 1.1 names of formats.md
 * §1.3 (eventName → api.operation, eventSource → api.service.name, errorCode → api.response.error,
 * userIdentity.arn → actor.user.uid, principalId → actor.user.uid_alt, invokedBy → actor.invoked_by, eventTime →
 * time in epoch milliseconds, eventID → metadata.uid, …). A sourceIPAddress that is not an address (a service name,
 * "AWS Internal") goes to src_endpoint.domain, since src_endpoint.ip has OCSF's IP type.
 */
function ocsfRow(r: CorpusRecord): Record<string, unknown> {
  const f = r.event.fields;
  const ui = obj(f.userIdentity);
  const sc = obj(ui.sessionContext);
  const attrs = obj(sc.attributes);
  const name = str(f.eventName) ?? '';
  const activity = activityId(name);
  const ip = str(f.sourceIPAddress);
  const isIp = ip !== null && /^[0-9.]+$|:/.test(ip);
  const failed = f.errorCode !== undefined || f.errorMessage !== undefined;
  return {
    class_uid: 6003,
    category_uid: 6,
    activity_id: activity,
    type_uid: 600300 + activity,
    severity_id: 1,
    status: failed ? 'Failure' : 'Success',
    time: Date.parse(str(f.eventTime) ?? r.event.time ?? ''),
    api: { operation: name, version: str(f.apiVersion), service: { name: str(f.eventSource) }, request: { uid: str(f.requestID) }, response: { error: str(f.errorCode), message: str(f.errorMessage) } },
    actor: {
      user: { type: str(ui.type), uid: str(ui.arn), uid_alt: str(ui.principalId), name: str(ui.userName), credential_uid: str(ui.accessKeyId), account: { uid: str(ui.accountId) } },
      invoked_by: str(ui.invokedBy),
      session: { issuer: str(obj(sc.sessionIssuer).arn), created_time: attrs.creationDate === undefined ? null : Date.parse(String(attrs.creationDate)), is_mfa: attrs.mfaAuthenticated === undefined ? null : String(attrs.mfaAuthenticated) === 'true' },
    },
    cloud: { provider: 'AWS', region: str(f.awsRegion) },
    src_endpoint: { ip: isIp ? ip : null, domain: isIp ? null : ip, uid: str(f.vpcEndpointId) },
    http_request: { user_agent: str(f.userAgent) },
    metadata: { uid: str(f.eventID) ?? r.key, event_code: str(f.eventType), product: { name: 'CloudTrail', vendor_name: 'AWS', version: str(f.eventVersion), feature: { name: str(f.eventCategory) } } },
    resources: Array.isArray(f.resources) ? f.resources.map((x) => ({ uid: str(obj(x).ARN), account_uid: str(obj(x).accountId), type: str(obj(x).type) })) : null,
    unmapped: f.responseElements === undefined ? null : JSON.stringify({ responseElements: f.responseElements }),
    mw_key: r.key,
  };
}

/** A GCP LogEntry as a row of the BigQuery audit-log export table. */
function bigqueryRow(r: CorpusRecord): Record<string, unknown> {
  const f = r.event.fields;
  const p = obj(f.protoPayload);
  const status = obj(p.status);
  const op = obj(f.operation);
  const res = obj(f.resource);
  return {
    logName: str(f.logName),
    resource: { type: str(res.type), labels: res.labels === undefined ? null : JSON.stringify(res.labels) },
    protopayload_auditlog: {
      serviceName: str(p.serviceName),
      methodName: str(p.methodName),
      resourceName: str(p.resourceName),
      authenticationInfo: { principalEmail: str(obj(p.authenticationInfo).principalEmail) },
      requestMetadata: { callerIp: str(obj(p.requestMetadata).callerIp), callerSuppliedUserAgent: str(obj(p.requestMetadata).callerSuppliedUserAgent) },
      status: { code: typeof status.code === 'number' ? status.code : null, message: str(status.message) },
      requestJson: str(p.request),
      responseJson: str(p.response),
    },
    timestamp: str(f.timestamp) ?? r.event.time,
    receiveTimestamp: str(f.receiveTimestamp),
    severity: str(f.severity),
    insertId: str(f.insertId) ?? r.key,
    operation: { id: str(op.id), producer: str(op.producer), first: op.first === true, last: op.last === true },
    mw_key: r.key,
  };
}

let dir = '';
let conn: DuckDBConnection;
let records: CorpusRecord[] = [];
let athena: RuleExport[] = [];
let bigquery: RuleExport[] = [];

async function load(table: string, columns: Record<string, string>, rows: Record<string, unknown>[]): Promise<void> {
  const file = join(dir, `${table.replace(/\./g, '_')}.ndjson`);
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const cols = Object.entries(columns)
    .map(([k, v]) => `'${k}': '${v.replace(/'/g, "''")}'`)
    .join(', ');
  await conn.run(`CREATE TABLE ${table} AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${cols}})`);
}

async function keys(sql: string, column = 'mw_key'): Promise<Set<string>> {
  const reader = await conn.runAndReadAll(sql);
  return new Set(reader.getRowObjectsJson().map((r) => String(r[column])));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-duckdb-'));
  const { rules, aliases } = await bundled();
  const inputs = [
    ...(await filesUnder([repoPath('examples')], 'examples')),
    ...(await filesUnder([samplesDir], 'samples')).map((i) => ({ ...i, group: i.name })),
    ...(await ruleExampleInputs(rules)),
  ];
  records = await buildCorpus(inputs, rules, aliases);
  const loaded = await loadRuleFiles([repoPath('rules'), repoPath('test', 'fixtures', 'export', 'correlations')]);
  athena = compileAll('athena', await fieldMapFor(repoPath('mappings'), 'athena', () => undefined), loaded.rules, loaded.correlations);
  bigquery = compileAll('bigquery', await fieldMapFor(repoPath('mappings'), 'bigquery', () => undefined), loaded.rules, loaded.correlations);
  const instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  for (const m of MACROS) await conn.run(m);
  await load('cloudtrail_logs', ATHENA_COLUMNS, records.filter((r) => r.event.dataset === 'aws.cloudtrail').map(athenaRow));
  await conn.run(`CREATE SCHEMA ${OCSF_TABLE.split('.')[0]}`);
  await load(OCSF_TABLE, OCSF_COLUMNS, records.filter((r) => r.event.dataset === 'aws.cloudtrail').map(ocsfRow));
  await load('bq_audit', BIGQUERY_COLUMNS, records.filter((r) => r.event.dataset === 'gcp.audit').map(bigqueryRow));
});

after(async () => {
  conn?.closeSync();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expected(ruleId: string, dataset: string): Set<string> {
  return new Set(records.filter((r) => r.event.dataset === dataset && r.rules.has(ruleId)).map((r) => r.key));
}

describe('SQL exports run on DuckDB and return exactly what the native engine matches', () => {
  test('the corpus has CloudTrail and GCP records, matched and unmatched', () => {
    const ct = records.filter((r) => r.event.dataset === 'aws.cloudtrail');
    const gcp = records.filter((r) => r.event.dataset === 'gcp.audit');
    assert.ok(ct.length > 100 && gcp.length > 30, `${ct.length} CloudTrail, ${gcp.length} GCP records`);
    assert.ok(ct.some((r) => r.rules.size > 0) && ct.some((r) => r.rules.size === 0));
    assert.ok(gcp.some((r) => r.rules.size > 0) && gcp.some((r) => r.rules.size === 0));
  });

  test('Athena (CloudTrail table): every AWS rule, record for record', async () => {
    const aws = athena.filter((e) => e.kind === 'rule' && e.result.status === 'compiled');
    assert.ok(aws.length >= 8, `${aws.length} AWS rules compiled`);
    for (const e of aws) {
      if (e.result.status !== 'compiled') continue;
      const sql = e.result.queries[0].text;
      assert.match(sql, /FROM cloudtrail_logs/);
      const got = await keys(sql);
      const want = expected(e.ruleId, 'aws.cloudtrail');
      assert.ok(want.size > 0, `${e.title}: the corpus has matches`);
      assert.deepEqual([...got].sort(), [...want].sort(), `${e.title}\n${sql}`);
    }
  });

  test('Athena (Security Lake OCSF table): every AWS rule, record for record', async () => {
    const aws = athena.filter((e) => e.kind === 'rule' && e.result.status === 'compiled');
    let ran = 0;
    for (const e of aws) {
      if (e.result.status !== 'compiled') continue;
      const q = e.result.queries.find((x) => x.on === OCSF_TABLE);
      assert.ok(q, `${e.title}: no OCSF query`);
      // The OCSF table has no mw_key column in Security Lake; the test table carries one to name the records.
      const got = await keys(q.text);
      const want = expected(e.ruleId, 'aws.cloudtrail');
      assert.ok(want.size > 0, `${e.title}: the corpus has matches`);
      assert.deepEqual([...got].sort(), [...want].sort(), `${e.title}\n${q.text}`);
      ran++;
    }
    assert.ok(ran >= 8, `${ran} OCSF queries run`);
    // The check can fail: the same query on the wrong OCSF column (the error message for the error code) differs.
    const denied = aws.find((e) => e.title.includes('Call Denied'));
    assert.ok(denied && denied.result.status === 'compiled');
    const q = denied.result.queries.find((x) => x.on === OCSF_TABLE) as { text: string };
    const wrong = await keys(q.text.replaceAll('api.response.error', 'api.response.message'));
    assert.notDeepEqual([...wrong].sort(), [...expected(denied.ruleId, 'aws.cloudtrail')].sort());
  });

  test('BigQuery (audit-log export tables): every GCP rule, record for record', async () => {
    const gcp = bigquery.filter((e) => e.kind === 'rule' && e.result.status === 'compiled');
    assert.ok(gcp.length >= 6, `${gcp.length} GCP rules compiled`);
    for (const e of gcp) {
      if (e.result.status !== 'compiled') continue;
      const sql = e.result.queries[0].text.replace('`PROJECT.DATASET.cloudaudit_googleapis_com_*`', 'bq_audit');
      const got = await keys(sql);
      const want = expected(e.ruleId, 'gcp.audit');
      assert.ok(want.size > 0, `${e.title}: the corpus has matches`);
      assert.deepEqual([...got].sort(), [...want].sort(), `${e.title}\n${sql}`);
    }
  });

  test('Athena correlations agree with a direct sliding-window evaluation of the native matches', async () => {
    // A synthetic burst: the same principal, several denied calls and a full set-up, within minutes.
    const arn = 'arn:aws:iam::111122223333:user/mw-burst';
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    const row = (i: number, name: string, extra: Record<string, unknown>): Record<string, unknown> => ({
      useridentity: { type: 'IAMUser', arn, accountid: '111122223333', username: 'mw-burst', principalid: 'AIDA', invokedby: null, accesskeyid: null, sessioncontext: null },
      eventtime: new Date(t0 + i * 60_000).toISOString().replace('.000', ''),
      eventsource: 'ec2.amazonaws.com',
      eventname: name,
      eventid: `burst-${i}`,
      mw_key: `burst-${i}`,
      ...extra,
    });
    const burst = [
      row(0, 'CreateTrafficMirrorTarget', {}),
      row(1, 'CreateTrafficMirrorFilter', {}),
      row(2, 'CreateTrafficMirrorSession', { requestparameters: JSON.stringify({ CreateTrafficMirrorSessionRequest: { NetworkInterfaceId: 'eni-1' } }) }),
      row(3, 'CreateTrafficMirrorSession', { requestparameters: JSON.stringify({ CreateTrafficMirrorSessionRequest: { NetworkInterfaceId: 'eni-2' } }) }),
      row(4, 'CreateTrafficMirrorSession', { requestparameters: JSON.stringify({ CreateTrafficMirrorSessionRequest: { NetworkInterfaceId: 'eni-3' } }) }),
      row(5, 'DeleteTrafficMirrorSession', {}),
      row(6, 'CreateTrafficMirrorSession', { errorcode: 'Client.UnauthorizedOperation' }),
      row(7, 'DeleteTrafficMirrorTarget', { errorcode: 'AccessDenied' }),
      row(8, 'ModifyTrafficMirrorSession', { errorcode: 'Client.UnauthorizedOperation' }),
    ];
    await load('burst', ATHENA_COLUMNS, burst);
    const correlations = athena.filter((e) => e.kind === 'correlation' && e.file.includes('fixtures'));
    assert.equal(correlations.length, 4);
    const results = new Map<string, number>();
    for (const e of correlations) {
      assert.equal(e.result.status, 'compiled', `${e.title}: ${JSON.stringify(e.result)}`);
      if (e.result.status !== 'compiled') continue;
      const sql = e.result.queries[0].text.replaceAll('FROM cloudtrail_logs', 'FROM burst');
      const reader = await conn.runAndReadAll(sql);
      results.set(e.title, reader.getRowObjectsJson().length);
    }
    // event_count ≥ 3 denied within 15m: windows ending at the 3rd denied call (minute 8) only.
    assert.equal(results.get('Repeated Denied Traffic Mirroring Calls by One Principal'), 1);
    // value_count ≥ 3 distinct ENIs within 1h: the window ending at the third session (minute 4) only.
    assert.equal(results.get('Traffic Mirror Sessions on Many Network Interfaces by One Principal'), 1);
    // temporal: target, filter and session all present in windows ending at minutes 2, 3, 4.
    assert.equal(results.get('Traffic Mirror Target, Filter and Session Set Up by One Principal'), 3);
    // temporal_ordered: each of the three sessions followed by the deletion at minute 5.
    assert.equal(results.get('Traffic Mirror Session Created Then Removed by One Principal'), 3);
  });
});
