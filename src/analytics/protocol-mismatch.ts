/**
 * Protocol/port mismatch (payload): "traffic that does not follow the expected protocol for the port" (ATT&CK
 * DET0403). Reads capture events:
 * - conversations on DNS (53), TLS (443/TCP), HTTP (80/TCP) and SSH (22/TCP) whose first payload does not parse as
 *   that protocol (the check itself is in the reader, `pcap/payload.ts`; TCP is judged only from the first segment
 *   after a handshake the capture saw, so a capture that starts mid-stream raises nothing);
 * - tunnel headers on ports that are not tunnel ports: a VXLAN or GENEVE header, followed by a well-formed frame,
 *   on a UDP port other than 4789, 8472, 4790, 6081 (Azure vTAP allows any destination port; an attacker may pick
 *   one that blends in).
 * One finding per server address, port and protocol (level medium), listing the clients and the first reason.
 */
import type { Event } from '../core/event.js';
import type { Analytic, AnalyticFinding, AnalyticInfo } from '../detect/analytic.js';
import { bytesText, EvidenceList, isoOf, listText, plural, REFERENCES, TAGS } from './common.js';

/** The analytic's metadata. */
export const PROTOCOL_MISMATCH_INFO: AnalyticInfo = {
  id: '9225fcc3-535d-4038-bb1c-b816d402dab2',
  title: 'Traffic That Does Not Follow the Protocol of Its Port',
  description:
    'Payload on a well-known port (DNS 53, TLS 443, HTTP 80, SSH 22) that does not parse as that protocol, or a tunnel header (VXLAN, GENEVE) on a port that is not a tunnel port: traffic hidden behind a port it does not belong to, such as a mirror stream sent to an innocuous port.',
  level: 'medium',
  tags: TAGS,
  references: REFERENCES,
  falsepositives: ['Services deliberately run on another protocol\'s port (SSH on 443, HTTP on 22)', 'Protocol extensions the checks do not know'],
};

const LABEL: Record<string, string> = { dns: 'DNS', tls: 'TLS', http: 'HTTP', ssh: 'SSH' };

interface Group {
  server: string;
  port: number;
  proto: string;
  expected: string;
  clients: Set<string>;
  reasons: string[];
  heads: string[];
  evidence: EvidenceList;
  firstMs: number;
  lastMs: number;
  bytes: number;
}

/** Creates the analytic. */
export function createProtocolMismatchAnalytic(): Analytic {
  const groups = new Map<string, Group>();
  const tunnels: Event[] = [];
  return {
    info: PROTOCOL_MISMATCH_INFO,
    datasets: ['network.pcap'],
    observe(ev: Event): void {
      const f = ev.fields;
      if (f._path === 'tunnel') {
        if (f.standard_port === false) tunnels.push(ev);
        return;
      }
      if (f._path !== 'conn' || f.app_verdict !== 'mismatch') return;
      const expected = String(f.app_expected);
      const origIsClient = Number(f['id.resp_p']) === (expected === 'dns' ? 53 : expected === 'tls' ? 443 : expected === 'http' ? 80 : 22);
      const server = String(origIsClient ? f['id.resp_h'] : f['id.orig_h']);
      const port = Number(origIsClient ? f['id.resp_p'] : f['id.orig_p']);
      const client = String(origIsClient ? f['id.orig_h'] : f['id.resp_h']);
      const key = `${server}|${port}|${f.proto}|${expected}`;
      let g = groups.get(key);
      if (!g) {
        g = { server, port, proto: String(f.proto).toUpperCase(), expected, clients: new Set(), reasons: [], heads: [], evidence: new EvidenceList(), firstMs: ev.timeMs, lastMs: ev.timeMs, bytes: 0 };
        groups.set(key, g);
      }
      g.clients.add(client);
      if (g.reasons.length < 5 && typeof f.app_reason === 'string' && !g.reasons.includes(f.app_reason)) g.reasons.push(f.app_reason);
      if (g.heads.length < 5 && typeof f.app_head === 'string' && !g.heads.includes(f.app_head)) g.heads.push(f.app_head);
      g.evidence.add(ev);
      g.firstMs = Math.min(g.firstMs, ev.timeMs);
      g.lastMs = Math.max(g.lastMs, ev.timeMs);
      g.bytes += Number(f.orig_ip_bytes ?? 0) + Number(f.resp_ip_bytes ?? 0);
    },
    finish(): AnalyticFinding[] {
      const out: AnalyticFinding[] = [];
      for (const g of groups.values()) {
        const label = LABEL[g.expected] ?? g.expected;
        const clients = [...g.clients];
        out.push({
          analytic: PROTOCOL_MISMATCH_INFO,
          events: g.evidence.events,
          count: g.evidence.count,
          message:
            `${plural(g.evidence.count, 'conversation')} with ${g.server} on ${g.proto}/${g.port} (${label}) did not speak ${label}: ${g.reasons[0]}` +
            ` — from ${listText(clients, 3)}, ${bytesText(g.bytes)} in all.`,
          details: {
            kind: 'payload',
            server: g.server,
            port: g.port,
            transport: g.proto.toLowerCase(),
            expected_protocol: g.expected,
            clients: clients.slice(0, 20),
            clients_total: clients.length,
            conversations: g.evidence.count,
            reasons: g.reasons,
            first_bytes: g.heads,
            bytes: g.bytes,
            first: isoOf(g.firstMs),
            last: isoOf(g.lastMs),
          },
          riskFactors: [{ name: 'protocol-mismatch', weight: 25, evidence: `${g.proto}/${g.port}: ${g.reasons[0]}` }],
        });
      }
      for (const ev of tunnels) {
        const f = ev.fields;
        const port = Number(f['id.resp_p']);
        out.push({
          analytic: PROTOCOL_MISMATCH_INFO,
          events: [ev],
          count: 1,
          message:
            `${String(f['id.orig_h'])} sends ${String(f.encapsulation_name)} to ${String(f['id.resp_h'])} on UDP/${port}, which is not a tunnel port` +
            `${typeof f.vni === 'number' ? ` (VNI ${f.vni})` : ''}: ${plural(Number(f.packets), 'packet')}, ${bytesText(Number(f.ip_bytes))} of tunnelled frames behind a port that does not announce them.`,
          details: {
            kind: 'tunnel-port',
            source: f['id.orig_h'],
            destination: f['id.resp_h'],
            port,
            encapsulation: f.encapsulation,
            ...(typeof f.vni === 'number' ? { vni: f.vni } : {}),
            packets: f.packets,
            bytes: f.ip_bytes,
            first: ev.time,
            last: f.last_ts,
            expected_ports: [4789, 8472, 4790, 6081],
          },
          riskFactors: [{ name: 'tunnel-on-unexpected-port', weight: 25, evidence: `${String(f.encapsulation_name)} on UDP/${port}` }],
        });
      }
      return out;
    },
  };
}
