/**
 * The packet-capture readers (`pcap` and `pcapng`, gzipped or not): recognised by their magic bytes, streamed, and
 * turned into `network.pcap` events — one per conversation, per tunnel and per plain L3 copy stream — never one per
 * packet (see `pcap/flow-table.ts` for what is aggregated and `pcap/events.ts` for the fields).
 */
import { basename } from 'node:path';
import { CaptureReader } from './pcap/capture-reader.js';
import { sniffContainer, type ContainerKind } from './pcap/container.js';
import { conversationEvent, copyEvent, tunnelEvent } from './pcap/events.js';
import type { BinaryFileReader, BinaryFormatReader, BinaryReadContext } from './types.js';

/** A short, stable tag for uids: the file's base name. */
function fileTag(file: string): string {
  return basename(file).replace(/[^A-Za-z0-9._-]/g, '_');
}

function open(kind: ContainerKind, ctx: BinaryReadContext): BinaryFileReader {
  const tag = fileTag(ctx.file);
  let conns = 0;
  const reader = new CaptureReader(kind, ctx.file, { conversations: true }, (c) => ctx.emit(conversationEvent(c, ctx.file, `${tag}#C${++conns}`)), ctx.report);
  return {
    push: (bytes) => reader.push(bytes),
    end: () => {
      reader.end();
      let n = 0;
      for (const t of reader.table.tunnels.values()) ctx.emit(tunnelEvent(t, ctx.file, `${tag}#T${++n}`));
      n = 0;
      for (const s of reader.table.copies.values()) ctx.emit(copyEvent(s, reader.table.arp, ctx.file, `${tag}#L${++n}`));
    },
  };
}

function reader(kind: ContainerKind): BinaryFormatReader {
  return {
    kind: 'binary',
    format: kind,
    datasets: ['network.pcap'],
    sniffBytes: (head) => (sniffContainer(head) === kind ? { kind: 'read' } : { kind: 'no' }),
    open: (ctx) => open(kind, ctx),
  };
}

/** Classic libpcap files (tcpdump `-w`, microsecond and nanosecond, either byte order). */
export const pcapReader: BinaryFormatReader = reader('pcap');

/** pcapng files (Wireshark, dumpcap, tshark `-w`). */
export const pcapngReader: BinaryFormatReader = reader('pcapng');
