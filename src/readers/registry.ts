/**
 * The reader registry: every format mirrorwatch reads, in the order they are asked to sniff a file. The CloudTrail
 * digest reader comes first so that digest files are skipped quietly before any other reader looks at them; the
 * JSON readers and the flow-log readers come before syslog, whose sniffer is the most tolerant. Binary readers
 * (packet captures) are asked first, on the decompressed bytes, by the scan engine.
 */
import { azureActivityReader } from './azure-activity.js';
import { cloudtrailDigestReader, cloudtrailReader } from './cloudtrail.js';
import { gcpAuditReader } from './gcp-audit.js';
import { nfdumpReader } from './netflow.js';
import { pcapngReader, pcapReader } from './pcap.js';
import { simulationManifestReader } from './simulation-manifest.js';
import { syslogReader } from './syslog.js';
import { tuningFileReader } from './tuning-file.js';
import type { AnyFormatReader, BinaryFormatReader, FormatReader } from './types.js';
import { vpcFlowReader } from './vpc-flow.js';
import { zeekReader } from './zeek.js';

/** All text readers, in sniffing order. */
export const READERS: readonly FormatReader[] = [
  cloudtrailDigestReader,
  simulationManifestReader,
  tuningFileReader,
  cloudtrailReader,
  azureActivityReader,
  gcpAuditReader,
  zeekReader,
  vpcFlowReader,
  nfdumpReader,
  syslogReader,
];

/** Binary readers (packet captures), recognised by magic bytes before any text decoding. */
export const BINARY_READERS: readonly BinaryFormatReader[] = [pcapReader, pcapngReader];

/** Every reader, binary and text: what `scan` runs. */
export const ALL_READERS: readonly AnyFormatReader[] = [...BINARY_READERS, ...READERS];
