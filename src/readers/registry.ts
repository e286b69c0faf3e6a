/**
 * The reader registry: every format mirrorwatch reads, in the order they are asked to sniff a file. The CloudTrail
 * digest reader comes first so that digest files are skipped quietly before any other reader looks at them; the
 * JSON readers come before syslog, whose sniffer is the most tolerant.
 */
import { azureActivityReader } from './azure-activity.js';
import { cloudtrailDigestReader, cloudtrailReader } from './cloudtrail.js';
import { gcpAuditReader } from './gcp-audit.js';
import { syslogReader } from './syslog.js';
import type { FormatReader } from './types.js';

/** All readers, in sniffing order. */
export const READERS: readonly FormatReader[] = [
  cloudtrailDigestReader,
  cloudtrailReader,
  azureActivityReader,
  gcpAuditReader,
  syslogReader,
];
