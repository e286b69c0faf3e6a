/**
 * The read-ahead's own thread (see `prefetch.ts`): reads and inflates the files it is sent, one after another, and
 * hands each back as a transferred buffer (no copy). Only `fs` and `zlib` run here, synchronously, so the scanning
 * thread spends nothing on either.
 */
import { isAscii } from 'node:buffer';
import { parentPort } from 'node:worker_threads';
import { fetchWholeSync, type PrefetchReply, type PrefetchRequest } from './prefetch.js';

const port = parentPort;
if (!port) throw new Error('prefetch-worker.js runs as a worker thread');

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
  // Undefined: the streaming path will read the file and say what is wrong with it, if anything.
  const got = fetchWholeSync(req.path, req.size);
  // The ASCII check (SIMD, a fraction of a millisecond per megabyte) is done here, off the scanning thread.
  const reply: PrefetchReply = got ? { index: req.index, bytes: own(got.bytes), length: got.bytes.length, bytesIn: got.bytesIn, gzip: got.gzip, ascii: isAscii(got.bytes) } : { index: req.index };
  port.postMessage(reply, reply.bytes ? [reply.bytes] : []);
});
