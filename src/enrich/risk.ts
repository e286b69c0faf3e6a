/**
 * Risk factors and the severity formula. Each alert is read into `AlertFacts` (who, from where, with which client and
 * credentials, which sources, which destination and who owns it, which filter); the factors below are evaluated on
 * the facts, on the other alerts of the same scan (a session's target and filter are usually created minutes before
 * it), on the baselines of the state store, and on the tuning file's approved collectors. Each factor is named in the
 * alert with its evidence, its weight and its strength.
 *
 * The severity formula (also in README.md, "Severity, tuning and playbooks"):
 *
 *   base     = the rule level's score: informational 0, low 21, medium 47, high 73, critical 99
 *              (the band tops of Elastic's prebuilt rules, `SEVERITY_NUMBERS`)
 *   strong   = Σ weights of strong factors                          (uncapped)
 *   weak     = min(Σ weights of weak factors, 30)                   (0 for an informational rule)
 *   mitigate = max(Σ weights of mitigating factors, −20)            (weights are negative)
 *   ceiling  = 100 when a strong factor applies, else max(base, 89)
 *   score    = clamp(base + strong + weak + mitigate, 0, ceiling)
 *   severity = critical ≥ 90 > high ≥ 73 > medium ≥ 47 > low ≥ 21 > informational
 *
 * It is monotonic (adding an aggravating factor never lowers the score, adding a mitigating one never raises it),
 * bounded to 0–100, and an alert without factors keeps its rule's level and score. Weak factors together move an
 * alert by at most 30 points, enough for one band (medium → high when a never-seen principal with a long-lived key
 * builds a filter after a dry run) but never into critical: critical needs a strong factor, i.e. evidence that the
 * copy leaves (another account, a public address, an unapproved collector) or root credentials. Mitigating factors
 * move an alert down by at most 20. An informational alert (reads) stays informational unless a strong factor
 * applies. Factors carried by alerts from other producers (network analytics) have no strength; they are shown but
 * not re-weighted, because the producer's level already reflects them.
 */
import { BlockList, isIP } from 'node:net';
import type { AlertDocument, Level, Severity } from '../core/alert.js';
import { isLevel, SEVERITY_NUMBERS } from '../core/alert.js';
import { getPath, isObject } from '../core/json.js';
import type { MirrorDestinationKind, MirrorDetails, MirrorOutcome, MirrorPlatform } from './mirror.js';
import type { CollectorEntry, IacEntry, Tuning } from './tuning.js';
import { activeEntries, normaliseResource } from './tuning.js';

/** How a factor enters the formula. */
export type FactorStrength = 'strong' | 'weak' | 'mitigating';

/** A risk factor as written into `mirrorwatch.risk_factors`. */
export interface RiskFactor {
  name: FactorName;
  weight: number;
  strength: FactorStrength;
  evidence: string;
}

/** The factors mirrorwatch evaluates. */
export type FactorName =
  | 'cross-account-destination'
  | 'public-destination'
  | 'unapproved-destination'
  | 'approved-destination'
  | 'filter-accepts-all-traffic'
  | 'filter-all-protocols'
  | 'filter-both-directions'
  | 'dns-mirroring'
  | 'new-principal'
  | 'new-source-ip'
  | 'root-credentials'
  | 'long-lived-access-key'
  | 'console-session'
  | 'cli-client'
  | 'iac-client'
  | 'approved-iac-client'
  | 'attempts-before-success';

/** Weight and strength of each factor (see the README table for what each means). */
export const FACTORS: Record<FactorName, { weight: number; strength: FactorStrength; title: string }> = {
  'cross-account-destination': { weight: 30, strength: 'strong', title: 'mirror destination owned by another account, subscription or project' },
  'public-destination': { weight: 25, strength: 'strong', title: 'remote mirror destination outside private address space' },
  'unapproved-destination': { weight: 15, strength: 'strong', title: 'destination is not an approved collector' },
  'approved-destination': { weight: -15, strength: 'mitigating', title: 'destination is an approved collector' },
  'filter-accepts-all-traffic': { weight: 10, strength: 'weak', title: 'filter accepts all traffic' },
  'filter-all-protocols': { weight: 5, strength: 'weak', title: 'filter accepts all protocols' },
  'filter-both-directions': { weight: 5, strength: 'weak', title: 'both directions are mirrored' },
  'dns-mirroring': { weight: 10, strength: 'weak', title: 'Amazon DNS traffic is mirrored' },
  'new-principal': { weight: 10, strength: 'weak', title: 'principal never seen mirroring before' },
  'new-source-ip': { weight: 10, strength: 'weak', title: 'source IP new for this principal' },
  'root-credentials': { weight: 25, strength: 'strong', title: 'AWS account root user' },
  'long-lived-access-key': { weight: 10, strength: 'weak', title: 'long-lived access key' },
  'console-session': { weight: 5, strength: 'weak', title: 'web console session' },
  'cli-client': { weight: 5, strength: 'weak', title: 'command-line client' },
  'iac-client': { weight: 0, strength: 'weak', title: 'infrastructure-as-code client' },
  'approved-iac-client': { weight: -10, strength: 'mitigating', title: 'approved infrastructure-as-code user agent' },
  'attempts-before-success': { weight: 15, strength: 'weak', title: 'failed, denied or dry-run attempts before success' },
};

/** Cap of the weak factors' sum. */
export const WEAK_CAP = 30;
/** Cap of the mitigating factors' sum (as a positive number). */
export const MITIGATION_CAP = 20;
/** Highest score without a strong factor (just below critical), unless the rule's own level is higher. */
export const NO_STRONG_CEILING = 89;

/** Score thresholds of the severities (a score at or above the threshold has that severity). */
export const SEVERITY_THRESHOLDS: readonly [Severity, number][] = [
  ['critical', 90],
  ['high', 73],
  ['medium', 47],
  ['low', 21],
  ['informational', 0],
];

/** The result of the formula, with its parts (written to `mirrorwatch.scoring`). */
export interface Scoring {
  base_level: Level;
  base_score: number;
  strong: number;
  weak: number;
  weak_counted: number;
  mitigating: number;
  mitigating_counted: number;
  /** The highest score allowed (100 with a strong factor, else just below critical). */
  ceiling: number;
  score: number;
  severity: Severity;
}

/** Applies the severity formula (see the module comment) to a rule level and a set of factors. */
export function scoreRisk(level: Level, factors: readonly { weight: number; strength?: FactorStrength }[]): Scoring {
  const base = SEVERITY_NUMBERS[level].risk;
  let strong = 0;
  let weak = 0;
  let mitigating = 0;
  for (const f of factors) {
    if (f.strength === undefined) continue;
    if (f.strength === 'mitigating' || f.weight < 0) mitigating += Math.min(0, f.weight);
    else if (f.strength === 'strong') strong += Math.max(0, f.weight);
    else weak += Math.max(0, f.weight);
  }
  const weakCounted = level === 'informational' ? 0 : Math.min(weak, WEAK_CAP);
  const mitigatingCounted = Math.max(mitigating, -MITIGATION_CAP);
  const ceiling = strong > 0 ? 100 : Math.max(base, NO_STRONG_CEILING);
  const score = Math.max(0, Math.min(ceiling, Math.round(base + strong + weakCounted + mitigatingCounted)));
  return {
    base_level: level,
    base_score: base,
    strong,
    weak,
    weak_counted: weakCounted,
    mitigating,
    mitigating_counted: mitigatingCounted,
    ceiling,
    score,
    severity: severityOfScore(score),
  };
}

/** The severity band of a score. */
export function severityOfScore(score: number): Severity {
  for (const [sev, min] of SEVERITY_THRESHOLDS) if (score >= min) return sev;
  return 'informational';
}

// ---------------------------------------------------------------------------------------------------------------
// Facts

/** Who acted. */
export interface PrincipalFacts {
  /** Stable key for baselines (role ARN for assumed roles, user ARN, UPN, e-mail, device user). */
  key: string;
  /** How to name it in text. */
  label: string;
  /** Every identity the tuning file may name (ARN, role ARN, name, UPN, e-mail, app id, …). */
  identities: string[];
  type?: string;
  /** AWS IAM user name, role name, assumed-role session name. */
  userName?: string;
  roleName?: string;
  sessionName?: string;
  arn?: string;
  appId?: string;
  upn?: string;
  email?: string;
}

/** Where the copy goes. */
export interface DestinationFacts {
  kind: MirrorDestinationKind;
  /** The destination as named in the alert. */
  id: string;
  label: string;
  /** Every identifier of the destination: the named one and what it resolves to (a target's NLB, a vTAP's NIC). */
  ids: string[];
  /** The account, subscription or project that owns it, when known. */
  owner?: string;
  /** What resolved it, when another alert of the scan did. */
  resolvedVia?: string;
  /** An IP address the copy is sent to (device ERSPAN / GRE). */
  ip?: string;
  /** The copy leaves the mirrored host or device (everything but a local SPAN port). */
  remote: boolean;
}

/** The client that made the call. */
export interface ClientFacts {
  kind: 'console' | 'cli' | 'iac' | 'sdk' | 'service';
  name: string;
}

/** Everything the factors, the tuning and the playbook need about one alert. */
export interface AlertFacts {
  doc: AlertDocument;
  ruleId: string;
  ruleName: string;
  baseLevel: Level;
  timeMs: number;
  platform?: MirrorPlatform;
  mirror?: MirrorDetails;
  /** A change (create, modify, delete, configure, remove), not a read or a state message. */
  mutating: boolean;
  /** The mirror exists or was changed after this action (a successful or unfinished create / modify / configure). */
  establishes: boolean;
  outcome: MirrorOutcome;
  principal?: PrincipalFacts;
  sourceIp?: string;
  userAgent?: string;
  client?: ClientFacts;
  accessKeyId?: string;
  root: boolean;
  serviceAccountKey?: string;
  /** The account, subscription, project or device the action was in. */
  home?: string;
  homeKind?: 'account' | 'subscription' | 'project' | 'device';
  /** Account / subscription / project / device identifiers for `accounts:` conditions. */
  accounts: string[];
  /** Mirrored sources, each with the identifiers it may be named by. */
  sources: string[][];
  destination?: DestinationFacts;
  /** A correlation alert (its parts are other alerts). */
  correlation: boolean;
}

/** Reads a string at a path of the alert document. */
function at(doc: unknown, path: string): string | undefined {
  const v = getPath(doc, path);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Platform of an alert from its dataset when it has no mirror details. */
function platformOfDataset(dataset: unknown): MirrorPlatform | undefined {
  if (dataset === 'aws.cloudtrail') return 'aws';
  if (dataset === 'azure.activitylogs') return 'azure';
  if (dataset === 'gcp.audit') return 'gcp';
  if (typeof dataset === 'string' && /^(cisco_|juniper|arista|tacacs)/.test(dataset)) return 'network-device';
  return undefined;
}

/** The mirror details of an alert, when it carries them. */
export function mirrorOf(doc: AlertDocument): MirrorDetails | undefined {
  const m = doc.mirrorwatch.mirror;
  return isObject(m) && typeof m.platform === 'string' ? (m as unknown as MirrorDetails) : undefined;
}

/** The rule level an alert was raised at, before any enrichment (kept in `mirrorwatch.scoring` so enrichment is idempotent). */
export function baseLevelOf(doc: AlertDocument): Level {
  const scoring = doc.mirrorwatch.scoring;
  if (isObject(scoring) && isLevel(scoring.base_level)) return scoring.base_level;
  return isLevel(doc.mirrorwatch.severity) ? doc.mirrorwatch.severity : 'medium';
}

/** The AWS account id inside an ARN. */
export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

/** The subscription inside an Azure resource id, lower case. */
export function azureSubscription(id: string): string | undefined {
  return /\/subscriptions\/([^/]+)/i.exec(id)?.[1]?.toLowerCase();
}

/** The project inside a GCP resource name or URL. */
export function gcpProject(id: string): string | undefined {
  return /(?:^|\/)projects\/([^/]+)/.exec(id)?.[1];
}

/** The principal of an alert. */
function principalOf(doc: AlertDocument, m: MirrorDetails | undefined, platform: MirrorPlatform | undefined): PrincipalFacts | undefined {
  const a = m?.actor ?? {};
  const ids = new Set<string>();
  const add = (v: string | undefined): void => {
    if (v !== undefined && v.trim() !== '') ids.add(v.trim());
  };
  switch (platform) {
    case 'aws': {
      const issuer = at(doc, 'aws.cloudtrail.user_identity.session_context.session_issuer.arn');
      const arn = a.arn ?? at(doc, 'aws.cloudtrail.user_identity.arn');
      const type = a.type ?? at(doc, 'aws.cloudtrail.user_identity.type');
      const assumed = arn !== undefined ? /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn) : null;
      const roleArn = issuer ?? (assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : undefined);
      add(arn);
      add(roleArn);
      add(a.name);
      let key: string | undefined;
      let label: string;
      if (type === 'Root') {
        const acct = (arn !== undefined ? arnAccount(arn) : undefined) ?? m?.account;
        key = arn ?? (acct !== undefined ? `arn:aws:iam::${acct}:root` : undefined);
        label = `the root user of account ${acct ?? '?'}`;
      } else if (type === 'AssumedRole' && roleArn !== undefined) {
        key = roleArn;
        label = `role ${a.name ?? assumed?.[3] ?? roleArn}${a.session !== undefined || assumed ? ` (session ${a.session ?? assumed?.[4]})` : ''}`;
      } else if (type === 'AWSService') {
        key = a.name ?? a.invokedBy;
        label = `AWS service ${key ?? '?'}`;
      } else {
        key = arn ?? a.name;
        label = `${type === 'IAMUser' ? 'IAM user ' : ''}${a.name ?? arn ?? '?'}`;
      }
      if (key === undefined) return undefined;
      return {
        key,
        label,
        identities: [...ids],
        type,
        arn,
        userName: type === 'IAMUser' ? a.name : undefined,
        roleName: type === 'AssumedRole' ? (assumed?.[3] ?? a.name) : undefined,
        sessionName: assumed?.[4] ?? a.session,
      };
    }
    case 'azure': {
      const upn = a.upn;
      const appId = a.appId ?? at(doc, 'azure.activitylogs.identity.claims.appid');
      const principalId = at(doc, 'azure.activitylogs.identity.authorization.evidence.principal_id');
      add(upn);
      add(a.name);
      add(a.appId);
      add(principalId);
      const key = (upn ?? a.appId ?? a.name)?.toLowerCase();
      if (key === undefined) return undefined;
      return { key, label: upn ?? a.name ?? key, identities: [...ids], type: a.type, upn, appId: a.appId ?? (upn === undefined ? appId : undefined) };
    }
    case 'gcp': {
      const email = a.email ?? at(doc, 'user.email');
      const subject = at(doc, 'user.id');
      add(email);
      add(subject);
      add(a.name);
      if (email !== undefined) add(`${email.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user'}:${email}`);
      const key = (email ?? subject ?? a.name)?.toLowerCase();
      if (key === undefined) return undefined;
      return { key, label: email ?? key, identities: [...ids], type: a.type, email };
    }
    case 'network-device': {
      const name = a.name ?? at(doc, 'user.name');
      if (name === undefined) return undefined;
      add(name);
      if (m?.device !== undefined) add(`${name}@${m.device}`);
      return { key: name.toLowerCase(), label: m?.device !== undefined ? `${name} on ${m.device}` : name, identities: [...ids], type: 'device-user', userName: name };
    }
    default: {
      const name = at(doc, 'user.name') ?? at(doc, 'user.email');
      if (name === undefined) return undefined;
      add(name);
      add(at(doc, 'user.email'));
      return { key: name.toLowerCase(), label: name, identities: [...ids] };
    }
  }
}

/** First-party Microsoft application ids seen in Activity Log claims (`appid`): which client made an ARM call. */
const AZURE_CLIENT_APPS: Record<string, ClientFacts> = {
  // Microsoft Learn, "Planning for mandatory Microsoft Entra multifactor authentication for Azure": app ids of the
  // Azure portal, Azure CLI and Azure PowerShell.
  'c44b4083-3bb0-49c1-b47d-974e53cbdf3c': { kind: 'console', name: 'Azure portal' },
  '04b07795-8ddb-461a-bbee-02f9e1bf7b46': { kind: 'cli', name: 'Azure CLI' },
  '1950a258-227b-4e31-a9cf-717495945fc2': { kind: 'cli', name: 'Azure PowerShell' },
};

/** Infrastructure-as-code tools recognised by their user agents (as their SDKs announce themselves). */
const IAC_AGENTS: [RegExp, string][] = [
  [/\bTerraform\/|terraform-provider-/i, 'Terraform'],
  [/\bOpenTofu\b|\btofu\//i, 'OpenTofu'],
  [/\bPulumi\b|pulumi-/i, 'Pulumi'],
  [/cloudformation\.amazonaws\.com/i, 'AWS CloudFormation'],
  [/\baws-cdk\b|\bcdk\//i, 'AWS CDK'],
  [/Google-Deployment-Manager/i, 'Google Cloud Deployment Manager'],
  [/\bansible\b/i, 'Ansible'],
  [/\bcrossplane\b/i, 'Crossplane'],
];

/** Classifies the client of a call from its user agent (and, for AWS and Azure, console flags and app ids). */
export function classifyClient(platform: MirrorPlatform | undefined, userAgent: string | undefined, extra: { console?: boolean; invokedBy?: string; appId?: string }): ClientFacts | undefined {
  if (platform === 'azure' && extra.appId !== undefined) {
    const known = AZURE_CLIENT_APPS[extra.appId.toLowerCase()];
    if (known) return known;
  }
  if (extra.invokedBy !== undefined && /cloudformation\.amazonaws\.com/i.test(extra.invokedBy)) return { kind: 'iac', name: 'AWS CloudFormation' };
  const ua = userAgent ?? '';
  for (const [re, name] of IAC_AGENTS) if (re.test(ua)) return { kind: 'iac', name };
  if (platform === 'aws') {
    // sessionCredentialFromConsole, or the console's own agents (CloudTrail userIdentity reference; events.md §1.5).
    if (extra.console === true || /^AWS Internal$/i.test(ua) || /console\.(?:[\w-]+\.)?amazonaws\.com|signin\.amazonaws\.com/i.test(ua)) {
      return { kind: 'console', name: 'AWS Management Console' };
    }
    if (/^aws-cli\//i.test(ua)) return { kind: 'cli', name: /exec-env\/CloudShell/i.test(ua) ? 'AWS CLI (CloudShell)' : 'AWS CLI' };
    if (/\.amazonaws\.com$/i.test(ua)) return { kind: 'service', name: ua };
    if (/^(Boto3|Botocore|aws-sdk-|aws-sdk\b|AWS-SDK)/i.test(ua)) return { kind: 'sdk', name: ua.split(/[\s/]/)[0] };
  }
  if (platform === 'gcp') {
    if (/google-cloud-sdk gcloud\/|\bgcloud\//i.test(ua)) return { kind: 'cli', name: 'gcloud CLI' };
    if (/^Mozilla\//i.test(ua)) return { kind: 'console', name: 'Google Cloud console (browser)' };
    if (/google-api-|gcloud-|grpc-/i.test(ua)) return { kind: 'sdk', name: ua.split(/[\s/]/)[0] };
  }
  if (/^Mozilla\//i.test(ua)) return { kind: 'console', name: 'web browser' };
  return undefined;
}

/** The facts of one alert. */
export function factsOf(doc: AlertDocument): AlertFacts {
  const m = mirrorOf(doc);
  const platform = m?.platform ?? platformOfDataset(getPath(doc, 'event.dataset'));
  const rule = isObject(doc.rule) ? doc.rule : {};
  const op = m?.operation;
  const mutating = op === 'create' || op === 'modify' || op === 'delete' || op === 'configure' || op === 'remove';
  const outcome: MirrorOutcome = m?.outcome ?? (getPath(doc, 'event.outcome') === 'failure' ? 'failure' : getPath(doc, 'event.outcome') === 'success' ? 'success' : 'unknown');
  const establishes = (op === 'create' || op === 'modify' || op === 'configure') && (outcome === 'success' || outcome === 'unknown');
  const principal = principalOf(doc, m, platform);
  const sourceIp = m?.actor.sourceIp ?? (isIP(at(doc, 'source.ip') ?? '') !== 0 ? at(doc, 'source.ip') : undefined);
  const userAgent = m?.actor.userAgent ?? at(doc, 'user_agent.original');
  const appId = at(doc, 'azure.activitylogs.identity.claims.appid') ?? m?.actor.appId;
  const client = classifyClient(platform, userAgent, { console: m?.actor.console, invokedBy: m?.actor.invokedBy, appId });
  const accessKeyId = at(doc, 'aws.cloudtrail.user_identity.access_key_id');
  const root = platform === 'aws' && (m?.actor.type ?? at(doc, 'aws.cloudtrail.user_identity.type')) === 'Root';
  const serviceAccountKey = platform === 'gcp' ? at(doc, 'gcp.audit.authentication_info.service_account_key_name') : undefined;

  let home: string | undefined;
  let homeKind: AlertFacts['homeKind'];
  if (m?.account !== undefined) [home, homeKind] = [m.account, 'account'];
  else if (m?.subscription !== undefined) [home, homeKind] = [m.subscription.toLowerCase(), 'subscription'];
  else if (m?.project !== undefined) [home, homeKind] = [m.project, 'project'];
  else if (m?.device !== undefined) [home, homeKind] = [m.device, 'device'];
  else {
    const acct = at(doc, 'cloud.account.id') ?? at(doc, 'cloud.project.id') ?? at(doc, 'observer.hostname');
    if (acct !== undefined) {
      home = platform === 'azure' ? acct.toLowerCase() : acct;
      homeKind = platform === 'gcp' ? 'project' : platform === 'azure' ? 'subscription' : platform === 'network-device' ? 'device' : 'account';
    }
  }
  const accounts = [home, m?.resourceGroup !== undefined && home !== undefined ? `${home}/${m.resourceGroup}` : undefined, at(doc, 'observer.ip')].filter(
    (x): x is string => x !== undefined,
  );
  // Each source with the names it may be given: a device interface also as `<device>:<interface>`.
  const sources = (m?.sources ?? []).map((s) => (m?.platform === 'network-device' && m.device !== undefined ? [s.id, `${m.device}:${s.id}`] : [s.id]));

  let destination: DestinationFacts | undefined;
  const d = m?.destination;
  if (d !== undefined && d.id) {
    let owner = d.account;
    if (owner === undefined) {
      if (d.kind === 'nlb') owner = arnAccount(d.id);
      else if (d.kind === 'ilb') owner = gcpProject(normaliseResource(d.id));
      else if (d.kind === 'nic-ipconfig' || d.kind === 'lb-frontend' || d.kind === 'vtap') owner = azureSubscription(d.id);
    }
    const ip = isIP(d.id) !== 0 ? d.id : undefined;
    destination = {
      kind: d.kind,
      id: d.id,
      label: d.name !== undefined && d.name !== d.id ? `${d.name} (${d.id})` : d.id,
      ids: [d.id],
      owner: platform === 'azure' ? owner?.toLowerCase() : owner,
      ip,
      remote: platform !== 'network-device' || d.kind === 'ip' || d.kind === 'gre' || d.kind === 'vlan' || /^tunnel/i.test(d.id),
    };
  }
  const baseLevel = baseLevelOf(doc);
  const timeMs = Date.parse(doc['@timestamp']);
  return {
    doc,
    ruleId: String(rule.id ?? ''),
    ruleName: String(rule.name ?? ''),
    baseLevel,
    timeMs,
    platform,
    mirror: m,
    mutating,
    establishes,
    outcome,
    principal,
    sourceIp,
    userAgent,
    client,
    accessKeyId,
    root,
    serviceAccountKey,
    home,
    homeKind,
    accounts,
    sources,
    destination,
    correlation: isObject(doc.mirrorwatch.correlation),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What the other alerts of the scan tell: a session's target and filter, a tap configuration's vTAP, a GCP policy.

/** One AWS filter rule seen in the scan. */
interface FilterRuleSeen {
  id: string;
  direction?: string;
  acceptAll: boolean;
  allProtocols: boolean;
}

/** Facts gathered across the alerts of one scan. */
export class ScanIndex {
  /** AWS mirror target id → what it points at. */
  readonly awsTargets = new Map<string, { kind: MirrorDestinationKind; id: string; owner?: string; label: string }>();
  /** AWS filter id → accepting rules and DNS mirroring. */
  readonly awsFilters = new Map<string, { rules: FilterRuleSeen[]; dns: boolean }>();
  /** Azure vTAP id (lower case) → its destination. */
  readonly azureTaps = new Map<string, { id: string; owner?: string; label: string }>();
  /** GCP packet mirroring policy (normalised name) → its collector ILB. */
  readonly gcpPolicies = new Map<string, { id: string; owner?: string; label: string }>();

  constructor(facts: readonly AlertFacts[]) {
    for (const f of facts) {
      const m = f.mirror;
      if (m === undefined || !f.establishes) continue;
      if (m.platform === 'aws' && m.objectType === 'target' && m.objectId !== undefined && m.destination !== undefined) {
        const d = m.destination;
        this.awsTargets.set(m.objectId, {
          kind: d.kind,
          id: d.id,
          owner: d.account ?? (d.kind === 'nlb' ? arnAccount(d.id) : undefined),
          label: d.name !== undefined ? `${d.kind === 'nlb' ? 'network load balancer ' : ''}${d.name} (${d.id})` : d.id,
        });
      }
      if (m.platform === 'aws' && m.objectType === 'filter-rule' && m.filter?.id !== undefined) {
        const entry = this.filter(m.filter.id);
        const rule = awsRuleShape(m);
        // One entry per rule id: a rule modified later replaces what it said before.
        if (rule !== undefined) {
          const id = m.objectId ?? '?';
          const at = entry.rules.findIndex((r) => r.id === id);
          if (at >= 0) entry.rules[at] = { ...rule, id };
          else entry.rules.push({ ...rule, id });
        }
      }
      if (m.platform === 'aws' && m.objectType === 'network-services' && m.filter?.id !== undefined) {
        if ((m.filter.addNetworkServices ?? []).some((s) => s.toLowerCase() === 'amazon-dns')) this.filter(m.filter.id).dns = true;
      }
      if (m.platform === 'azure' && m.objectType === 'vtap' && m.objectId !== undefined && m.destination !== undefined) {
        this.azureTaps.set(m.objectId.toLowerCase(), {
          id: m.destination.id,
          owner: (m.destination.account ?? azureSubscription(m.destination.id))?.toLowerCase(),
          label: m.destination.name ?? m.destination.id,
        });
      }
      if (m.platform === 'gcp' && m.objectType === 'packet-mirroring' && m.objectId !== undefined && m.destination !== undefined) {
        this.gcpPolicies.set(normaliseResource(m.objectId), {
          id: m.destination.id,
          owner: gcpProject(normaliseResource(m.destination.id)),
          label: m.destination.name ?? m.destination.id,
        });
      }
    }
  }

  private filter(id: string): { rules: FilterRuleSeen[]; dns: boolean } {
    let f = this.awsFilters.get(id);
    if (!f) {
      f = { rules: [], dns: false };
      this.awsFilters.set(id, f);
    }
    return f;
  }

  /** Adds what the scan knows about a destination: a session's target, a tap configuration's vTAP, a patched policy's ILB. */
  resolve(f: AlertFacts): void {
    const m = f.mirror;
    if (m === undefined) return;
    if (m.platform === 'aws' && f.destination?.kind === 'mirror-target') {
      const t = this.awsTargets.get(f.destination.id);
      if (t) {
        f.destination.ids.push(t.id);
        f.destination.owner ??= t.owner;
        f.destination.resolvedVia = `which points at ${t.label}`;
      }
    } else if (m.platform === 'azure' && f.destination?.kind === 'vtap') {
      const t = this.azureTaps.get(f.destination.id.toLowerCase());
      if (t) {
        f.destination.ids.push(t.id);
        f.destination.resolvedVia = `which sends to ${t.label}`;
        // The tap configuration's own destination is the vTAP; the copy ends where the vTAP sends it.
        if (t.owner !== undefined) f.destination.owner = t.owner;
      }
    } else if (m.platform === 'gcp' && m.objectType === 'packet-mirroring' && f.destination === undefined && m.objectId !== undefined) {
      const p = this.gcpPolicies.get(normaliseResource(m.objectId));
      if (p) {
        f.destination = {
          kind: 'ilb',
          id: p.id,
          label: p.label,
          ids: [p.id],
          owner: p.owner,
          remote: true,
          resolvedVia: `set when policy ${m.objectName ?? m.objectId} was created`,
        };
      }
    }
  }
}

/** Whether an AWS filter rule accepts all traffic and all protocols (ingress or egress). */
function awsRuleShape(m: MirrorDetails): Omit<FilterRuleSeen, 'id'> | undefined {
  const fl = m.filter;
  if (fl === undefined || (fl.action ?? '').toLowerCase() !== 'accept') return undefined;
  const any = (cidrs: string[] | undefined): boolean => (cidrs ?? []).some((c) => c === '0.0.0.0/0' || c === '::/0');
  return {
    direction: fl.direction?.toLowerCase(),
    acceptAll: any(fl.sourceCidrs) && any(fl.destinationCidrs) && fl.sourcePorts === undefined && fl.destinationPorts === undefined,
    // No Protocol in a rule means every protocol (EC2 API reference, CreateTrafficMirrorFilterRule: Protocol is optional).
    allProtocols: (fl.protocols ?? []).length === 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses

/**
 * Private, shared, loopback, link-local and unique-local ranges (RFC 1918, RFC 6598, RFC 1122, RFC 3927, RFC 4193,
 * RFC 4291). A remote mirror destination outside them leaves the organisation's address space.
 */
const PRIVATE = (() => {
  const b = new BlockList();
  for (const [a, n] of [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
  ] as const) {
    b.addSubnet(a, n, 'ipv4');
  }
  b.addSubnet('fc00::', 7, 'ipv6');
  b.addSubnet('fe80::', 10, 'ipv6');
  b.addAddress('::1', 'ipv6');
  return b;
})();

/** True when the IP address is outside private address space. */
export function isPublicIp(ip: string): boolean {
  const f = isIP(ip);
  if (f === 0) return false;
  return !PRIVATE.check(ip, f === 6 ? 'ipv6' : 'ipv4');
}

// ---------------------------------------------------------------------------------------------------------------
// Approved collectors

/** The approved collector entry a destination matches, if any. */
export function approvedCollector(dest: DestinationFacts | undefined, collectors: readonly CollectorEntry[]): CollectorEntry | undefined {
  if (dest === undefined) return undefined;
  for (const c of activeEntries(collectors)) {
    if (c.collectors.some((p) => dest.ids.some((id) => p.test(id)))) return c;
  }
  return undefined;
}

/** The tuning's IaC entry a user agent matches, if any. */
export function approvedIac(userAgent: string | undefined, iac: readonly IacEntry[]): IacEntry | undefined {
  if (userAgent === undefined) return undefined;
  return activeEntries(iac).find((e) => e.userAgents.some((p) => p.test(userAgent)));
}

// ---------------------------------------------------------------------------------------------------------------
// Factors

/** Baseline answers for one alert, looked up before anything of the scan is remembered. */
export interface BaselineAnswers {
  /** When the principal was first seen mirroring (undefined: never). */
  principalFirstSeen?: number;
  /** When the principal was first seen calling from this source IP (undefined: never). */
  ipFirstSeen?: number;
}

/** The earlier failed, denied or dry-run attempts of the same principal, for the attempts-before-success factor. */
export interface Attempt {
  timeMs: number;
  action: string;
  outcome: MirrorOutcome;
  reason?: string;
}

/** Time before a success within which earlier failed attempts count (a probing session, not last month's typo). */
export const ATTEMPT_WINDOW_MS = 24 * 3600 * 1000;

function factor(name: FactorName, evidence: string): RiskFactor {
  const f = FACTORS[name];
  return { name, weight: f.weight, strength: f.strength, evidence };
}

/** A short time for evidence text. */
function hhmm(ms: number): string {
  return Number.isNaN(ms) ? '?' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Evaluates every factor on one alert. */
export function evaluateFactors(
  f: AlertFacts,
  context: { index: ScanIndex; tuning?: Tuning; baseline: BaselineAnswers; attempts: readonly Attempt[] },
): RiskFactor[] {
  const out: RiskFactor[] = [];
  const m = f.mirror;
  const d = f.destination;

  // Where the copy goes. An approved collector in another account (a central security account) is named but not
  // weighed: the tuning file says that crossing is by design.
  const approved = d !== undefined && context.tuning !== undefined ? approvedCollector(d, context.tuning.collectors) : undefined;
  if (d !== undefined && d.owner !== undefined && f.home !== undefined && f.homeKind !== 'device') {
    const home = f.platform === 'azure' ? f.home.toLowerCase() : f.home;
    const owners: string[] = [home];
    // GCP: mirrored subnets and instances may live in other (Shared VPC service) projects; compare with all of them.
    if (f.platform === 'gcp') for (const s of m?.sources ?? []) owners.push(gcpProject(normaliseResource(s.id)) ?? home);
    if (!owners.includes(d.owner)) {
      const what = f.homeKind === 'subscription' ? 'subscription' : f.homeKind === 'project' ? 'project' : 'account';
      const goes = f.establishes ? 'the copy goes to' : 'the attempt named as destination';
      const x = factor(
        'cross-account-destination',
        `${goes} ${d.label}${d.resolvedVia !== undefined ? `, ${d.resolvedVia}` : ''}, owned by ${what} ${d.owner}, while the mirror is in ${what} ${home}`,
      );
      if (approved) {
        x.weight = 0;
        x.evidence += ` (an approved collector, so not weighed)`;
      }
      out.push(x);
    }
  }
  if (d !== undefined && d.remote && d.ip !== undefined && isPublicIp(d.ip)) {
    out.push(factor('public-destination', `the copy is sent to ${d.ip}, outside private address space (RFC 1918 / RFC 4193)`));
  }
  if (d !== undefined && context.tuning !== undefined) {
    if (approved) {
      out.push(factor('approved-destination', `${d.label} is approved collector "${approved.id}" (${approved.location}): ${approved.reason}`));
    } else if (d.remote && activeEntries(context.tuning.collectors).length > 0) {
      out.push(factor('unapproved-destination', `${d.label}${d.resolvedVia !== undefined ? `, ${d.resolvedVia},` : ''} is not in the approved_collectors of ${context.tuning.file}`));
    }
  }

  // What is copied.
  if (m !== undefined) filterFactors(f, m, context.index, out);

  // Who, with what.
  if (f.root) out.push(factor('root-credentials', `the call was made as the root user of account ${f.home ?? '?'}${f.accessKeyId !== undefined ? ` with access key ${f.accessKeyId}` : ''}`));
  if (f.accessKeyId !== undefined && /^AKIA/.test(f.accessKeyId)) {
    // AKIA = long-term key of an IAM user or the root user; ASIA = temporary STS credentials (STS GetAccessKeyInfo).
    out.push(factor('long-lived-access-key', `long-term access key ${f.accessKeyId} (AKIA…), not temporary STS credentials`));
  }
  if (f.serviceAccountKey !== undefined) {
    out.push(factor('long-lived-access-key', `service account key ${f.serviceAccountKey.split('/').pop()} (a downloadable, long-lived key) authenticated the call`));
  }
  if (f.client !== undefined) {
    const agent = f.userAgent !== undefined ? ` (user agent "${f.userAgent.length > 120 ? `${f.userAgent.slice(0, 117)}...` : f.userAgent}")` : '';
    switch (f.client.kind) {
      case 'console':
        out.push(factor('console-session', `made by a person in the ${f.client.name}${agent}`));
        break;
      case 'cli':
        out.push(factor('cli-client', `made by hand with the ${f.client.name}${agent}`));
        break;
      case 'iac': {
        const approved = context.tuning !== undefined ? approvedIac(f.userAgent, context.tuning.iac) : undefined;
        if (approved) out.push(factor('approved-iac-client', `${f.client.name} user agent matches "${approved.id}" (${approved.location}): ${approved.reason}`));
        else out.push(factor('iac-client', `made by ${f.client.name}${agent}; a pipeline, but not one listed in infrastructure_as_code`));
        break;
      }
      case 'sdk':
      case 'service':
        break;
    }
  }
  if (f.principal !== undefined && f.mutating && f.outcome !== 'denied' && f.outcome !== 'dry-run') {
    const first = context.baseline.principalFirstSeen;
    if (first === undefined || first >= f.timeMs) {
      out.push(factor('new-principal', `${f.principal.label} has no earlier ${f.platform ?? ''} mirroring change in the baseline`.replace('  ', ' ')));
    } else if (f.sourceIp !== undefined) {
      const ipFirst = context.baseline.ipFirstSeen;
      if (ipFirst === undefined || ipFirst >= f.timeMs) {
        out.push(factor('new-source-ip', `${f.principal.label} has mirrored before (first ${hhmm(first)}) but never from ${f.sourceIp}`));
      }
    }
  }
  if (context.attempts.length > 0 && f.mutating && (f.outcome === 'success' || f.outcome === 'unknown')) {
    const list = context.attempts
      .slice(0, 3)
      .map((a) => `${a.outcome === 'dry-run' ? 'dry run of' : a.outcome === 'denied' ? 'denied' : 'failed'} ${a.action} at ${hhmm(a.timeMs)}${a.reason !== undefined ? ` (${a.reason})` : ''}`)
      .join('; ');
    const more = context.attempts.length > 3 ? ` and ${context.attempts.length - 3} more` : '';
    out.push(factor('attempts-before-success', `${f.principal?.label ?? 'the same principal'} first tried: ${list}${more}`));
  }
  return out;
}

/** Factors about what the mirror copies. */
function filterFactors(f: AlertFacts, m: MirrorDetails, index: ScanIndex, out: RiskFactor[]): void {
  if (!f.establishes) return;
  switch (m.platform) {
    case 'aws': {
      let filterId: string | undefined;
      if (m.objectType === 'filter-rule') filterId = m.filter?.id;
      else if (m.objectType === 'session' || m.objectType === 'network-services') filterId = m.filter?.id ?? m.objectId;
      const seen = filterId !== undefined ? index.awsFilters.get(filterId) : undefined;
      if (m.objectType === 'filter-rule') {
        const shape = awsRuleShape(m);
        if (shape?.acceptAll) {
          out.push(factor('filter-accepts-all-traffic', `rule ${m.objectId ?? '?'} accepts ${shape.direction ?? ''} traffic from 0.0.0.0/0 to 0.0.0.0/0 on every port`.replace('  ', ' ')));
        }
        if (shape?.allProtocols) out.push(factor('filter-all-protocols', `rule ${m.objectId ?? '?'} names no protocol, so every protocol is copied`));
      }
      if (m.objectType === 'session' && seen !== undefined) {
        const all = seen.rules.filter((r) => r.acceptAll);
        if (all.length > 0) {
          out.push(factor('filter-accepts-all-traffic', `filter ${filterId} has accept-all rule(s) ${all.map((r) => `${r.id} (${r.direction ?? '?'})`).join(', ')} created in this scan`));
        }
        if (seen.rules.some((r) => r.allProtocols)) out.push(factor('filter-all-protocols', `filter ${filterId} has a rule without a protocol, so every protocol is copied`));
      }
      if ((m.objectType === 'session' || m.objectType === 'filter-rule') && seen !== undefined) {
        const dirs = new Set(seen.rules.filter((r) => r.acceptAll).map((r) => r.direction));
        if (dirs.has('ingress') && dirs.has('egress')) {
          out.push(factor('filter-both-directions', `filter ${filterId} accepts all traffic in both directions (ingress and egress rules in this scan)`));
        }
      }
      const dns = m.objectType === 'network-services' ? (m.filter?.addNetworkServices ?? []).some((s) => s.toLowerCase() === 'amazon-dns') : seen?.dns === true;
      if (dns) {
        out.push(factor('dns-mirroring', `filter ${filterId ?? '?'} adds the amazon-dns network service, so queries to the Amazon DNS server are copied too`));
      }
      break;
    }
    case 'gcp': {
      if (m.objectType !== 'packet-mirroring' && m.objectType !== 'mirroring-rule') break;
      const fl = m.filter;
      const name = m.objectName ?? m.objectId ?? 'the policy';
      if (m.objectType === 'packet-mirroring') {
        // An insert without filter fields copies all IPv4 traffic, all protocols, both directions (PacketMirroringFilter
        // reference); a patch only changes what it names (JSON merge patch).
        const insert = m.operation === 'create';
        const cidrs = fl?.cidrs;
        const protocols = fl?.protocols;
        if ((insert && (cidrs ?? []).length === 0) || (cidrs ?? []).some((c) => c === '0.0.0.0/0' || c === '::/0')) {
          out.push(factor('filter-accepts-all-traffic', `${name} filters on ${cidrs && cidrs.length ? cidrs.join(', ') : 'no CIDR range'}, so all traffic is copied`));
        }
        const allProto = (insert && (protocols ?? []).length === 0) || (protocols !== undefined && ['tcp', 'udp', 'icmp'].every((p) => protocols.map((x) => x.toLowerCase()).includes(p)));
        if (allProto) out.push(factor('filter-all-protocols', `${name} copies ${protocols && protocols.length ? protocols.join(', ') : 'every protocol'}`));
        const dir = fl?.direction?.toUpperCase();
        if (dir === 'BOTH' || (insert && dir === undefined)) out.push(factor('filter-both-directions', `${name} mirrors direction BOTH${dir === undefined ? ' (the default)' : ''}`));
      } else if (fl !== undefined && (fl.action ?? '').toLowerCase() === 'mirror') {
        const any = (c: string[] | undefined): boolean => c === undefined || c.length === 0 || c.some((x) => x === '0.0.0.0/0' || x === '::/0');
        if (any(fl.sourceCidrs) && any(fl.destinationCidrs)) out.push(factor('filter-accepts-all-traffic', `mirroring rule ${name} matches any source and destination`));
        if ((fl.protocols ?? []).some((p) => /^all$/i.test(p))) out.push(factor('filter-all-protocols', `mirroring rule ${name} matches protocol all`));
      }
      break;
    }
    case 'network-device': {
      if (m.operation !== 'configure') break;
      const name = m.objectId !== undefined ? `${m.objectType === 'analyzer' ? 'analyzer' : 'session'} ${m.objectId}` : 'the session';
      // Cisco and Arista copy both directions when a source names none (configuration guides, "monitor session source").
      const vendorBoth = m.vendor === 'cisco' || m.vendor === 'arista' || m.vendor === 'unknown' || m.vendor === undefined;
      const both = m.sources.filter((s) => s.direction === 'both' || (s.direction === undefined && s.kind === 'interface' && vendorBoth && m.objectType !== 'analyzer'));
      if (both.length > 0) out.push(factor('filter-both-directions', `${name} copies ${both.map((s) => s.id).join(', ')} in both directions`));
      if (m.sources.length > 0 && m.filter === undefined) out.push(factor('filter-accepts-all-traffic', `${name} has no ACL or VLAN filter: everything on its sources is copied`));
      break;
    }
    case 'azure':
      // A vTAP copies everything of the NICs attached to it; there is no filter to judge.
      break;
  }
}

/** Orders factors for display: strongest first, then by name. */
export function sortFactors<T extends { weight: number; name: string }>(factors: T[]): T[] {
  return factors.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Numeric ECS `event.severity` of a severity. */
export function severityNumber(s: Severity): number {
  return SEVERITY_NUMBERS[s].severity;
}
