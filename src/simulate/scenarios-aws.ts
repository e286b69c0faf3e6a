/**
 * AWS attack scenarios: the seed's Test 1 (target, filter, two filter rules, session) with each identity type, and
 * the variants of the issue: cross-account NLB target, Gateway Load Balancer endpoint target, denied and dry-run
 * attempts, a filter accepting everything both ways, DNS mirroring, many ENIs at once, create-then-delete, and a
 * session re-pointed at the attacker's target. Identifiers are drawn from the seed; addresses of the attackers are
 * documentation ranges (RFC 5737).
 */
import {
  addDnsService,
  assumedRole,
  createFilter,
  createSession,
  createTarget,
  deleteMirrorResource,
  describeMirrors,
  ec2Id,
  iamUser,
  modifySession,
  nlbArn,
  rootUser,
  type MirrorCall,
} from './aws-records.js';
import { awsPipeline, cliActor, EVERYTHING_BOTH_WAYS, fixedActor, Plan, TCP_BOTH_WAYS, type ActorFor } from './scenario-kit.js';
import type { Scenario, ScenarioContext } from './types.js';

const HOUR = 3_600_000;

function callAt(p: Plan, actor: ActorFor, command: string): MirrorCall {
  return { actor: actor(command), timeMs: p.step(), region: p.ctx.region, account: p.ctx.account };
}

/** A compromised IAM user's long-term key, used with the AWS CLI from outside. */
function iamUserActor(ctx: ScenarioContext, name: string, ip: string): ActorFor {
  return cliActor(iamUser(ctx.rng, ctx.account, name), ip);
}

const awsSession: Scenario = {
  name: 'aws-session',
  title: 'AWS traffic mirror session (IAM user)',
  description:
    "The seed's Test 1 with a stolen IAM user access key and the AWS CLI: a target on the attacker's ENI, a filter, two TCP filter rules (ingress and egress) and a session copying a database server's ENI. CloudTrail delivers the session record twice; it is one alert with two origins.",
  platforms: ['aws'],
  benign: false,
  seedTest: 'Test 1',
  build(ctx) {
    const p = new Plan(ctx);
    const actor = iamUserActor(ctx, 'deploy-bot', '203.0.113.77');
    awsPipeline(p, actor, {
      target: { kind: 'eni', eni: ec2Id(ctx.rng, 'eni') },
      rules: TCP_BOTH_WAYS,
      sources: [ec2Id(ctx.rng, 'eni')],
      redeliverSession: true,
      who: ['IAMUser deploy-bot'],
    });
    return p.done();
  },
};

const awsSessionAssumedRole: Scenario = {
  name: 'aws-session-assumed-role',
  title: 'AWS traffic mirror session (assumed role)',
  description: "Test 1 with temporary credentials of an automation role (AssumedRole, sessionContext with the issuing role), taken from a CI runner and used with the AWS CLI.",
  platforms: ['aws'],
  benign: false,
  seedTest: 'Test 1',
  build(ctx) {
    const p = new Plan(ctx);
    const session = `botocore-session-${Math.floor(ctx.startMs / 1000)}`;
    const identity = assumedRole(ctx.rng, ctx.account, 'ops-automation', session, { createdMs: ctx.startMs - 25 * 60_000 });
    awsPipeline(p, cliActor(identity, '198.51.100.91'), {
      target: { kind: 'eni', eni: ec2Id(ctx.rng, 'eni') },
      rules: TCP_BOTH_WAYS,
      sources: [ec2Id(ctx.rng, 'eni')],
      who: ['AssumedRole ops-automation', session],
    });
    return p.done();
  },
};

const awsSessionRoot: Scenario = {
  name: 'aws-session-root',
  title: 'AWS traffic mirror session (root user, console)',
  description: 'Test 1 by the account root user signed in to the console (userIdentity type Root, no userName, sourceIPAddress "AWS Internal", sessionCredentialFromConsole).',
  platforms: ['aws'],
  benign: false,
  seedTest: 'Test 1',
  build(ctx) {
    const p = new Plan(ctx);
    const actor = fixedActor({ identity: rootUser(ctx.rng, ctx.account, ctx.startMs - 10 * 60_000), sourceIPAddress: 'AWS Internal', userAgent: 'AWS Internal', console: true });
    awsPipeline(p, actor, {
      target: { kind: 'eni', eni: ec2Id(ctx.rng, 'eni') },
      rules: TCP_BOTH_WAYS,
      sources: [ec2Id(ctx.rng, 'eni')],
      description: 'network diagnostics',
      who: ['Root user'],
    });
    return p.done();
  },
};

const awsCrossAccountNlb: Scenario = {
  name: 'aws-cross-account-nlb',
  title: 'AWS mirror target on another account’s NLB',
  description: "The pipeline with a target on a Network Load Balancer owned by another account (the attacker's), so copies leave the organisation's accounts.",
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const arn = nlbArn(ctx.rng, ctx.region, '444455556666', 'ext-collector');
    awsPipeline(p, iamUserActor(ctx, 'svc-backup', '203.0.113.14'), {
      target: { kind: 'nlb', arn },
      rules: TCP_BOTH_WAYS,
      sources: [ec2Id(ctx.rng, 'eni')],
      who: ['IAMUser svc-backup'],
    });
    // The target alert also names the owning account.
    p.expected[0].mentions.push('444455556666');
    return p.done();
  },
};

const awsGwlbEndpoint: Scenario = {
  name: 'aws-gwlb-endpoint',
  title: 'AWS mirror target on a Gateway Load Balancer endpoint',
  description: 'The pipeline with a target on a Gateway Load Balancer endpoint (vpce-…), which can lead to an appliance in another VPC or account.',
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const identity = assumedRole(ctx.rng, ctx.account, 'NetworkAdmin', 'k.volkov', { createdMs: ctx.startMs - 3_000_000, mfa: false });
    awsPipeline(p, cliActor(identity, '198.51.100.140'), {
      target: { kind: 'gwlb-endpoint', endpoint: ec2Id(ctx.rng, 'vpce') },
      rules: TCP_BOTH_WAYS,
      sources: [ec2Id(ctx.rng, 'eni')],
      who: ['AssumedRole NetworkAdmin'],
    });
    return p.done();
  },
};

const awsDenied: Scenario = {
  name: 'aws-denied',
  title: 'AWS traffic mirroring denied (stolen instance role)',
  description:
    "An application server's instance-role credentials used from outside: the attacker lists mirror sessions, targets and filters (low-severity enumeration), then is refused CreateTrafficMirrorTarget, CreateTrafficMirrorFilter and CreateTrafficMirrorSession (Client.UnauthorizedOperation).",
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const instance = `i-${ctx.rng.hex(17)}`;
    const identity = assumedRole(ctx.rng, ctx.account, 'app-backend-ec2', instance, { createdMs: ctx.startMs - 2 * HOUR });
    const actor = cliActor(identity, '203.0.113.45');
    const who = ['AssumedRole app-backend-ec2'];
    for (const what of ['Sessions', 'Targets', 'Filters'] as const) {
      const ref = p.aws(describeMirrors(ctx.rng, callAt(p, actor, `ec2.describe-traffic-mirror-${what.toLowerCase()}`), what), p.t, 'aws-describe');
      p.expect('awsEnumeration', who, [ref], 'a person (not AWS Config) reading mirroring configuration');
    }
    const eni = ec2Id(ctx.rng, 'eni');
    const source = ec2Id(ctx.rng, 'eni');
    const t = createTarget(ctx.rng, { ...callAt(p, actor, 'ec2.create-traffic-mirror-target'), outcome: 'denied' }, { kind: 'eni', eni });
    p.expect('awsDenied', [...who, eni, 'Client.UnauthorizedOperation'], [p.aws(t.record, p.t, 'aws-denied')]);
    const f = createFilter(ctx.rng, { ...callAt(p, actor, 'ec2.create-traffic-mirror-filter'), outcome: 'denied' });
    p.expect('awsDenied', [...who, 'Client.UnauthorizedOperation'], [p.aws(f.record, p.t, 'aws-denied')]);
    const s = createSession(ctx.rng, { ...callAt(p, actor, 'ec2.create-traffic-mirror-session'), outcome: 'denied' }, {
      eni: source,
      targetId: ec2Id(ctx.rng, 'tmt'),
      filterId: ec2Id(ctx.rng, 'tmf'),
      sessionNumber: 1,
    });
    p.expect('awsDenied', [...who, source, 'Client.UnauthorizedOperation'], [p.aws(s.record, p.t, 'aws-denied')]);
    return p.done();
  },
};

const awsDryRun: Scenario = {
  name: 'aws-dry-run',
  title: 'AWS traffic mirroring dry-run probes',
  description: 'Permission reconnaissance with DryRun: CreateTrafficMirrorTarget, CreateTrafficMirrorFilter and CreateTrafficMirrorSession return Client.DryRunOperation ("Request would have succeeded").',
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const actor = iamUserActor(ctx, 'svc-backup', '203.0.113.14');
    const who = ['IAMUser svc-backup'];
    const eni = ec2Id(ctx.rng, 'eni');
    const source = ec2Id(ctx.rng, 'eni');
    const t = createTarget(ctx.rng, { ...callAt(p, actor, 'ec2.create-traffic-mirror-target'), outcome: 'dry-run' }, { kind: 'eni', eni });
    p.expect('awsDryRun', [...who, 'dry run', eni], [p.aws(t.record, p.t, 'aws-dry-run')]);
    const f = createFilter(ctx.rng, { ...callAt(p, actor, 'ec2.create-traffic-mirror-filter'), outcome: 'dry-run' });
    p.expect('awsDryRun', [...who, 'dry run'], [p.aws(f.record, p.t, 'aws-dry-run')]);
    const s = createSession(ctx.rng, { ...callAt(p, actor, 'ec2.create-traffic-mirror-session'), outcome: 'dry-run' }, {
      eni: source,
      targetId: ec2Id(ctx.rng, 'tmt'),
      filterId: ec2Id(ctx.rng, 'tmf'),
      sessionNumber: 1,
    });
    p.expect('awsDryRun', [...who, 'dry run', source], [p.aws(s.record, p.t, 'aws-dry-run')]);
    return p.done();
  },
};

const awsAcceptAll: Scenario = {
  name: 'aws-accept-all-filter',
  title: 'AWS mirror filter accepting all traffic both ways',
  description: 'The pipeline with two filter rules that accept every protocol from and to 0.0.0.0/0, ingress and egress: everything the source ENI sends and receives is copied.',
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    awsPipeline(p, iamUserActor(ctx, 'deploy-bot', '203.0.113.77'), {
      target: { kind: 'eni', eni: ec2Id(ctx.rng, 'eni') },
      rules: EVERYTHING_BOTH_WAYS,
      sources: [ec2Id(ctx.rng, 'eni')],
      who: ['IAMUser deploy-bot'],
    });
    return p.done();
  },
};

const awsDns: Scenario = {
  name: 'aws-dns-mirroring',
  title: 'AWS DNS traffic mirroring (amazon-dns network service)',
  description: "A filter with the amazon-dns network service added (ModifyTrafficMirrorFilterNetworkServices), so the VPC resolver's DNS traffic of the source is copied too, and a session using it.",
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const actor = iamUserActor(ctx, 'deploy-bot', '203.0.113.77');
    const who = ['IAMUser deploy-bot'];
    const eni = ec2Id(ctx.rng, 'eni');
    const t = createTarget(ctx.rng, callAt(p, actor, 'ec2.create-traffic-mirror-target'), { kind: 'eni', eni });
    const targetRef = p.aws(t.record, p.t, 'aws-target');
    p.expect('awsTarget', [...who, t.targetId, eni], [targetRef]);
    const f = createFilter(ctx.rng, callAt(p, actor, 'ec2.create-traffic-mirror-filter'));
    const filterRef = p.aws(f.record, p.t, 'aws-filter');
    p.expect('awsFilter', [...who, f.filterId], [filterRef]);
    const dns = addDnsService(ctx.rng, callAt(p, actor, 'ec2.modify-traffic-mirror-filter-network-services'), f.filterId);
    const dnsRef = p.aws(dns, p.t, 'aws-dns');
    p.expect('awsFilter', [...who, f.filterId, 'amazon-dns'], [dnsRef]);
    const source = ec2Id(ctx.rng, 'eni');
    const s = createSession(ctx.rng, callAt(p, actor, 'ec2.create-traffic-mirror-session'), { eni: source, targetId: t.targetId, filterId: f.filterId, sessionNumber: 1 });
    const sessionRef = p.aws(s.record, p.t, 'aws-session');
    p.expect('awsSession', [...who, s.sessionId, source, t.targetId], [sessionRef]);
    // The network-services change is a filter step of the pipeline correlation, like a filter rule.
    p.expect(
      'awsPipeline',
      [...who, String(actor('').identity.arn), t.targetId, f.filterId, 'amazon-dns', s.sessionId, source],
      [targetRef, filterRef, dnsRef, sessionRef],
      'target, filter, DNS service and session by one principal within an hour',
    );
    return p.done();
  },
};

const awsManyEnis: Scenario = {
  name: 'aws-many-enis',
  title: 'AWS mirroring of many ENIs at once',
  description: 'One target and filter, then twelve sessions within a minute or two, one per ENI of a web tier: each session is its own alert, and every three ENIs mirrored by the same principal are one fan-out alert.',
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const sources = Array.from({ length: 12 }, () => ec2Id(ctx.rng, 'eni'));
    awsPipeline(p, iamUserActor(ctx, 'deploy-bot', '203.0.113.77'), {
      target: { kind: 'eni', eni: ec2Id(ctx.rng, 'eni') },
      rules: EVERYTHING_BOTH_WAYS,
      sources,
      who: ['IAMUser deploy-bot'],
    });
    return p.done();
  },
};

const awsCreateThenDelete: Scenario = {
  name: 'aws-create-then-delete',
  title: 'AWS mirror created and deleted within minutes',
  description: 'The pipeline, then six to eight minutes later the session, filter and target deleted again: a test run, or a capture and a cover-up (the session created and deleted within 30 minutes is its own alert).',
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const actor = iamUserActor(ctx, 'deploy-bot', '203.0.113.77');
    const who = ['IAMUser deploy-bot'];
    const collector = ec2Id(ctx.rng, 'eni');
    const source = ec2Id(ctx.rng, 'eni');
    const ids = awsPipeline(p, actor, { target: { kind: 'eni', eni: collector }, rules: TCP_BOTH_WAYS, sources: [source], who });
    p.step(360, 480);
    const session = deleteMirrorResource(ctx.rng, callAt(p, actor, 'ec2.delete-traffic-mirror-session'), 'Session', ids.sessionIds[0]);
    const deleteRef = p.aws(session, p.t, 'aws-delete');
    p.expect('awsDeleted', [...who, ids.sessionIds[0]], [deleteRef]);
    // The same tms- id created and deleted within 30 minutes; the filter and target deletions carry no session id.
    p.expect('awsSessionHitAndRun', [...who, ids.sessionIds[0], source], [ids.refs.sessions[0], deleteRef], 'session created, then deleted six to eight minutes later');
    const filter = deleteMirrorResource(ctx.rng, callAt(p, actor, 'ec2.delete-traffic-mirror-filter'), 'Filter', ids.filterId);
    p.expect('awsDeleted', [...who, ids.filterId], [p.aws(filter, p.t, 'aws-delete')]);
    const target = deleteMirrorResource(ctx.rng, callAt(p, actor, 'ec2.delete-traffic-mirror-target'), 'Target', ids.targetId);
    p.expect('awsDeleted', [...who, ids.targetId], [p.aws(target, p.t, 'aws-delete')]);
    return p.done();
  },
};

const awsRetarget: Scenario = {
  name: 'aws-session-retarget',
  title: 'AWS mirror session re-pointed at an attacker target',
  description: "Instead of creating a session, the attacker creates a target and points the NDR team's existing session (ModifyTrafficMirrorSession) at it: the sensor goes quiet and the copies go to the attacker.",
  platforms: ['aws'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const actor = iamUserActor(ctx, 'deploy-bot', '203.0.113.77');
    const who = ['IAMUser deploy-bot'];
    const eni = ec2Id(ctx.rng, 'eni');
    const t = createTarget(ctx.rng, callAt(p, actor, 'ec2.create-traffic-mirror-target'), { kind: 'eni', eni });
    p.expect('awsTarget', [...who, t.targetId, eni], [p.aws(t.record, p.t, 'aws-target')]);
    const sessionId = ec2Id(ctx.rng, 'tms');
    const record = modifySession(ctx.rng, callAt(p, actor, 'ec2.modify-traffic-mirror-session'), {
      sessionId,
      eni: ec2Id(ctx.rng, 'eni'),
      targetId: t.targetId,
      filterId: ec2Id(ctx.rng, 'tmf'),
      sessionNumber: 1,
      vni: ctx.rng.int(1, 16777215),
      removeFields: ['description'],
    });
    p.expect('awsSessionModified', [...who, sessionId, t.targetId], [p.aws(record, p.t, 'aws-modify')]);
    return p.done();
  },
};

/** The AWS attack scenarios. */
export const AWS_SCENARIOS: readonly Scenario[] = [
  awsSession,
  awsSessionAssumedRole,
  awsSessionRoot,
  awsCrossAccountNlb,
  awsGwlbEndpoint,
  awsDenied,
  awsDryRun,
  awsAcceptAll,
  awsDns,
  awsManyEnis,
  awsCreateThenDelete,
  awsRetarget,
];
