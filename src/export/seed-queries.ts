/**
 * The two seed queries (`../shared/seeds/000_…` Elastic EQL, `001_…` QRadar AQL), kept verbatim and evaluated the
 * same way as mirrorwatch's own exports: parsed with the EQL and AQL grammars (src/export/grammar/) and evaluated
 * with their languages' semantics (src/export/evaluate/) over the ECS view of events. QRadar has no built-in
 * "EventName" column (events.md §8.2 #1); to give the AQL its best chance its "EventName" is taken to be a custom
 * property holding the API name (the ECS `event.action`).
 */
import type { ElasticDoc } from './evaluate/documents.js';
import { aqlMatches } from './evaluate/aql.js';
import { eqlMatches } from './evaluate/eql.js';
import { parseAql } from './grammar/aql.js';
import { parseEql } from './grammar/eql.js';
import { getPath } from '../core/json.js';

/** The seed's Elastic EQL, as published ("Elastic Detection Query"). */
export const SEED_EQL = `any where event.dataset in ("aws.cloudtrail", "azure.activitylogs", "gcp.audit")
and (
event.action in (
"CreateTrafficMirrorSession",
"CreateTrafficMirrorTarget",
"CreateTrafficMirrorFilter",
"ModifyTrafficMirrorSession",
"ModifyTrafficMirrorFilterRule",
"DeleteTrafficMirrorSession",
"google.compute.v1.PacketMirrorings.Insert",
"google.compute.v1.PacketMirrorings.Patch",
"google.compute.v1.PacketMirrorings.Delete"
)
or event.action like~ "*TrafficMirror*"
or event.action like~ "*PacketMirror*"
or event.action like~ "*virtualNetworkTaps*"
or event.action like~ "*tapConfiguration*"
)`;

/** The seed's QRadar AQL, as published ("QRadar Detection Query"). */
export const SEED_AQL = `SELECT
DATEFORMAT(starttime, 'yyyy-MM-dd HH:mm:ss') AS EventTime,
LOGSOURCENAME(logsourceid) AS LogSource,
LOGSOURCETYPENAME(devicetype) AS LogSourceType,
username AS Actor,
sourceip AS SourceIP,
"EventName",
CASE
WHEN LOWER(LOGSOURCETYPENAME(devicetype)) LIKE '%cloudtrail%' THEN 'AWS'
WHEN LOWER(LOGSOURCETYPENAME(devicetype)) LIKE '%azure%' THEN 'Azure'
WHEN LOWER(LOGSOURCETYPENAME(devicetype)) LIKE '%google%'
OR LOWER(LOGSOURCETYPENAME(devicetype)) LIKE '%gcp%' THEN 'GCP'
ELSE 'Unknown'
END AS Platform
FROM events
WHERE (
LOWER("EventName") LIKE '%createtrafficmirrorsession%'
OR LOWER("EventName") LIKE '%createtrafficmirrortarget%'
OR LOWER("EventName") LIKE '%createtrafficmirrorfilter%'
OR LOWER("EventName") LIKE '%modifytrafficmirrorsession%'
OR LOWER("EventName") LIKE '%modifytrafficmirrorfilterrule%'
OR LOWER("EventName") LIKE '%deletetrafficmirrorsession%'
OR LOWER("EventName") LIKE '%insertpacketmirroring%'
OR LOWER("EventName") LIKE '%patchpacketmirroring%'
OR LOWER("EventName") LIKE '%deletepacketmirroring%'
OR LOWER("EventName") LIKE '%virtualnetworktap%'
OR LOWER("EventName") LIKE '%tapconfigurations%'
)
ORDER BY starttime DESC
LAST 24 HOURS`;

const eql = parseEql(SEED_EQL);
const aql = parseAql(SEED_AQL);

type Ecs = Record<string, unknown>;

/** The seed EQL evaluated on an ECS document (it names no index, so every data stream is searched). */
export function seedEqlMatches(ecs: Ecs): boolean {
  const dataset = getPath(ecs, 'event.dataset');
  const doc: ElasticDoc = { index: `logs-${typeof dataset === 'string' ? dataset : 'unknown'}-default`, ecs, caseless: new Set() };
  return eqlMatches(eql, doc);
}

/** The seed AQL evaluated on the QRadar event of an ECS document, with "EventName" taken to be the API name. */
export function seedAqlMatches(ecs: Ecs): boolean {
  const action = getPath(ecs, 'event.action');
  const user = getPath(ecs, 'user.name');
  const ip = getPath(ecs, 'source.ip');
  return aqlMatches(aql, {
    devicetype: null,
    builtins: { username: typeof user === 'string' ? user : null, sourceip: typeof ip === 'string' ? ip : null, starttime: null, logsourceid: null, qid: null },
    properties: new Map([['EventName', typeof action === 'string' ? action : null]]),
  });
}
