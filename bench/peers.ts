/**
 * The peers mirrorwatch is measured against, asking the same question of the same files: which CloudTrail records
 * does the bundled AWS T1020.001 pack match? Each peer's filter is the union of the pack's AWS rules written in that
 * tool's language (case-insensitive like Sigma): an EC2 event whose name is one of the eleven mutating traffic
 * mirroring calls, or starts with `DescribeTrafficMirror`, not made by an AWS service on its own (`userIdentity.type`
 * `AWSService`, or `invokedBy` ending in `.amazonaws.com` — CloudFormation still counts for the mutating calls).
 * The benchmark checks that every tool returns the same event ids.
 */

/** The eleven mutating calls, lower case. */
export const MUTATING = [
  'createtrafficmirrorsession',
  'createtrafficmirrortarget',
  'createtrafficmirrorfilter',
  'createtrafficmirrorfilterrule',
  'modifytrafficmirrorsession',
  'modifytrafficmirrorfilterrule',
  'modifytrafficmirrorfilternetworkservices',
  'deletetrafficmirrorsession',
  'deletetrafficmirrortarget',
  'deletetrafficmirrorfilter',
  'deletetrafficmirrorfilterrule',
];

/** The jq program: reads `{"Records":[…]}` documents or bare records, prints matching event ids. */
export const JQ_FILTER = `
def lc: ascii_downcase;
(.Records[]? // .)
| select(((.eventSource // "") | lc) == "ec2.amazonaws.com")
| ((.eventName // "") | lc) as $n
| ((.userIdentity.type // "") | lc) as $t
| ((.userIdentity.invokedBy // "") | lc) as $ib
| select($t != "awsservice")
| select(
    (($n | IN(${MUTATING.map((m) => JSON.stringify(m)).join(', ')}))
      and ((($ib | endswith(".amazonaws.com")) | not) or $ib == "cloudformation.amazonaws.com"))
    or (($n | startswith("describetrafficmirror")) and (($ib | endswith(".amazonaws.com")) | not)))
| .eventID`;

/** The WHERE clause over a JSON column `r` holding one record (DuckDB JSON functions). */
export function duckdbWhere(r: string): string {
  const s = (path: string) => `lower(coalesce(json_extract_string(${r}, '${path}'), ''))`;
  return `${s('$.eventSource')} = 'ec2.amazonaws.com'
    AND ${s('$.userIdentity.type')} <> 'awsservice'
    AND (
      (${s('$.eventName')} IN (${MUTATING.map((m) => `'${m}'`).join(', ')})
        AND (NOT ends_with(${s('$.userIdentity.invokedBy')}, '.amazonaws.com') OR ${s('$.userIdentity.invokedBy')} = 'cloudformation.amazonaws.com'))
      OR (starts_with(${s('$.eventName')}, 'describetrafficmirror') AND NOT ends_with(${s('$.userIdentity.invokedBy')}, '.amazonaws.com'))
    )`;
}

/** DuckDB SQL over an S3-layout archive of `{"Records":[…]}` gzip files. */
export function duckdbArchiveSql(glob: string): string {
  return `SELECT json_extract_string(r, '$.eventID') AS id
    FROM (SELECT unnest(Records) AS r FROM read_json('${glob}', columns = {'Records': 'JSON[]'}, compression = 'gzip', maximum_object_size = 1073741824))
    WHERE ${duckdbWhere('r')}`;
}

/** DuckDB SQL over one NDJSON file of records. */
export function duckdbNdjsonSql(file: string): string {
  return `SELECT json_extract_string(json, '$.eventID') AS id
    FROM read_json_objects('${file}', format = 'newline_delimited')
    WHERE ${duckdbWhere('json')}`;
}
