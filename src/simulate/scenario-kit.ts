/**
 * Helpers scenario definitions share: a plan under construction (records with refs, expected alerts, a clock that
 * moves forward the way a person at a keyboard does) and the AWS traffic-mirroring pipeline of the seed's Test 1
 * (target, filter, filter rules, sessions) with the alerts each step must raise.
 */
import {
  awsCliAgent,
  createFilter,
  createFilterRule,
  createSession,
  createTarget,
  type AwsActor,
  type CallOutcome,
  type FilterRuleSpec,
  type MirrorCall,
  type TargetDestination,
} from './aws-records.js';
import type { Device, DeviceLog } from './device-lines.js';
import { FAN_OUT_ENIS, type RuleKey } from './expected-rules.js';
import type { PlannedAlert, ScenarioContext, ScenarioPlan, SimRecord } from './types.js';

/** A plan under construction. */
export class Plan {
  readonly records: SimRecord[] = [];
  readonly expected: PlannedAlert[] = [];
  readonly devices: Device[] = [];
  private n = 0;
  /** The scenario's clock, in epoch ms. */
  t: number;

  constructor(readonly ctx: ScenarioContext) {
    // The first action comes a few minutes after the base time.
    this.t = ctx.startMs + ctx.rng.int(60, 240) * 1000;
  }

  /** Moves the clock on by `min`–`max` seconds (whole seconds plus a few milliseconds) and returns it. */
  step(min = 8, max = 40): number {
    this.t += this.ctx.rng.int(min, max) * 1000 + this.ctx.rng.int(0, 999);
    return this.t;
  }

  /** A fresh record ref. */
  ref(label: string): string {
    return `${label}#${++this.n}`;
  }

  /** Adds a CloudTrail record; returns its ref. */
  aws(record: Record<string, unknown>, timeMs: number, label: string, opts: { region?: string; redeliver?: boolean } = {}): string {
    const ref = this.ref(label);
    this.records.push({ kind: 'cloudtrail', timeMs, account: this.ctx.account, region: opts.region ?? this.ctx.region, record, ref, ...(opts.redeliver ? { redeliver: true } : {}) });
    return ref;
  }

  /** Adds the records of one Azure operation; returns the ref of its first record (all share its correlationId). */
  azure(records: { timeMs: number; record: Record<string, unknown> }[], label: string): string[] {
    return records.map((r) => {
      const ref = this.ref(label);
      this.records.push({ kind: 'azure', timeMs: r.timeMs, subscription: this.ctx.subscription, record: r.record, ref });
      return ref;
    });
  }

  /** Adds GCP entries (one call's first and last); returns their refs. */
  gcp(entries: { timeMs: number; record: Record<string, unknown> }[], label: string, logType: 'activity' | 'data_access' = 'activity'): string[] {
    return entries.map((e) => {
      const ref = this.ref(label);
      this.records.push({ kind: 'gcp', timeMs: e.timeMs, project: this.ctx.project, logType, record: e.record, ref });
      return ref;
    });
  }

  /** Adds the lines a device log collected (each line becomes a scenario record with a ref); returns the refs. */
  deviceLines(log: DeviceLog, label: string): string[] {
    const refs: string[] = [];
    for (const r of log.records) {
      if (r.kind !== 'device') continue;
      const ref = r.ref ?? this.ref(label);
      this.records.push({ ...r, ref });
      refs.push(ref);
    }
    log.records.length = 0;
    return refs;
  }

  /** Declares an alert mirrorwatch must raise. */
  expect(rule: RuleKey, mentions: string[], evidence: string[], why?: string): void {
    this.expected.push({ rule, mentions, evidence, ...(why ? { why } : {}) });
  }

  /** Registers a device the scenario uses. */
  device(d: Device): Device {
    if (!this.devices.some((x) => x.host === d.host)) this.devices.push(d);
    return d;
  }

  /** The finished plan. */
  done(extra: Partial<ScenarioPlan> = {}): ScenarioPlan {
    return { records: this.records, expected: this.expected, devices: this.devices, ...extra };
  }
}

/** An AWS caller whose user agent names each CLI command it runs. */
export type ActorFor = (command: string) => AwsActor;

/** A caller using the AWS CLI from one address. */
export function cliActor(identity: Record<string, unknown>, ip: string): ActorFor {
  return (command) => ({ identity, sourceIPAddress: ip, userAgent: awsCliAgent(command) });
}

/** A caller with a fixed user agent (console, SDK, Terraform, CloudFormation). */
export function fixedActor(actor: AwsActor): ActorFor {
  return () => actor;
}

/** A filter rule of a pipeline (the filter id is filled in). */
export type RuleSpec = Omit<FilterRuleSpec, 'filterId'>;

/** What a pipeline created. */
export interface PipelineIds {
  targetId: string;
  filterId: string;
  ruleIds: string[];
  sessionIds: string[];
  refs: { target: string; filter: string; rules: string[]; sessions: string[] };
}

/**
 * The seed's Test 1: `CreateTrafficMirrorTarget`, `CreateTrafficMirrorFilter`, `CreateTrafficMirrorFilterRule` for
 * each rule, then one `CreateTrafficMirrorSession` per source ENI, each step a few seconds after the last, each with
 * the alert it must raise (all mention the caller, and the created resource ids), and the alerts of the
 * correlations over them: the pipeline by one principal, and one fan-out alert per three source ENIs.
 */
export function awsPipeline(
  p: Plan,
  actor: ActorFor,
  o: {
    target: TargetDestination;
    rules: RuleSpec[];
    sources: string[];
    description?: string;
    /** Session numbers start here. */
    sessionNumber?: number;
    outcome?: CallOutcome;
    /** CloudTrail delivers the (first) session record twice. */
    redeliverSession?: boolean;
    /** Mentions every alert must also contain (the caller's name). */
    who: string[];
    why?: string;
  },
): PipelineIds {
  const { rng } = p.ctx;
  const call = (command: string): MirrorCall => ({ actor: actor(command), timeMs: p.step(), region: p.ctx.region, account: p.ctx.account });
  const t = createTarget(rng, call('ec2.create-traffic-mirror-target'), o.target, o.description);
  const targetRef = p.aws(t.record, p.t, 'aws-target');
  const destMention = o.target.kind === 'eni' ? o.target.eni : o.target.kind === 'nlb' ? o.target.arn : o.target.endpoint;
  p.expect('awsTarget', [...o.who, t.targetId, destMention], [targetRef], o.why);
  const f = createFilter(rng, call('ec2.create-traffic-mirror-filter'), o.description);
  const filterRef = p.aws(f.record, p.t, 'aws-filter');
  p.expect('awsFilter', [...o.who, f.filterId], [filterRef], o.why);
  const ruleIds: string[] = [];
  const ruleRefs: string[] = [];
  for (const spec of o.rules) {
    const r = createFilterRule(rng, call('ec2.create-traffic-mirror-filter-rule'), { ...spec, filterId: f.filterId });
    const ref = p.aws(r.record, p.t, 'aws-filter-rule');
    ruleIds.push(r.ruleId);
    ruleRefs.push(ref);
    p.expect('awsFilter', [...o.who, r.ruleId, spec.direction, spec.sourceCidr], [ref], o.why);
  }
  const sessionIds: string[] = [];
  const sessionRefs: string[] = [];
  o.sources.forEach((eni, i) => {
    const s = createSession(rng, call('ec2.create-traffic-mirror-session'), {
      eni,
      targetId: t.targetId,
      filterId: f.filterId,
      sessionNumber: (o.sessionNumber ?? 1) + i,
      description: o.description,
    });
    const ref = p.aws(s.record, p.t, 'aws-session', { redeliver: o.redeliverSession === true && i === 0 });
    sessionIds.push(s.sessionId);
    sessionRefs.push(ref);
    p.expect('awsSession', [...o.who, s.sessionId, eni, t.targetId], [ref], o.why);
    if (o.sources.length > 1) p.step(1, 4);
  });
  // The correlations over the same calls, grouped by the caller's ARN (the group value the message names).
  const arn = String(actor('').identity.arn);
  // Pipeline (temporal, 1h): target, filter and its rules, and the session that completes it; sessions after the
  // first start no new pipeline (no new target and filter follow them).
  p.expect(
    'awsPipeline',
    [...o.who, arn, t.targetId, f.filterId, ...ruleIds, sessionIds[0], o.sources[0]],
    [targetRef, filterRef, ...ruleRefs, sessionRefs[0]],
    o.why ?? 'target, filter, rules and session by one principal within an hour',
  );
  // Fan-out (value_count, 1h): every FAN_OUT_ENIS distinct source ENIs of one caller are one alert; a new window
  // starts after each, and a remainder below the threshold raises nothing.
  for (let i = 0; i + FAN_OUT_ENIS <= o.sources.length; i += FAN_OUT_ENIS) {
    const span = { ids: sessionIds.slice(i, i + FAN_OUT_ENIS), enis: o.sources.slice(i, i + FAN_OUT_ENIS), refs: sessionRefs.slice(i, i + FAN_OUT_ENIS) };
    p.expect('awsFanOut', [...o.who, arn, ...span.ids, ...span.enis], span.refs, o.why ?? `${FAN_OUT_ENIS} source ENIs mirrored by one principal within an hour`);
  }
  return { targetId: t.targetId, filterId: f.filterId, ruleIds, sessionIds, refs: { target: targetRef, filter: filterRef, rules: ruleRefs, sessions: sessionRefs } };
}

/** Two rules copying TCP both ways between any addresses (the common shape of the seed's Test 1 filter). */
export const TCP_BOTH_WAYS: RuleSpec[] = [
  { direction: 'ingress', ruleNumber: 100, action: 'accept', protocol: 6, sourceCidr: '0.0.0.0/0', destinationCidr: '10.0.0.0/8' },
  { direction: 'egress', ruleNumber: 100, action: 'accept', protocol: 6, sourceCidr: '10.0.0.0/8', destinationCidr: '0.0.0.0/0' },
];

/** Two rules copying every protocol both ways between any addresses. */
export const EVERYTHING_BOTH_WAYS: RuleSpec[] = [
  { direction: 'ingress', ruleNumber: 100, action: 'accept', sourceCidr: '0.0.0.0/0', destinationCidr: '0.0.0.0/0' },
  { direction: 'egress', ruleNumber: 100, action: 'accept', sourceCidr: '0.0.0.0/0', destinationCidr: '0.0.0.0/0' },
];
