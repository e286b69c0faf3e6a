/**
 * Control plane + traffic (ATT&CK AN1131 for IaaS, AN1132 for network devices): a mirroring API call or device
 * configuration followed, within a time window, by traffic to that mirror's destination is stronger evidence than
 * either alone, so the severity of both alerts goes up one level (high → critical) and each names the other.
 *
 * Runs after every alert is built, on the alert documents: the control side is a rule alert whose mirror details
 * (`mirrorwatch.mirror`, `src/enrich/mirror.ts`) describe a mirror being created, modified or configured (not a
 * denied, failed or dry-run call, not a read or a removal); the traffic side is a mirror-stream or shadow-flow
 * finding. They belong together when, and the traffic first appears within `[control − 60 s, control + window]`
 * (60 s of clock skew between a cloud API and a capture):
 * - the device's ERSPAN/GRE destination address is the stream's collector (and, when both say it, the ERSPAN
 *   session id or erspan-id matches, and the device's origin address is the stream's source); or
 * - the AWS session's VXLAN network identifier (`VirtualNetworkId`) is the stream's VNI (the collector address is
 *   not in CloudTrail: targets are ENI ids or load-balancer ARNs); or
 * - any other mirror destination written as an IP address equals the collector.
 * AN1131 names VPC Flow Logs as the traffic side; they never record mirrored traffic (AWS Traffic Mirroring
 * limitations), so only captures, Zeek and NetFlow findings take part.
 */
import type { AlertDocument, Level } from '../core/alert.js';
import { LEVELS, SEVERITY_NUMBERS } from '../core/alert.js';
import { MIRROR_STREAM_INFO } from './mirror-stream.js';
import { SHADOW_FLOW_INFO } from './shadow-flow.js';

/** Default window after a control-plane change in which traffic to its destination confirms it (AN1131 `TimeWindow`). */
export const CONTROL_PLANE_WINDOW_MS = 15 * 60_000;
/** Clock skew allowed before the change. */
const SKEW_MS = 60_000;

interface ControlSide {
  alert: AlertDocument;
  ms: number;
  destinationIp?: string;
  origin?: string;
  vni?: number;
  erspanId?: number;
}

interface TrafficSide {
  alert: AlertDocument;
  ms: number;
  collector?: string;
  source?: string;
  vni?: number;
  session?: number;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function isIp(s: unknown): s is string {
  return typeof s === 'string' && (IPV4.test(s) || (s.includes(':') && /^[0-9a-f:.]+$/i.test(s)));
}

function controlSide(a: AlertDocument): ControlSide | undefined {
  const m = a.mirrorwatch.mirror as
    | { operation?: string; outcome?: string; destination?: { kind?: string; id?: string; origin?: string }; vni?: number; erspanId?: number }
    | undefined;
  if (!m) return undefined;
  if (!['create', 'modify', 'configure'].includes(m.operation ?? '')) return undefined;
  if (m.outcome === 'failure' || m.outcome === 'denied' || m.outcome === 'dry-run') return undefined;
  const ms = Date.parse(a['@timestamp']);
  if (Number.isNaN(ms)) return undefined;
  const dest = m.destination?.id;
  const side: ControlSide = {
    alert: a,
    ms,
    ...(isIp(dest) ? { destinationIp: dest } : {}),
    ...(isIp(m.destination?.origin) ? { origin: m.destination?.origin } : {}),
    ...(typeof m.vni === 'number' ? { vni: m.vni } : {}),
    ...(typeof m.erspanId === 'number' ? { erspanId: m.erspanId } : {}),
  };
  return side.destinationIp !== undefined || side.vni !== undefined ? side : undefined;
}

function trafficSide(a: AlertDocument): TrafficSide | undefined {
  const id = (a.rule as { id?: string }).id;
  if (id !== MIRROR_STREAM_INFO.id && id !== SHADOW_FLOW_INFO.id) return undefined;
  const d = (a.mirrorwatch.analytic ?? {}) as { collector?: string; source?: string; vni?: number; erspan_session?: number; first?: string };
  const ms = Date.parse(d.first ?? a['@timestamp']);
  if (Number.isNaN(ms)) return undefined;
  return {
    alert: a,
    ms,
    ...(isIp(d.collector) ? { collector: d.collector } : {}),
    ...(isIp(d.source) ? { source: d.source } : {}),
    ...(typeof d.vni === 'number' ? { vni: d.vni } : {}),
    ...(typeof d.erspan_session === 'number' ? { session: d.erspan_session } : {}),
  };
}

/** Why a control-plane alert and a traffic alert belong together, or undefined. */
function link(c: ControlSide, t: TrafficSide, windowMs: number): string | undefined {
  if (t.ms < c.ms - SKEW_MS || t.ms > c.ms + windowMs) return undefined;
  if (c.destinationIp !== undefined && t.collector !== undefined && c.destinationIp === t.collector) {
    if (c.erspanId !== undefined && t.session !== undefined && c.erspanId !== t.session) return undefined;
    if (c.origin !== undefined && t.source !== undefined && c.origin !== t.source) return undefined;
    const bits = [`destination ${t.collector}`];
    if (c.erspanId !== undefined && t.session !== undefined) bits.push(`ERSPAN session ${t.session}`);
    if (c.origin !== undefined && t.source !== undefined) bits.push(`origin ${t.source}`);
    return bits.join(', ');
  }
  if (c.vni !== undefined && t.vni !== undefined && c.vni === t.vni) return `VXLAN network identifier ${t.vni}`;
  return undefined;
}

function raise(level: Level): Level {
  return LEVELS[Math.min(LEVELS.indexOf(level) + 1, LEVELS.length - 1)];
}

function bump(a: AlertDocument, other: AlertDocument, why: string, seconds: number): void {
  const correlated = (a.mirrorwatch.correlated_with as unknown[] | undefined) ?? [];
  if (correlated.length === 0) {
    a.mirrorwatch.severity = raise(a.mirrorwatch.severity);
    const nums = SEVERITY_NUMBERS[a.mirrorwatch.severity];
    a.event.severity = nums.severity;
    a.event.risk_score = nums.risk;
  }
  correlated.push({
    id: (other.event as { id?: string }).id,
    rule: (other.rule as { name?: string }).name,
    '@timestamp': other['@timestamp'],
    message: other.message,
    why,
  });
  a.mirrorwatch.correlated_with = correlated;
  const when = seconds >= 0 ? `${seconds} s after the change` : `${-seconds} s before the change (clock skew)`;
  const first = correlated.length === 1;
  a.message = `${a.message.replace(/\.?$/, '.')} ${first ? 'Linked' : 'Also linked'} to "${String((other.rule as { name?: string }).name)}" at ${other['@timestamp']} (${why}; traffic ${when})${first ? ': severity raised one level' : ''}.`;
  a.mirrorwatch.risk_factors.push({
    name: 'control-plane-and-traffic',
    weight: 30,
    evidence: `${why}; traffic ${seconds >= 0 ? `${seconds} s after` : `${-seconds} s before`} the change`,
  });
}

/**
 * Links control-plane alerts with traffic alerts to the same mirror destination (see the module comment), raising
 * both one level. Changes the documents in place; returns how many links were made.
 */
export function correlateControlPlane(alerts: AlertDocument[], windowMs = CONTROL_PLANE_WINDOW_MS): number {
  const controls = alerts.map(controlSide).filter((x): x is ControlSide => x !== undefined);
  const traffic = alerts.map(trafficSide).filter((x): x is TrafficSide => x !== undefined);
  let links = 0;
  for (const c of controls) {
    for (const t of traffic) {
      const why = link(c, t, windowMs);
      if (why === undefined) continue;
      const seconds = Math.round((t.ms - c.ms) / 1000);
      bump(c.alert, t.alert, why, seconds);
      bump(t.alert, c.alert, why, seconds);
      links++;
    }
  }
  return links;
}
