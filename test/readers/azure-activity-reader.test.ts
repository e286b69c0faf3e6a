import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../src/core/event.js';
import { azureActivityEcs } from '../../src/normalize/azure-activity.js';
import { azureActivityReader } from '../../src/readers/azure-activity.js';
import { cloudtrailDigestReader, cloudtrailReader } from '../../src/readers/cloudtrail.js';
import { gcpAuditReader } from '../../src/readers/gcp-audit.js';
import { haveSamples } from '../helpers/paths.js';
import { at, CHUNKINGS, fixture, readWith, sample, type ReadResult } from './json-records-harness.js';

const SUB = '7d3e8f1a-2b4c-4d5e-9f60-718293a4b5c6';
const PT1H = `insights-activity-logs/resourceId=/SUBSCRIPTIONS/${SUB.toUpperCase()}/y=2024/m=05/d=14/h=13/m=00/PT1H.json`;
const CORR_TAP = '9e4b2c7a-1d3f-4a58-b6e0-8c2f1d9a7e34';
const UPN = 'dana.whitfield@contoso-fin.com';

function read(rel: string): ReadResult {
  return readWith(azureActivityReader, fixture(rel), 'whole', rel);
}

function ops(events: Event[]): Array<[unknown, unknown, unknown]> {
  return events.map((e) => [e.fields.operationName, e.fields.resultType, e.time]);
}

describe('Azure Activity Log sniffing', () => {
  test('recognises storage lines, Event Hubs batches, REST pages and CLI arrays by content', () => {
    for (const rel of [PT1H, 'azure-eventhub-activity-batch.json', 'azure-rest-activity-log-list.json', 'azure-cli-activity-log-list.json']) {
      assert.deepEqual(azureActivityReader.sniff(fixture(rel), rel), { kind: 'read' }, rel);
      for (const other of [cloudtrailReader, cloudtrailDigestReader, gcpAuditReader]) {
        assert.deepEqual(other.sniff(fixture(rel), rel), { kind: 'no' }, `${other.format} ${rel}`);
      }
    }
  });

  test('CloudTrail and GCP files are not Activity Logs', () => {
    for (const rel of ['cloudtrail-records.ndjson', 'gcp-pubsub-push.ndjson', 'cloudaudit.googleapis.com/activity/2024/05/14/13-00-00_13-59-59_S0.json']) {
      assert.deepEqual(azureActivityReader.sniff(fixture(rel), rel), { kind: 'no' }, rel);
    }
  });
});

describe('Azure storage export (PT1H.json)', () => {
  const r = read(PT1H);

  test('each line is a record; operationName keeps the casing it was written in', () => {
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(ops(r.events), [
      ['MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE', 'Start', '2024-05-14T13:31:02.4418729Z'],
      ['MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE', 'Accept', '2024-05-14T13:31:04.9120553Z'],
      ['MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE', 'Success', '2024-05-14T13:31:19.0034871Z'],
      ['Microsoft.Network/networkInterfaces/tapConfigurations/write', 'Start', '2024-05-14T13:33:47.2290016Z'],
      ['Microsoft.Network/networkInterfaces/tapConfigurations/write', 'Success', '2024-05-14T13:33:52.6675310Z'],
      ['microsoft.network/virtualnetworktaps/delete', 'Success', '2024-05-14T13:52:10.1187342Z'],
      ['MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE', 'Success', '2024-05-14T13:05:33.9021447Z'],
    ]);
    assert.deepEqual(
      r.events.map((e) => e.origin.line),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(r.events[0].logsource, { product: 'azure', service: 'activitylogs' });
    assert.equal(r.events[0].timeMs, Date.UTC(2024, 4, 14, 13, 31, 2, 441));
  });

  test('Start, Accept and Success of one operation are one action with three record keys', () => {
    const tap = r.events.filter((e) => e.fields.correlationId === CORR_TAP);
    assert.equal(tap.length, 3);
    assert.deepEqual(new Set(tap.map((e) => e.actionKey)), new Set([`azure:${CORR_TAP}:microsoft.network/virtualnetworktaps/write`]));
    assert.equal(new Set(tap.map((e) => e.recordKey)).size, 3);
    assert.equal(tap[2].recordKey, `azure:${CORR_TAP}:microsoft.network/virtualnetworktaps/write:success:2024-05-14T13:31:19.0034871Z`);
  });

  test('request and response bodies sent as JSON text are parsed in the canonical view; raw keeps the text', () => {
    const [start, , success] = r.events;
    assert.equal(at(start.fields, 'properties.requestbody.properties.destinationPort'), 4789);
    assert.equal(
      at(success.fields, 'properties.responseBody.properties.destinationNetworkInterfaceIPConfiguration.id'),
      `/subscriptions/${SUB}/resourceGroups/rg-dmz/providers/Microsoft.Network/networkInterfaces/nic-collector-ext/ipConfigurations/ipconfig1`,
    );
    assert.equal(typeof at(success.raw, 'properties.responseBody'), 'string');
  });

  test('ECS: action verbatim, outcome only for Success/Failure, user from the name claim, resource split', () => {
    const [start, , success, cfgStart] = r.events;
    const s = azureActivityEcs(success);
    assert.equal(at(s, 'event.action'), 'MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE');
    assert.equal(at(s, 'event.outcome'), 'success');
    assert.equal(at(s, 'event.kind'), 'event');
    assert.equal(at(s, 'event.duration'), 16562 * 1_000_000);
    assert.equal(at(s, 'cloud.provider'), 'azure');
    assert.equal(at(s, 'cloud.account.id'), SUB.toUpperCase());
    assert.equal(at(s, 'source.ip'), '203.0.113.45');
    assert.deepEqual(at(s, 'related.ip'), ['203.0.113.45']);
    assert.equal(at(s, 'user.name'), 'dana.whitfield');
    assert.equal(at(s, 'user.domain'), 'contoso-fin.com');
    assert.equal(at(s, 'user.email'), UPN);
    assert.equal(at(s, 'user.full_name'), 'Dana Whitfield');
    assert.deepEqual(at(s, 'related.user'), ['dana.whitfield']);
    assert.equal(at(s, 'azure.correlation_id'), CORR_TAP);
    assert.equal(at(s, 'azure.resource.group'), 'RG-PROD-NETWORK');
    assert.equal(at(s, 'azure.resource.provider'), 'MICROSOFT.NETWORK/VIRTUALNETWORKTAPS');
    assert.equal(at(s, 'azure.resource.name'), 'VTAP-EXFIL-01');
    assert.equal(at(s, 'azure.activitylogs.result_signature'), 'Succeeded.Created');
    assert.equal(at(s, 'azure.activitylogs.properties.status_code'), 'Created');
    assert.equal(at(s, 'azure.activitylogs.identity.authorization.evidence.role'), 'Network Contributor');
    // Elasticsearch field names cannot hold dots: claim keys have them replaced by underscores.
    const claims = at(s, 'azure.activitylogs.identity.claims') as Record<string, unknown>;
    assert.equal(claims['http://schemas_xmlsoap_org/ws/2005/05/identity/claims/upn'], UPN);
    assert.equal('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn' in claims, false);
    assert.equal(at(azureActivityEcs(start), 'event.outcome'), undefined);
    const cfg = azureActivityEcs(cfgStart);
    assert.equal(at(cfg, 'event.action'), 'Microsoft.Network/networkInterfaces/tapConfigurations/write');
    assert.equal(at(cfg, 'azure.resource.provider'), 'MICROSOFT.NETWORK/NETWORKINTERFACES');
    assert.equal(at(cfg, 'azure.resource.name'), 'NIC-SQL-PROD-01/TAPCONFIGURATIONS/TAPCFG-SQL-01');
  });

  test('chunking does not change the events', () => {
    const text = fixture(PT1H);
    const whole = readWith(azureActivityReader, text);
    for (const how of CHUNKINGS) assert.deepEqual(readWith(azureActivityReader, text, how).events, whole.events);
  });
});

describe('Azure Event Hubs batch and REST form', () => {
  test('an Event Hubs batch streams its records; properties and identity sent as JSON text are parsed', () => {
    const r = read('azure-eventhub-activity-batch.json');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.events.map((e) => [e.fields.resultType, e.origin.line, e.origin.record]),
      [
        ['Start', 1, 0],
        ['Accept', 1, 1],
        ['Success', 1, 2],
      ],
    );
    const success = r.events[2];
    assert.equal(typeof at(success.raw, 'properties'), 'string');
    assert.equal(typeof at(success.raw, 'identity'), 'string');
    assert.equal(at(success.fields, 'properties.statusCode'), 'Created');
    assert.equal(at(success.fields, 'properties.responseBody.name'), 'vtap-exfil-01');
    assert.equal(at(success.fields, 'identity.authorization.evidence.role'), 'Network Contributor');
    assert.equal(at(azureActivityEcs(success), 'user.email'), UPN);
    // The same records as the storage export: same keys.
    const storage = read(PT1H).events.slice(0, 3);
    assert.deepEqual(
      r.events.map((e) => e.recordKey),
      storage.map((e) => e.recordKey),
    );
    const text = fixture('azure-eventhub-activity-batch.json');
    for (const how of CHUNKINGS) assert.deepEqual(readWith(azureActivityReader, text, how, 'azure-eventhub-activity-batch.json').events, r.events);
  });

  test('REST records are converted to the Event Hub schema, keeping REST-only members', () => {
    const r = read('azure-rest-activity-log-list.json');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.events.length, 2);
    const [success, start] = r.events;
    assert.deepEqual(
      [success.fields.operationName, success.fields.resultType, success.fields.resultSignature, success.fields.category, success.time],
      ['Microsoft.Network/virtualNetworkTaps/write', 'Success', 'Created', 'Administrative', '2024-05-14T13:31:19.0034871Z'],
    );
    assert.deepEqual([start.fields.resultType, start.fields.resultSignature], ['Start', '']);
    assert.equal(success.fields.callerIpAddress, '203.0.113.45');
    assert.equal(at(success.fields, 'identity.claims.name'), 'Dana Whitfield');
    assert.equal(at(success.fields, 'identity.authorization.action'), 'Microsoft.Network/virtualNetworkTaps/write');
    assert.equal(success.fields.caller, UPN);
    assert.equal(success.fields.subscriptionId, SUB);
    for (const gone of ['eventTimestamp', 'status', 'subStatus', 'claims', 'authorization']) assert.equal(gone in success.fields, false, gone);
    assert.equal(at(success.fields, 'properties.responseBody.properties.destinationPort'), 4789);
    assert.equal(success.recordKey, 'azure:4f8a2c6e-1b9d-4e73-a5c0-3d7e9f1b2a68');
    // The REST record and the Event Hub record of one operation share the action key, whatever the casing.
    const storageSuccess = read(PT1H).events[2];
    assert.equal(success.actionKey, storageSuccess.actionKey);
    assert.deepEqual(
      r.events.map((e) => [e.origin.line, e.origin.record]),
      [
        [3, 0],
        [90, 1],
      ],
    );
    const ecs = azureActivityEcs(success);
    assert.equal(at(ecs, 'event.outcome'), 'success');
    assert.equal(at(ecs, 'azure.resource.group'), 'rg-prod-network');
    assert.equal(at(ecs, 'azure.resource.name'), 'vtap-exfil-01');
    assert.equal(at(ecs, 'cloud.account.id'), SUB);
    assert.equal(at(ecs, 'azure.activitylogs.caller'), UPN);
  });

  test('an az monitor activity-log list array reads like the REST page', () => {
    const cli = read('azure-cli-activity-log-list.json');
    const rest = read('azure-rest-activity-log-list.json');
    assert.deepEqual(
      cli.events.map((e) => [e.recordKey, e.fields]),
      rest.events.map((e) => [e.recordKey, e.fields]),
    );
  });

  test('values that are not Activity Log records are reported and skipped', () => {
    const text = '{"time":"2024-05-14T13:00:00Z","resourceId":"/x"}\n{"operationName":"Microsoft.Network/virtualNetworkTaps/delete","correlationId":"c1"}\n"text"\n';
    const r = readWith(azureActivityReader, text, 'whole', 'PT1H.json');
    assert.deepEqual(
      r.events.map((e) => [e.fields.operationName, e.timeMs]),
      [['Microsoft.Network/virtualNetworkTaps/delete', NaN]],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity, d.line]),
      [
        ['MW2301', 'warning', 1],
        ['MW2111', 'warning', 2],
        ['MW2102', 'error', 3],
      ],
    );
  });
});

describe('Azure reference samples', { skip: haveSamples ? false : 'shared/reference/samples is missing' }, () => {
  test('the raw Event Hub record (UPPER case, Start, service principal) maps as Elastic maps it', () => {
    const name = 'azure_activitylog_eventhub_raw_listkeys_elastic_test.jsonl';
    const r = readWith(azureActivityReader, sample(name), 'whole', name);
    assert.deepEqual(r.diagnostics, []);
    const [e] = r.events;
    assert.equal(e.fields.operationName, 'MICROSOFT.EVENTHUB/NAMESPACES/AUTHORIZATIONRULES/LISTKEYS/ACTION');
    assert.equal(e.time, '2019-10-24T00:13:46.3554259Z');
    assert.equal(e.actionKey, 'azure:8a4de8b5-095c-47d0-a96f-a75130c61d53:microsoft.eventhub/namespaces/authorizationrules/listkeys/action');
    const ecs = azureActivityEcs(e);
    // Values from elastic/integrations packages/azure/data_stream/activitylogs/_dev/test/pipeline/test-activitylogs-raw.log-expected.json.
    assert.equal(at(ecs, 'event.action'), 'MICROSOFT.EVENTHUB/NAMESPACES/AUTHORIZATIONRULES/LISTKEYS/ACTION');
    assert.equal(at(ecs, 'event.outcome'), undefined);
    assert.deepEqual(at(ecs, 'event.type'), ['change']);
    assert.equal(at(ecs, 'event.duration'), 0);
    assert.equal(at(ecs, 'azure.subscription_id'), '8a4de8b5-095c-47d0-a96f-a75130c61d53');
    assert.equal(at(ecs, 'azure.resource.namespace'), 'AZURELSEVENTS');
    assert.equal(at(ecs, 'azure.resource.provider'), 'MICROSOFT.EVENTHUB');
    assert.equal(at(ecs, 'azure.resource.authorization_rule'), 'ROOTMANAGESHAREDACCESSKEY');
    assert.equal(at(ecs, 'azure.resource.group'), 'SA-HEMA');
    assert.equal(at(ecs, 'azure.activitylogs.result_type'), 'Start');
    assert.equal(at(ecs, 'azure.activitylogs.event_category'), 'Administrative');
    assert.equal(at(ecs, 'azure.activitylogs.identity.authorization.evidence.principal_type'), 'ServicePrincipal');
    assert.equal(at(ecs, 'user.name'), undefined);
    assert.equal(at(ecs, 'client.ip'), '81.2.69.144');
  });

  test('mixed-case records keep their operationName; lower-case resource keywords still split', () => {
    const name = 'azure_activitylog_eventhub_administrative_mixedcase_elastic_test.jsonl';
    const r = readWith(azureActivityReader, sample(name), 'whole', name);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.events.map((e) => [e.fields.operationName, e.origin.line]),
      [
        ['Microsoft.Web/sites/start/action', 1],
        ['Microsoft.aadiam/updateDirectory/action', 2],
      ],
    );
    const [web, aad] = r.events.map(azureActivityEcs);
    assert.equal(at(web, 'event.action'), 'Microsoft.Web/sites/start/action');
    assert.equal(at(web, 'event.outcome'), 'success');
    assert.equal(at(web, 'azure.subscription_id'), '12345678-1234-1234-1234-123456789abc');
    assert.equal(at(web, 'azure.resource_group.name'), 'my-resource-group');
    assert.equal(at(web, 'azure.resource_provider.namespace'), 'Microsoft.Web/sites');
    assert.equal(at(web, 'azure.resource.name'), 'my-app-service');
    assert.equal(at(web, 'cloud.account.id'), '12345678-1234-1234-1234-123456789abc');
    assert.equal(at(aad, 'azure.resource_provider.namespace'), 'Microsoft.aadiam');
    assert.equal(at(aad, 'azure.subscription_id'), undefined);
    assert.equal(at(aad, 'azure.tenant.id'), undefined);
  });

  test("Microsoft's storage/Event Hubs schema example: 7 fractional digits, lower-case operation, UPN user", () => {
    const name = 'azure_activitylog_storage_eventhub_schema_example_mslearn.json';
    const r = readWith(azureActivityReader, sample(name), 'whole', name);
    assert.deepEqual(r.diagnostics, []);
    const [e] = r.events;
    assert.equal(e.fields.operationName, 'microsoft.support/supporttickets/write');
    assert.equal(e.time, '2019-01-21T22:14:26.9792776Z');
    assert.equal(e.timeMs, Date.UTC(2019, 0, 21, 22, 14, 26, 979));
    assert.equal(e.origin.record, 0);
    const ecs = azureActivityEcs(e);
    assert.equal(at(ecs, 'event.duration'), 2826 * 1_000_000);
    assert.deepEqual(at(ecs, 'event.type'), ['change']);
    // The name claim is " admin@contoso.com" with a leading space: grok finds the address inside it, and
    // user.email keeps the claim as written.
    assert.equal(at(ecs, 'user.name'), 'admin');
    assert.equal(at(ecs, 'user.domain'), 'contoso.com');
    assert.equal(at(ecs, 'user.email'), ' admin@contoso.com');
    assert.equal(at(ecs, 'user.full_name'), 'John Smith');
    assert.equal(at(ecs, 'source.ip'), '111.111.111.11');
  });

  test('the REST/portal sample is converted: status.value → resultType, eventTimestamp → time, claims → identity', () => {
    const name = 'azure_activitylog_restapi_administrative_nsg_write_mslearn.json';
    const r = readWith(azureActivityReader, sample(name), 'whole', name);
    assert.deepEqual(r.diagnostics, []);
    const [e] = r.events;
    assert.deepEqual(
      [e.fields.operationName, e.fields.resultType, e.fields.resultSignature, e.fields.category, e.time],
      ['Microsoft.Network/networkSecurityGroups/write', 'Success', '', 'Administrative', '2018-01-29T20:42:31.3810679Z'],
    );
    assert.equal(at(e.fields, 'identity.claims.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'), undefined);
    assert.equal(
      (at(e.fields, 'identity.claims') as Record<string, unknown>)['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'],
      'rob@contoso.com',
    );
    assert.equal(e.fields.caller, 'rob@contoso.com');
    assert.equal(e.fields.eventDataId, 'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e');
    assert.equal(at(e.fields, 'properties.requestbody'), '');
    assert.equal(e.recordKey, 'azure:aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e');
    const ecs = azureActivityEcs(e);
    assert.equal(at(ecs, 'event.outcome'), 'success');
    assert.equal(at(ecs, 'user.email'), 'rob@contoso.com');
    assert.equal(at(ecs, 'user.full_name'), 'Rob Robertson');
  });

  test('documents that are not Activity Log records (an ECS document, ARM examples) are not claimed', () => {
    for (const name of [
      'azure_activitylog_ecs_mapped_sample_event_elastic.json',
      'azure_rest_VirtualNetworkTapCreate_example_2024-05-01.json',
      'azure_rest_NetworkInterfaceTapConfigurationCreate_example_2024-05-01.json',
    ]) {
      assert.deepEqual(azureActivityReader.sniff(sample(name), name), { kind: 'no' }, name);
    }
  });
});
