/**
 * The AWS VPC Flow Logs reader (`network.flow`, product `aws`, service `vpcflowlogs`): space-separated records as
 * delivered to S3 (`AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/*.log.gz`, first line a header naming the
 * fields, default or custom format) or exported from CloudWatch Logs without a header (then the default version 2
 * format is assumed). Source: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html — default
 * fields `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action
 * log-status`, `-` for a field with no value, `start`/`end` in Unix seconds, `log-status` OK / NODATA / SKIPDATA
 * (shared reference formats.md §1.7). Records keep their own field names; numbers become numbers.
 *
 * VPC Flow Logs never record traffic that Traffic Mirroring copies (AWS "Traffic Mirroring limitations", shared
 * reference network.md §2.1): the VXLAN stream to a mirror target is invisible here. These records serve the
 * new-destination and beacon analytics, never the mirror-stream or shadow-flow ones.
 */
import type { Event, RawRecord } from '../core/event.js';
import { FLOW } from './pcap/diagnostic-codes.js';
import { FlowLines, headLines } from './pcap/flow-lines.js';
import type { FileReader, FormatReader, ReadContext, SniffResult } from './types.js';

/** The default (version 2) format. */
export const VPC_DEFAULT_FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];

/** Fields holding numbers (the rest stay strings). */
const NUMERIC = new Set(['version', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'tcp-flags', 'traffic-path']);

/** Every field name AWS documents (versions 2–8); a header made of these is a VPC Flow Logs header. */
const KNOWN_FIELDS = new Set([
  ...VPC_DEFAULT_FIELDS,
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
  'ecs-cluster-arn',
  'ecs-cluster-name',
  'ecs-container-instance-arn',
  'ecs-container-instance-id',
  'ecs-container-id',
  'ecs-second-container-id',
  'ecs-service-name',
  'ecs-task-definition-arn',
  'ecs-task-arn',
  'ecs-task-id',
  'reject-reason',
]);

/** A header line: every token a documented field name (`${…}` as written in a format string is accepted too). */
function headerFields(line: string): string[] | undefined {
  const tokens = line.trim().split(/\s+/).map((t) => t.replace(/^\$\{(.*)\}$/, '$1'));
  if (tokens.length < 3 || !tokens.includes('srcaddr') || !tokens.includes('dstaddr')) return undefined;
  return tokens.every((t) => KNOWN_FIELDS.has(t)) ? tokens : undefined;
}

/** A default-format record: version 2, an account or `unknown`, an interface or `-`, … ACCEPT/REJECT, a status. */
const DEFAULT_RECORD = /^2 (?:\d{12}|unknown|-) (?:eni-[0-9a-f]+|-|\S+) \S+ \S+ (?:\d+|-) (?:\d+|-) (?:\d+|-) (?:\d+|-) (?:\d+|-) \d+ \d+ (?:ACCEPT|REJECT|-) (?:OK|NODATA|SKIPDATA)$/;

function sniff(head: string): SniffResult {
  const lines = headLines(head, 3);
  if (lines.length === 0) return { kind: 'no' };
  if (headerFields(lines[0])) return { kind: 'read' };
  const complete = lines.length > 1 ? lines.slice(0, -1) : lines;
  return complete.length > 0 && complete.every((l) => DEFAULT_RECORD.test(l.trim())) ? { kind: 'read' } : { kind: 'no' };
}

/** The VPC Flow Logs reader. */
export const vpcFlowReader: FormatReader = {
  format: 'vpc-flow',
  datasets: ['network.flow'],
  // The network analytics must see every record: the rule prefilter does not apply.
  prefilterable: false,
  sniff,
  open(ctx: ReadContext): FileReader {
    const lines = new FlowLines(ctx.file, ctx.options.maxRecordChars, ctx.report, ctx.emit);
    let fields: string[] | undefined;
    let noData = 0;
    return {
      push: (text) => lines.push(text),
      end: () => lines.end(),
      parse(rec: RawRecord): Event[] {
        const text = rec.text.trim();
        if (fields === undefined) {
          const h = headerFields(text);
          fields = h ?? VPC_DEFAULT_FIELDS;
          if (h) return [];
        } else if (headerFields(text)) {
          // Concatenated files each start with their own header.
          fields = headerFields(text);
          return [];
        }
        const values = text.split(/\s+/);
        const cols = fields as string[];
        if (values.length !== cols.length) {
          ctx.report({ code: FLOW.badRecord.code, severity: 'error', message: `VPC flow record has ${values.length} fields, the header names ${cols.length}`, file: ctx.file, line: rec.origin.line });
          return [];
        }
        const record: Record<string, unknown> = {};
        for (let i = 0; i < cols.length; i++) {
          const v = values[i];
          if (v === '-') continue;
          if (NUMERIC.has(cols[i])) {
            const n = Number(v);
            if (!Number.isFinite(n)) {
              ctx.report({ code: FLOW.badRecord.code, severity: 'error', message: `VPC flow field ${cols[i]} is not a number: ${JSON.stringify(v)}`, file: ctx.file, line: rec.origin.line });
              return [];
            }
            record[cols[i]] = n;
          } else record[cols[i]] = v;
        }
        const status = record['log-status'];
        if (status === 'NODATA' || status === 'SKIPDATA' || record.srcaddr === undefined) {
          noData++;
          return [];
        }
        const start = typeof record.start === 'number' ? record.start * 1000 : NaN;
        return [
          {
            dataset: 'network.flow',
            logsource: { category: 'network_traffic', product: 'aws', service: 'vpcflowlogs' },
            raw: rec.text,
            fields: record,
            time: Number.isNaN(start) ? '' : new Date(start).toISOString(),
            timeMs: start,
            origin: rec.origin,
            recordKey: `vpc|${text}`,
            actionKey: `vpc|${text}`,
          },
        ];
      },
      flush(): Event[] {
        if (noData > 0) {
          ctx.report({ code: FLOW.noData.code, severity: 'info', message: `${noData} record(s) with log-status NODATA or SKIPDATA (no flow to read)`, file: ctx.file });
        }
        return [];
      },
    };
  },
};
