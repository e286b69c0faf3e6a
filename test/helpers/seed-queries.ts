/**
 * The two seed queries (`../shared/seeds/000_…` Elastic EQL, `001_…` QRadar AQL), evaluated with their own
 * languages' semantics over the ECS view of events, so tests and the closing report can compare them with
 * mirrorwatch on the same records. Semantics: EQL `in` is case-sensitive, `like~` is case-insensitive with `*`
 * wildcards anchored to the whole value (query-languages.md §3.1); AQL `LOWER(x) LIKE '%…%'` is a case-insensitive
 * substring test. QRadar has no built-in "EventName" column (events.md §8.2 #1); to give the AQL its best chance we
 * assume a custom property that holds the API name (the ECS `event.action`).
 */
import { getPath } from '../../src/core/json.js';

type Ecs = Record<string, unknown>;

const EQL_DATASETS = ['aws.cloudtrail', 'azure.activitylogs', 'gcp.audit'];
const EQL_ACTIONS = [
  'CreateTrafficMirrorSession',
  'CreateTrafficMirrorTarget',
  'CreateTrafficMirrorFilter',
  'ModifyTrafficMirrorSession',
  'ModifyTrafficMirrorFilterRule',
  'DeleteTrafficMirrorSession',
  'google.compute.v1.PacketMirrorings.Insert',
  'google.compute.v1.PacketMirrorings.Patch',
  'google.compute.v1.PacketMirrorings.Delete',
];
const EQL_LIKE = ['*TrafficMirror*', '*PacketMirror*', '*virtualNetworkTaps*', '*tapConfiguration*'];

/** EQL `like~`: case-insensitive, `*` any run, `?` one character, anchored. */
function likeCi(value: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'is');
  return re.test(value);
}

/** The seed EQL, as written. */
export function seedEqlMatches(ecs: Ecs): boolean {
  const dataset = getPath(ecs, 'event.dataset');
  const action = getPath(ecs, 'event.action');
  if (typeof dataset !== 'string' || !EQL_DATASETS.includes(dataset)) return false;
  if (typeof action !== 'string') return false;
  return EQL_ACTIONS.includes(action) || EQL_LIKE.some((p) => likeCi(action, p));
}

const AQL_PATTERNS = [
  'createtrafficmirrorsession',
  'createtrafficmirrortarget',
  'createtrafficmirrorfilter',
  'modifytrafficmirrorsession',
  'modifytrafficmirrorfilterrule',
  'deletetrafficmirrorsession',
  'insertpacketmirroring',
  'patchpacketmirroring',
  'deletepacketmirroring',
  'virtualnetworktap',
  'tapconfigurations',
];

/** The seed AQL, as written, with "EventName" taken to be the API name. */
export function seedAqlMatches(ecs: Ecs): boolean {
  const action = getPath(ecs, 'event.action');
  if (typeof action !== 'string') return false;
  const lower = action.toLowerCase();
  return AQL_PATTERNS.some((p) => lower.includes(p));
}
