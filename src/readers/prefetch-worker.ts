/**
 * The read-ahead's own thread (see `prefetch.ts`): reads and inflates the files it is sent, one after another, and
 * hands each back as a transferred buffer (no copy). Only `fs` and `zlib` run here, synchronously, so the scanning
 * thread spends nothing on either.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parentPort } from 'node:worker_threads';
import { gunzipOptions, type PrefetchReply, type PrefetchRequest } from './prefetch.js';

const port = parentPort;
if (!port) throw new Error('prefetch-worker.js runs as a worker thread');

/** The file's bytes if it still holds exactly `size` of them. */
function readExactly(path: string, size: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(size + 1); // one byte more, to notice a file that grew
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === size ? buf.subarray(0, size) : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * An ArrayBuffer starting with `b`, safe to transfer: `b`'s own when `b` starts it and it is not much larger (zlib's
 * output chunk is the recorded size plus a little), a copy otherwise (a small buffer may share Node's pool).
 */
function own(b: Buffer): ArrayBuffer {
  const ab = b.buffer;
  if (ab instanceof ArrayBuffer && b.byteOffset === 0 && ab.byteLength >= 64 * 1024 && ab.byteLength - b.length <= 64 * 1024) return ab;
  const copy = new ArrayBuffer(b.length);
  new Uint8Array(copy).set(b);
  return copy;
}

port.on('message', (req: PrefetchRequest) => {
  let reply: PrefetchReply;
  try {
    const raw = readExactly(req.path, req.size);
    if (raw === undefined) {
      reply = { index: req.index };
    } else {
      const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
      const out = gzip ? gunzipSync(raw, gunzipOptions(raw)) : raw;
      reply = { index: req.index, bytes: own(out), length: out.length, bytesIn: raw.length, gzip };
    }
  } catch {
    reply = { index: req.index }; // the streaming path will read it and say what is wrong
  }
  port.postMessage(reply, reply.bytes ? [reply.bytes] : []);
});
