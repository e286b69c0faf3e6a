/**
 * The network analytics (DESIGN.md §2 "analytic"): detection over packet captures and flow records that is not a
 * field match. Each observes events during a scan and reports findings at the end; `buildFindingAlert` turns them
 * into alerts with the same output contract as rule alerts. `correlateControlPlane` then links mirroring changes
 * with the traffic they caused.
 *
 * | analytic | reads | raises |
 * |---|---|---|
 * | mirror stream (`mirror-stream.ts`) | capture tunnels and L3 copies, Zeek tunnel.log + conn.log | high |
 * | shadow flows (`shadow-flow.ts`) | NetFlow (nfdump), Zeek conn.log — never VPC Flow Logs | high / medium |
 * | new destination (`new-destination.ts`) | every flow source and capture conversations | low / medium |
 * | beaconing (`beacon.ts`) | every flow source and capture conversations | low / medium |
 * | protocol mismatch (`protocol-mismatch.ts`) | capture conversations and tunnels | medium |
 */
import type { Analytic } from '../detect/analytic.js';
import { MemoryBaseline, type FirstSeenBaseline } from './baseline.js';
import { createBeaconAnalytic } from './beacon.js';
import { ApprovedCollectors } from './collectors.js';
import { createMirrorStreamAnalytic } from './mirror-stream.js';
import { createNewDestinationAnalytic } from './new-destination.js';
import { createProtocolMismatchAnalytic } from './protocol-mismatch.js';
import { createShadowFlowAnalytic } from './shadow-flow.js';

/** Options of the network analytics. */
export interface NetworkAnalyticsOptions {
  /** Approved collectors (default: none, so every mirror destination is unapproved). */
  collectors?: ApprovedCollectors;
  /** First-seen baseline (default: in memory, learning from the scan's own data). */
  baseline?: FirstSeenBaseline;
  /** New-destination learning period (ms) and least volume (bytes). */
  learningMs?: number;
  minNewDestinationBytes?: number;
}

/** Creates a fresh set of the network analytics for one scan. */
export function createNetworkAnalytics(options: NetworkAnalyticsOptions = {}): Analytic[] {
  const collectors = options.collectors ?? ApprovedCollectors.none();
  return [
    createMirrorStreamAnalytic(collectors),
    createShadowFlowAnalytic(collectors),
    createNewDestinationAnalytic({ baseline: options.baseline ?? new MemoryBaseline(), learningMs: options.learningMs, minBytes: options.minNewDestinationBytes }),
    createBeaconAnalytic(),
    createProtocolMismatchAnalytic(),
  ];
}

export { ApprovedCollectors, loadCollectors, parseCollectors, type CollectorEntry } from './collectors.js';
export { correlateControlPlane, CONTROL_PLANE_WINDOW_MS } from './control-plane.js';
export { MemoryBaseline, type FirstSeenBaseline } from './baseline.js';
