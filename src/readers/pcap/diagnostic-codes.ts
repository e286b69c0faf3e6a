/**
 * Diagnostic codes of the network-data readers (MW2800–MW2899): packet captures (MW2800–MW2849) and flow records —
 * AWS VPC Flow Logs, Zeek conn/tunnel logs, nfdump CSV/JSON (MW2850–MW2899). One catalogue for both, because the
 * flow readers and the capture reader share the analytics and users read their messages side by side.
 */
import type { CodeInfo } from '../../core/diagnostic.js';

/** Capture diagnostics, by name. */
export const PCAP = {
  truncated: {
    code: 'MW2801',
    severity: 'warning',
    summary: 'the capture ends inside a packet record or block (a writer stopped mid-write); complete packets were read',
  },
  corrupt: {
    code: 'MW2802',
    severity: 'error',
    summary: 'a record or block header is impossible (length, time, interface); the rest of the file is not read',
  },
  unsupported: { code: 'MW2803', severity: 'error', summary: 'a capture format variant mirrorwatch does not read' },
  linkType: {
    code: 'MW2804',
    severity: 'warning',
    summary: 'packets of a link type mirrorwatch does not decode (not Ethernet, Linux cooked, raw IP or loopback); they are counted and skipped',
  },
  tableFull: {
    code: 'MW2805',
    severity: 'info',
    summary: 'more simultaneous conversations than the table holds; the oldest were reported early (split)',
  },
} as const satisfies Record<string, CodeInfo>;

/** Flow-record diagnostics, by name. */
export const FLOW = {
  badRecord: {
    code: 'MW2851',
    severity: 'error',
    summary: 'a flow record cannot be read (wrong number of fields, an address or number that is not one)',
  },
  badHeader: { code: 'MW2852', severity: 'error', summary: 'a flow log header names no usable fields' },
  epochTime: {
    code: 'MW2853',
    severity: 'warning',
    summary: 'a flow starts at the Unix epoch (1970-01-01), an exporter artefact (softflowd -a); its time is left out',
  },
  noData: { code: 'MW2854', severity: 'info', summary: 'VPC Flow Logs records with log-status NODATA or SKIPDATA carry no flow' },
  badTime: { code: 'MW2855', severity: 'warning', summary: 'a flow time cannot be read; the record is kept without a time' },
} as const satisfies Record<string, CodeInfo>;
