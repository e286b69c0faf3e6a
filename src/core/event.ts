/**
 * The event: one normalized record. `raw` is the record as the source wrote it, `fields` is the canonical
 * source-native view that rules match (JSON strings parsed, wrappers removed, one schema per dataset), and `origin`
 * says where it came from.
 */

/** The datasets mirrorwatch reads; the names follow Elastic's integrations where one exists. */
export type Dataset =
  | 'aws.cloudtrail'
  | 'azure.activitylogs'
  | 'gcp.audit'
  | 'cisco_ios.log'
  | 'cisco_nxos.log'
  | 'cisco_iosxr.log'
  | 'juniper.log'
  | 'arista_eos.log'
  | 'tacacs.accounting'
  | 'network.pcap'
  | 'network.flow';

/** All datasets, for exhaustive iteration. */
export const DATASETS: readonly Dataset[] = [
  'aws.cloudtrail',
  'azure.activitylogs',
  'gcp.audit',
  'cisco_ios.log',
  'cisco_nxos.log',
  'cisco_iosxr.log',
  'juniper.log',
  'arista_eos.log',
  'tacacs.accounting',
  'network.pcap',
  'network.flow',
];

/** A Sigma log source: rules declare one, events carry one; a rule applies when every key it sets is equal. */
export interface LogSource {
  category?: string;
  product?: string;
  service?: string;
}

/** Where an event came from. */
export interface Origin {
  /** The path as the user named it (or `-` for stdin); for a gzip file the path of the `.gz`. */
  file: string;
  /** 1-based line of the record's first character in the decompressed text. */
  line?: number;
  /** 1-based column of the record's first character on that line. */
  column?: number;
  /** 0-based index of the record inside a container (`{"Records":[…]}`, a JSON array, `{"records":[…]}`). */
  record?: number;
}

/** One record as found in the input, before parsing (see `src/readers/types.ts`). */
export interface RawRecord {
  /**
   * The record's text: one JSON value (an element of `{"Records":[…]}`, one NDJSON line, the decoded `data` of a
   * Pub/Sub message) or one text line. For JSON it is exactly the text `JSON.parse` will read.
   */
  text: string;
  origin: Origin;
  /**
   * Character offset of the record's first character in the file's decoded text, when the reader knows it (the
   * engine uses it to tell whether the text around the record was plain ASCII). Records the reader re-encodes
   * (a Pub/Sub payload decoded from base64) leave it out.
   */
  offset?: number;
}

/** One normalized record. */
export interface Event {
  dataset: Dataset;
  logsource: LogSource;
  /** The record as the source wrote it: the parsed JSON value, or the text line. */
  raw: unknown;
  /** The canonical view rules match (source-native field names). */
  fields: Record<string, unknown>;
  /** Event time as ISO 8601 (UTC, as precise as the source; may have more than millisecond precision). */
  time: string;
  /** Event time in epoch milliseconds (NaN when the source had no usable time). */
  timeMs: number;
  origin: Origin;
  /**
   * The natural identity of the record at its source, used to drop duplicates (CloudTrail `eventID`, GCP
   * `insertId`+`logName`, Azure `eventDataId` or correlation+status, syslog host+time+message).
   */
  recordKey: string;
  /**
   * The identity of the action the record belongs to: records that describe one operation share it (Azure Start and
   * Success share `correlationId`, GCP first/last share `operation.id`, an ERSPAN sub-mode belongs to its session).
   */
  actionKey: string;
  /** Assumptions made while reading, shown in alerts (for example an RFC 3164 year or time zone). */
  assumptions?: string[];
  /**
   * Facts the reader learnt that are not canonical fields and that rules do not match (a syslog line's PRI, app
   * name, process id and MSGID), kept for the ECS view.
   */
  meta?: Record<string, string | number>;
}

/**
 * The log sources events of each dataset carry (a rule applies to an event when every key the rule sets equals the
 * event's). Device datasets carry `category: network_config` on command and configuration records only.
 */
export const DATASET_LOGSOURCES: Record<Dataset, readonly LogSource[]> = {
  'aws.cloudtrail': [{ product: 'aws', service: 'cloudtrail' }],
  'azure.activitylogs': [{ product: 'azure', service: 'activitylogs' }],
  'gcp.audit': [{ product: 'gcp', service: 'gcp.audit' }],
  'cisco_ios.log': [{ product: 'cisco', service: 'ios', category: 'network_config' }, { product: 'cisco', service: 'ios' }],
  'cisco_nxos.log': [{ product: 'cisco', service: 'nxos', category: 'network_config' }, { product: 'cisco', service: 'nxos' }],
  'cisco_iosxr.log': [{ product: 'cisco', service: 'iosxr', category: 'network_config' }, { product: 'cisco', service: 'iosxr' }],
  'juniper.log': [{ product: 'juniper', service: 'junos', category: 'network_config' }, { product: 'juniper', service: 'junos' }],
  'arista_eos.log': [{ product: 'arista', service: 'eos', category: 'network_config' }, { product: 'arista', service: 'eos' }],
  'tacacs.accounting': [{ product: 'cisco', service: 'aaa', category: 'network_config' }],
  // Packet captures: conversations, tunnels and L3 copies built by the pcap reader (src/readers/pcap.ts).
  'network.pcap': [{ category: 'network_traffic', product: 'pcap' }],
  // Flow records: SigmaHQ names Zeek logs `product: zeek, service: conn|tunnel`.
  'network.flow': [
    { category: 'network_traffic', product: 'aws', service: 'vpcflowlogs' },
    { category: 'network_traffic', product: 'zeek', service: 'conn' },
    { category: 'network_traffic', product: 'zeek', service: 'tunnel' },
    { category: 'network_traffic', product: 'nfdump', service: 'netflow' },
  ],
};

/** True when a rule with log source `rule` applies to an event with log source `event`. */
export function logSourceApplies(rule: LogSource, event: LogSource): boolean {
  return (
    (rule.category === undefined || rule.category === event.category) &&
    (rule.product === undefined || rule.product === event.product) &&
    (rule.service === undefined || rule.service === event.service)
  );
}
