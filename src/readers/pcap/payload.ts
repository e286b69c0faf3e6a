/**
 * Does a conversation on a well-known port speak the protocol its port implies? ATT&CK's detection guidance for
 * T1020.001 (DET0403) names "traffic that does not follow the expected protocol for the port". Each check reads the
 * first payload of one direction (the start of the byte stream for TCP, one datagram for UDP) and answers `ok`,
 * `mismatch` with a reason, or `unknown` when too little was captured to tell.
 *
 * What each protocol must look like (facts from the RFCs):
 * - DNS (RFC 1035 §4.1; over TCP a 2-byte length prefix, RFC 7766 §8): a 12-byte header whose QR bit says query
 *   (client) or response (server), an opcode in use (0 query, 1 inverse, 2 status, 4 notify, 5 update — RFC 1035,
 *   1996, 2136; 6 DSO — RFC 8490), and, when QDCOUNT > 0, a question name of labels ≤ 63 bytes, ≤ 255 in all.
 * - TLS (RFC 8446 §5.1, RFC 5246 §6.2.1): records of content type 20–24 with legacy version 3.0–3.4; the client's
 *   first record is a handshake (22). An SSL 2.0-compatible ClientHello (RFC 5246 appendix E.2: a 2-byte length with
 *   the high bit set, then message type 1) is accepted.
 * - HTTP/1.x (RFC 9112 §3, §4): the client starts with a request line `METHOD SP target SP HTTP/x.y`, the server with
 *   `HTTP/x.y SP code`; HTTP/2 with prior knowledge starts with the preface `PRI * HTTP/2.0` (RFC 9113 §3.4).
 * - SSH (RFC 4253 §4.2): the client starts with `SSH-`; the server sends `SSH-` first or after other text lines.
 */

/** The application protocols checked. */
export type AppProtocol = 'dns' | 'tls' | 'http' | 'ssh';

/** Result of one check. */
export type PayloadVerdict = { kind: 'ok' } | { kind: 'mismatch'; reason: string } | { kind: 'unknown' };

const OK: PayloadVerdict = { kind: 'ok' };
const UNKNOWN: PayloadVerdict = { kind: 'unknown' };

/** The protocol a server port implies for TCP (6) or UDP (17), if it is one of those checked. */
export function expectedProtocol(ipProto: number, serverPort: number): AppProtocol | undefined {
  if (serverPort === 53 && (ipProto === 6 || ipProto === 17)) return 'dns';
  if (ipProto !== 6) return undefined;
  if (serverPort === 443) return 'tls';
  if (serverPort === 80) return 'http';
  if (serverPort === 22) return 'ssh';
  return undefined;
}

/** Checks the first payload of one direction. `complete` says the whole payload was captured. */
export function checkPayload(p: AppProtocol, buf: Buffer, off: number, len: number, fromClient: boolean, tcp: boolean, complete: boolean): PayloadVerdict {
  if (len <= 0) return UNKNOWN;
  switch (p) {
    case 'dns':
      return checkDns(buf, off, len, fromClient, tcp, complete);
    case 'tls':
      return checkTls(buf, off, len, fromClient);
    case 'http':
      return checkHttp(buf, off, len, fromClient);
    case 'ssh':
      return checkSsh(buf, off, len, fromClient);
  }
}

function mismatch(reason: string): PayloadVerdict {
  return { kind: 'mismatch', reason };
}

function checkDns(buf: Buffer, off: number, len: number, fromClient: boolean, tcp: boolean, complete: boolean): PayloadVerdict {
  let p = off;
  let end = off + len;
  if (tcp) {
    if (len < 2) return UNKNOWN;
    const msgLen = buf.readUInt16BE(p);
    if (msgLen < 12) return mismatch(`a DNS-over-TCP length prefix of ${msgLen} is shorter than a DNS header`);
    p += 2;
    end = Math.min(end, p + msgLen);
  }
  if (end - p < 12) return complete ? mismatch(`${end - p} bytes are too short for a DNS header (12)`) : UNKNOWN;
  const flags = buf.readUInt16BE(p + 2);
  const qr = flags >> 15;
  const opcode = (flags >> 11) & 0xf;
  const qd = buf.readUInt16BE(p + 4);
  if (fromClient && qr !== 0) return mismatch('the first message has the DNS response bit set');
  if (opcode !== 0 && opcode !== 1 && opcode !== 2 && opcode !== 4 && opcode !== 5 && opcode !== 6) return mismatch(`DNS opcode ${opcode} is not assigned`);
  if (fromClient && qd === 0 && opcode === 0) return mismatch('a DNS query without a question');
  if (qd > 16) return mismatch(`a DNS message claiming ${qd} questions`);
  if (qd === 0) return OK;
  // The first question name.
  let q = p + 12;
  let total = 0;
  for (let labels = 0; labels < 128; labels++) {
    if (q >= end) return complete ? mismatch('the DNS question name runs past the end of the message') : UNKNOWN;
    const l = buf[q];
    if (l === 0) {
      q++;
      if (end - q < 4) return complete ? mismatch('the DNS question has no type and class') : UNKNOWN;
      return OK;
    }
    if ((l & 0xc0) === 0xc0) return mismatch('a compression pointer in the first question name');
    if (l > 63) return mismatch(`a DNS label of ${l} bytes (at most 63)`);
    total += l + 1;
    if (total > 255) return mismatch('a DNS name longer than 255 bytes');
    q += l + 1;
  }
  return mismatch('a DNS name of more than 127 labels');
}

function checkTls(buf: Buffer, off: number, len: number, fromClient: boolean): PayloadVerdict {
  if (len < 3) return UNKNOWN;
  const type = buf[off];
  // SSL 2.0-compatible ClientHello.
  if (fromClient && type & 0x80 && buf[off + 2] === 1) return OK;
  if (type < 20 || type > 24) return mismatch(`the first byte 0x${hex2(type)} is not a TLS record type (20–24)`);
  if (buf[off + 1] !== 3 || buf[off + 2] > 4) return mismatch(`record version ${buf[off + 1]}.${buf[off + 2]} is not TLS (3.0–3.4)`);
  if (fromClient && type !== 22) return mismatch(`the first TLS record is type ${type}, not a handshake (22)`);
  if (len >= 5 && buf.readUInt16BE(off + 3) > 16384 + 2048) return mismatch('a TLS record longer than the protocol allows');
  return OK;
}

const METHOD = /^[A-Z][A-Z-]{1,19} [^\s]/;

function checkHttp(buf: Buffer, off: number, len: number, fromClient: boolean): PayloadVerdict {
  const head = buf.toString('latin1', off, off + Math.min(len, 512));
  if (fromClient) {
    if (head.startsWith('PRI * HTTP/2.0')) return OK;
    const line = head.split('\r\n', 1)[0].split('\n', 1)[0];
    if (!METHOD.test(line)) return len < 4 ? UNKNOWN : mismatch(`the first bytes ${printable(head)} are not an HTTP request line`);
    const parts = line.split(' ');
    if (parts.length >= 3 && !/^HTTP\/\d/.test(parts[2])) return mismatch(`the request line ${printable(line)} does not end in an HTTP version`);
    return OK;
  }
  if (head.startsWith('HTTP/')) return OK;
  if (len < 5 && 'HTTP/'.startsWith(head)) return UNKNOWN;
  return mismatch(`the first bytes ${printable(head)} are not an HTTP status line`);
}

function checkSsh(buf: Buffer, off: number, len: number, fromClient: boolean): PayloadVerdict {
  const head = buf.toString('latin1', off, off + Math.min(len, 1024));
  if (head.startsWith('SSH-')) return OK;
  if (len < 4 && 'SSH-'.startsWith(head)) return UNKNOWN;
  if (!fromClient && /(^|\n)SSH-/.test(head)) return OK;
  return mismatch(`the first bytes ${printable(head)} are not an SSH identification string`);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The first bytes for a message: printable ASCII as text, otherwise hex. */
export function printable(s: string): string {
  const cut = s.slice(0, 24);
  if (/^[\x20-\x7e\r\n\t]*$/.test(cut)) return JSON.stringify(cut);
  return `0x${Buffer.from(cut, 'latin1').toString('hex').slice(0, 32)}`;
}
