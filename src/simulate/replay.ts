/**
 * Records of a run as events to send (`simulate --send`): each record with its time, dataset, host and a label
 * (its natural key), device lines with their sequence numbers filled in as the file writer would.
 */
import type { OutboundEvent } from '../sinks/http-batcher.js';
import { SEQ, SEQ6, type DeviceOs } from './device-lines.js';
import type { SimRecord } from './types.js';

/** The dataset mirrorwatch gives a device's lines (the names of Elastic's integrations where one exists). */
function deviceDataset(rec: Extract<SimRecord, { kind: 'device' }>): string {
  if (rec.stream.kind === 'tacacs') return 'tacacs.accounting';
  if (rec.stream.kind === 'nxos-accounting') return 'cisco_nxos.log';
  const byOs: Record<DeviceOs, string> = { ios: 'cisco_ios.log', iosxr: 'cisco_iosxr.log', nxos: 'cisco_nxos.log', junos: 'juniper.log', eos: 'arista_eos.log' };
  return byOs[rec.os];
}

/** Converts records to outbound events, numbering device messages per host. */
export class Replay {
  private readonly seq = new Map<string, number>();

  /** The event of one record. */
  event(rec: SimRecord): OutboundEvent {
    switch (rec.kind) {
      case 'cloudtrail':
        return { timeMs: rec.timeMs, dataset: 'aws.cloudtrail', host: 'ec2.amazonaws.com', event: rec.record, label: `eventID ${String(rec.record.eventID)}` };
      case 'azure':
        return {
          timeMs: rec.timeMs,
          dataset: 'azure.activitylogs',
          host: 'management.azure.com',
          event: rec.record,
          label: `correlationId ${String(rec.record.correlationId)} ${String(rec.record.resultType)}`,
        };
      case 'gcp':
        return { timeMs: rec.timeMs, dataset: 'gcp.audit', host: 'compute.googleapis.com', event: rec.record, label: `insertId ${String(rec.record.insertId)}` };
      case 'device': {
        let line = rec.line;
        if (line.includes(SEQ)) {
          const n = (this.seq.get(rec.host) ?? 1000) + 1;
          this.seq.set(rec.host, n);
          line = line.replace(SEQ, String(n)).replace(SEQ6, String(n).padStart(6, '0'));
        }
        return { timeMs: rec.timeMs, dataset: deviceDataset(rec), host: rec.host, event: line, label: `${rec.host}: ${line.slice(0, 80)}` };
      }
    }
  }
}
