/**
 * One HTTP POST with Node's own `http`/`https` (no dependency): keep-alive connections, a timeout, and the response
 * read whole (bounded). Network failures are returned as values, never thrown, so that the batcher can retry them.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The response, or what went wrong on the way. */
export type PostResult =
  | { kind: 'response'; status: number; headers: Record<string, string | string[] | undefined>; body: string }
  | { kind: 'network'; reason: string };

/** How to reach the collector. */
export interface PostTarget {
  url: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Accept any TLS certificate (self-signed Splunk HEC certificates, lab clusters). */
  insecure: boolean;
}

/** Response bodies are read up to this size (collectors answer with short JSON; a bulk response lists every item). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A keep-alive client for one collector. */
export class HttpClient {
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(private readonly target: PostTarget) {
    this.agent =
      target.url.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: !target.insecure })
        : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  }

  /** POSTs a body. */
  post(body: string): Promise<PostResult> {
    const { url } = this.target;
    const data = Buffer.from(body, 'utf8');
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: PostResult) => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const req = send(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...this.target.headers, 'Content-Length': String(data.length) },
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
          });
          res.on('end', () => done({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => done({ kind: 'network', reason: err.message }));
        },
      );
      req.setTimeout(this.target.timeoutMs, () => {
        req.destroy(new Error(`no response within ${this.target.timeoutMs} ms`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => done({ kind: 'network', reason: err.code ? `${err.code} ${err.message}` : err.message }));
      req.end(data);
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }
}
