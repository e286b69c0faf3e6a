/**
 * The output directory of a simulation: files written whole (gzip on the libuv thread pool, several at a time, so
 * compression of a large corpus runs in parallel while records are still being generated) or appended line by line
 * with back-pressure; every file's path, format, record count and size are remembered for the manifest, and the
 * place where each scenario record landed (`ref` → file and line or record index).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

/**
 * Compression level of `.json.gz` files. Level 3 compresses CloudTrail JSON to about 13% at twice the speed of
 * zlib's default 6 (about 10%), which matters for a 500 MB corpus; readers see ordinary gzip either way.
 */
const GZIP_LEVEL = 3;

/** Gzip jobs in flight at once (the default libuv pool has four threads). */
const MAX_IN_FLIGHT = 4;

/** A file the simulation wrote. */
export interface WrittenFile {
  /** Path relative to the output directory, with `/` separators. */
  path: string;
  /** The format a reader will recognise. */
  format: 'cloudtrail' | 'azure-activity' | 'gcp-audit' | 'syslog' | 'nxos-accounting' | 'tacacs-accounting';
  records: number;
  /** Uncompressed size in bytes. */
  bytes: number;
  /** Size on disk when compressed. */
  compressedBytes?: number;
}

/** Where a record landed: a file and its 1-based line, or its 0-based index inside a container. */
export interface RecordLocation {
  file: string;
  line?: number;
  record?: number;
}

/** An appendable text file; line numbers are assigned at once, in call order, even while the file is opening. */
export class AppendFile {
  private stream: WriteStream | undefined;
  private opening: Promise<void> | undefined;
  private queued: string[] = [];
  lines = 0;
  /** Records written (a line may hold several, as an Event Hub body does). */
  records = 0;
  bytes = 0;
  lastTimeMs = 0;

  constructor(
    private readonly out: OutputDir,
    readonly path: string,
  ) {}

  /**
   * Appends one line (without its newline). Returns its 1-based number, and a promise when the caller should wait
   * before writing more (the file is being created, or the stream's buffer is full).
   */
  write(text: string, timeMs: number, records = 1): { line: number; wait?: Promise<void> } {
    this.lines++;
    this.records += records;
    const chunk = `${text}\n`;
    this.bytes += Buffer.byteLength(chunk);
    if (timeMs > this.lastTimeMs) this.lastTimeMs = timeMs;
    if (!this.stream) {
      this.queued.push(chunk);
      this.opening ??= this.openStream();
      return { line: this.lines, wait: this.opening };
    }
    if (this.stream.write(chunk)) return { line: this.lines };
    const s = this.stream;
    return { line: this.lines, wait: new Promise<void>((resolve) => s.once('drain', () => resolve())) };
  }

  private async openStream(): Promise<void> {
    const full = this.out.abs(this.path);
    await mkdir(dirname(full), { recursive: true });
    const stream = createWriteStream(full, { encoding: 'utf8' });
    for (const c of this.queued) stream.write(c);
    this.queued = [];
    this.stream = stream;
  }

  /** Closes the file and sets its modification time to its last record (RFC 3164 year inference reads it). */
  async close(mtimeMs?: number): Promise<void> {
    if (this.opening) await this.opening;
    const s = this.stream;
    if (!s) return;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.end(() => resolve());
    });
    const when = new Date(mtimeMs ?? this.lastTimeMs + 1000);
    await utimes(this.out.abs(this.path), when, when);
  }
}

/** The output directory. */
export class OutputDir {
  readonly files: WrittenFile[] = [];
  readonly locations = new Map<string, RecordLocation>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;

  constructor(readonly root: string) {}

  /** The absolute path of a relative output path. */
  abs(rel: string): string {
    return join(this.root, ...rel.split('/'));
  }

  /** Remembers where a scenario record landed. */
  locate(ref: string | undefined, loc: RecordLocation): void {
    if (ref !== undefined) this.locations.set(ref, loc);
  }

  /** Records a finished file for the manifest. */
  addFile(f: WrittenFile): void {
    this.files.push(f);
  }

  /**
   * Writes a whole file, gzip-compressed when `compress` is set, in the background; waits only when too many writes
   * are already in flight. `finish` waits for the rest.
   */
  async writeWhole(rel: string, text: string, meta: Omit<WrittenFile, 'path' | 'bytes' | 'compressedBytes'>, compress: boolean, mtimeMs: number): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    const file: WrittenFile = { path: rel, ...meta, bytes: Buffer.byteLength(text) };
    this.files.push(file);
    const job = (async () => {
      const full = this.abs(rel);
      await mkdir(dirname(full), { recursive: true });
      // Large output chunks: fewer round trips between the zlib thread and the main thread.
      const data = compress ? await gzip(text, { level: GZIP_LEVEL, chunkSize: 1 << 20 }) : text;
      if (compress) file.compressedBytes = data.length;
      await writeFile(full, data);
      const when = new Date(mtimeMs);
      await utimes(full, when, when);
    })().catch((err: Error) => {
      this.failure ??= err;
    });
    const tracked = job.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Waits for every background write; rethrows the first write error. */
  async finish(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    if (this.failure) throw this.failure;
    this.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
