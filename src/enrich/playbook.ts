/**
 * The playbook in every alert (`mirrorwatch.playbook`): what happened in plain words, why it has its severity, the
 * questions to answer with ready-to-run read-only queries, containment commands, ATT&CK mitigations and the CTID
 * mappings, all filled in with the alert's own identifiers (principal, source IP, ENIs / NICs / subnets /
 * interfaces, target and its owner, session number, region, project, subscription).
 *
 * Command syntax is from the tools' own references:
 * - AWS CLI v2: `cloudtrail lookup-events` (--lookup-attributes AttributeKey=Username|AccessKeyId|ResourceName, up
 *   to 90 days; https://awscli.amazonaws.com/v2/documentation/api/latest/reference/cloudtrail/lookup-events.html),
 *   `ec2 describe-|delete-traffic-mirror-{sessions,targets,filters}`, `delete-traffic-mirror-filter-rule`,
 *   `modify-traffic-mirror-filter-network-services --remove-network-services amazon-dns`, `iam update-access-key
 *   --status Inactive`, and the `AWSRevokeOlderSessions` inline policy the IAM console uses to revoke role sessions
 *   (IAM user guide, "Revoking IAM role temporary security credentials").
 * - Azure CLI: `az monitor activity-log list --caller --start-time --end-time`
 *   (https://learn.microsoft.com/cli/azure/monitor/activity-log), the virtual-network-tap extension's
 *   `az network vnet tap show|list|delete` and `az network nic vtap-config list|delete --nic-name --resource-group
 *   --name` (https://learn.microsoft.com/cli/azure/network/nic/vtap-config).
 * - gcloud: `logging read FILTER --project` (https://cloud.google.com/sdk/gcloud/reference/logging/read),
 *   `compute packet-mirrorings describe|list|delete NAME --region`, `update NAME --no-enable`
 *   (https://cloud.google.com/sdk/gcloud/reference/compute/packet-mirrorings/update),
 *   `compute network-firewall-policies mirroring-rules delete PRIORITY --firewall-policy --global-firewall-policy`.
 * - Devices: Cisco IOS-XE / NX-OS `show monitor session`, `no monitor session N` (Catalyst ERSPAN and Nexus SPAN
 *   configuration guides), IOS-XR `show monitor-session … status`, `no monitor-session` (IOS-XR traffic mirroring
 *   guide), Arista EOS `show monitor session` / `no monitor session NAME`, Junos `show forwarding-options analyzer`,
 *   `delete forwarding-options analyzer|port-mirroring` + `commit`.
 * Values taken from logs are quoted for a POSIX shell, so a hostile session name cannot break the command.
 */
import type { MirrorDetails, MirrorSource } from './mirror.js';
import { KNOWLEDGE } from './knowledge-base.js';
import type { AlertFacts, DestinationFacts, RiskFactor, Scoring } from './risk.js';
import { gcpProject } from './risk.js';
import { normaliseResource } from './tuning.js';

/** Which tool a command is for. */
export type PlaybookTool = 'aws' | 'az' | 'gcloud' | 'cisco-ios' | 'cisco-nxos' | 'cisco-iosxr' | 'arista-eos' | 'junos' | 'device';

/** One command: a shell line, or the lines of a device configuration session. */
export interface PlaybookCommand {
  tool: PlaybookTool;
  command: string;
  read_only: boolean;
  note?: string;
}

/** An investigation question, what the alert already answers, and how to find out the rest. */
export interface PlaybookQuestion {
  question: string;
  known?: string;
  commands: PlaybookCommand[];
}

/** A containment step. */
export interface PlaybookAction {
  action: string;
  commands: PlaybookCommand[];
  caution?: string;
}

/** The playbook of one alert. */
export interface Playbook {
  what_happened: string;
  why_this_severity: string;
  investigate: PlaybookQuestion[];
  contain: PlaybookAction[];
  mitigations: { id: string; name: string; url: string; summary: string; advice: string[] }[];
  mappings: { framework: string; id: string; name: string; type: string; category?: string; score?: string; attack_id: string }[];
  references: string[];
}

/** Quotes a value for a POSIX shell when it needs it. */
export function sh(v: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/** Escapes a value for a double-quoted string inside a Cloud Logging filter. */
function lq(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** ISO time without milliseconds, `ms` shifted by `hours`. */
function iso(ms: number, hours: number): string {
  return new Date(ms + hours * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Last segment of a path or URL. */
function last(s: string): string {
  const t = s.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1);
}

/** A named segment of a resource path (`…/regions/<x>/…`), case-insensitive on the segment name. */
function seg(path: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|/)${name}/([^/]+)`, 'i').exec(path);
  return m?.[1];
}

// ---------------------------------------------------------------------------------------------------------------

/** Builds the playbook of one alert; `parts` are the facts of a correlation alert's parts found in the same scan. */
export function buildPlaybook(f: AlertFacts, factors: readonly RiskFactor[], scoring: Scoring, parts: readonly AlertFacts[] = [], now = new Date()): Playbook {
  const kb = KNOWLEDGE['T1020.001'];
  const investigate: PlaybookQuestion[] = [];
  const contain: PlaybookAction[] = [];
  const sources = parts.length > 0 ? parts : [f];
  for (const p of sources) {
    const steps = stepsFor(p, now);
    mergeQuestions(investigate, steps.investigate);
    mergeActions(contain, steps.contain);
  }
  if (contain.length === 0) {
    contain.push({
      action: nothingToContain(f),
      commands: [],
    });
  }
  const platform = f.platform;
  return {
    what_happened: whatHappened(f, factors, parts),
    why_this_severity: whySeverity(scoring, factors),
    investigate,
    contain,
    mitigations: kb.mitigations.map((m) => ({
      id: m.id,
      name: m.name,
      url: m.url,
      summary: m.summary,
      advice: m.inPractice.filter((line) => adviceFits(line, platform)),
    })),
    mappings: kb.mappings.map((m) => ({
      framework: m.framework,
      id: m.capabilityId,
      name: m.capability,
      type: m.mappingType,
      ...(m.category !== undefined ? { category: m.category } : {}),
      ...(m.score !== undefined ? { score: m.score } : {}),
      attack_id: m.attackId,
    })),
    references: [kb.url, kb.detectionStrategy.url, ...kb.mitigations.map((m) => m.url)],
  };
}

/** Keeps the platform-specific advice lines that fit the alert (and every general line). */
function adviceFits(line: string, platform: AlertFacts['platform']): boolean {
  const m = /^(AWS|Azure|GCP|Network devices):/.exec(line);
  if (!m) return true;
  const want = { AWS: 'aws', Azure: 'azure', GCP: 'gcp', 'Network devices': 'network-device' }[m[1]];
  return platform === undefined || want === platform;
}

function mergeQuestions(into: PlaybookQuestion[], add: PlaybookQuestion[]): void {
  for (const q of add) {
    const same = into.find((x) => x.question === q.question);
    if (!same) {
      into.push(q);
      continue;
    }
    for (const c of q.commands) if (!same.commands.some((x) => x.command === c.command)) same.commands.push(c);
  }
}

function mergeActions(into: PlaybookAction[], add: PlaybookAction[]): void {
  for (const a of add) {
    const same = into.find((x) => x.action === a.action);
    if (!same) {
      into.push(a);
      continue;
    }
    for (const c of a.commands) if (!same.commands.some((x) => x.command === c.command)) same.commands.push(c);
  }
}

/** Why there is nothing to remove. */
function nothingToContain(f: AlertFacts): string {
  const m = f.mirror;
  if (m === undefined) return 'Nothing to remove was identified from this alert alone; follow the investigation steps and the linked alerts.';
  if (m.operation === 'read') return 'Nothing was changed (a read). If the reader is not an approved scanner, treat it as reconnaissance: review the principal\'s permissions and recent activity.';
  if (m.outcome === 'denied') return 'Nothing was created: the call was denied. Find out why the principal tried; if it was not expected, treat its credentials as compromised.';
  if (m.outcome === 'dry-run') return 'Nothing was created: a dry run only checks permissions. The caller now knows whether it may mirror; if this was not expected, treat its credentials as compromised.';
  if (m.operation === 'delete' || m.operation === 'remove') return 'The mirroring object is gone, so there is nothing to delete. Establish what it copied, to where, and for how long (see the questions).';
  if (m.outcome === 'failure') return `The call failed${m.outcomeReason !== undefined ? ` (${m.outcomeReason})` : ''}; check that nothing was created after all.`;
  return 'No containment command applies to this kind of object.';
}

/** The plain-words account. */
function whatHappened(f: AlertFacts, factors: readonly RiskFactor[], parts: readonly AlertFacts[]): string {
  const m = f.mirror;
  const out: string[] = [];
  out.push(ensureStop(m?.summary || f.doc.message || f.ruleName));
  if (parts.length > 0) {
    out.push(`It links ${parts.length} actions: ${parts.map((p) => p.mirror?.action ?? p.ruleName).join(', ')}.`);
  }
  if (m !== undefined) {
    const dest = f.destination;
    if (m.operation === 'read') out.push('Only mirroring configuration was read; nothing changed, but reading it is how someone learns what is mirrored and where to add more.');
    else if (m.outcome === 'denied') out.push('The provider refused the call for lack of permission, so nothing was created: someone tried, and may try again with other credentials.');
    else if (m.outcome === 'dry-run') out.push('It was a dry run: the provider only checked the permission (DryRunOperation means it would have been allowed).');
    else if (m.outcome === 'failure') out.push(`The call failed${m.outcomeReason !== undefined ? ` (${m.outcomeReason})` : ''}, so the object was probably not created.`);
    else if (m.operation === 'delete' || m.operation === 'remove') out.push('Copying through this object has stopped; a removal shortly after a creation can be a capture that is being cleaned up.');
    else if (m.objectType === 'target') out.push('A target alone copies nothing; it becomes dangerous when a session sends traffic to it.');
    else if (m.objectType === 'filter' || m.objectType === 'filter-rule' || m.objectType === 'network-services') out.push('A filter decides which packets a session copies; it copies nothing until a session uses it.');
    else if (m.objectType === 'tap-configuration') out.push(`From now on every packet of ${m.sources.map((s) => s.name ?? s.id).join(', ') || 'the NIC'} is copied to the virtual network TAP.`);
    else if (m.sources.length > 0 && dest !== undefined) {
      out.push(`From now on packets of ${m.sources.map(sourceName).join(', ')} are copied to ${dest.label}${dest.resolvedVia !== undefined ? `, ${dest.resolvedVia}` : ''}.`);
    }
    const cross = factors.find((x) => x.name === 'cross-account-destination');
    if (dest?.owner !== undefined && cross !== undefined) {
      if (cross.weight === 0) out.push(`The receiving end belongs to ${f.homeKind ?? 'account'} ${dest.owner}, an approved collector outside ${f.home ?? 'this one'}.`);
      else if (f.establishes) out.push(`The receiving end belongs to ${f.homeKind ?? 'account'} ${dest.owner}, not ${f.home ?? 'this one'}: whoever controls it reads the copy.`);
      else out.push(`The destination it named belongs to ${f.homeKind ?? 'account'} ${dest.owner}, not ${f.home ?? 'this one'}.`);
    }
    if (factors.some((x) => x.name === 'public-destination')) out.push(`The copy travels to ${dest?.ip ?? 'an address'} outside private address space, across networks you do not control.`);
  }
  return out.join(' ');
}

/** A destination in a sentence: its name, what it resolves to, its owner. */
function destinationText(d: DestinationFacts): string {
  return `${d.label}${d.resolvedVia !== undefined ? `, ${d.resolvedVia}` : ''}${d.owner !== undefined ? `; owned by ${d.owner}` : ''}`;
}

function ensureStop(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function sourceName(s: MirrorSource): string {
  switch (s.kind) {
    case 'nic':
      return `NIC ${s.name ?? s.id}`;
    case 'subnet':
      return `subnetwork ${s.name ?? last(s.id)}`;
    case 'instance':
      return `instance ${s.name ?? last(s.id)}`;
    case 'tag':
      return `instances tagged ${s.id}`;
    case 'vlan':
      return `VLAN ${s.id}`;
    case 'remote-vlan':
      return `remote VLAN ${s.id}`;
    case 'eni':
    case 'interface':
    case 'ip':
      return s.id;
  }
}

/** The formula in words for this alert. */
function whySeverity(s: Scoring, factors: readonly RiskFactor[]): string {
  const parts = [`rule level ${s.base_level} (${s.base_score})`];
  const strong = factors.filter((f) => f.strength === 'strong' && f.weight > 0);
  const weak = factors.filter((f) => f.strength === 'weak' && f.weight > 0);
  const mitigating = factors.filter((f) => f.strength === 'mitigating' || f.weight < 0);
  if (strong.length) parts.push(`strong: ${strong.map((f) => `${f.name} +${f.weight}`).join(', ')}`);
  if (weak.length) {
    const capped = s.weak_counted !== s.weak ? ` (counted ${s.weak_counted}${s.base_level === 'informational' ? ': weak factors do not raise an informational rule' : `, capped at ${s.weak_counted}`})` : '';
    parts.push(`weak: ${weak.map((f) => `${f.name} +${f.weight}`).join(', ')}${capped}`);
  }
  if (mitigating.length) {
    const capped = s.mitigating_counted !== s.mitigating ? ` (counted ${s.mitigating_counted})` : '';
    parts.push(`mitigating: ${mitigating.map((f) => `${f.name} ${f.weight}`).join(', ')}${capped}`);
  }
  const zero = factors.filter((f) => f.weight === 0);
  if (zero.length) parts.push(`noted: ${zero.map((f) => f.name).join(', ')}`);
  const raw = s.base_score + s.strong + s.weak_counted + s.mitigating_counted;
  if (raw > s.ceiling && s.ceiling < 100) parts.push(`held at ${s.ceiling}: without a strong factor an alert does not become critical`);
  return `${parts.join('; ')} → score ${s.score}, ${s.severity}.`;
}

// ---------------------------------------------------------------------------------------------------------------
// Per platform

interface Steps {
  investigate: PlaybookQuestion[];
  contain: PlaybookAction[];
}

/** Investigation and containment steps of one (non-correlation) alert. */
function stepsFor(f: AlertFacts, now: Date): Steps {
  switch (f.platform) {
    case 'aws':
      return awsSteps(f, now);
    case 'azure':
      return azureSteps(f);
    case 'gcp':
      return gcpSteps(f);
    case 'network-device':
      return deviceSteps(f);
    case undefined:
      return { investigate: genericQuestions(f), contain: [] };
  }
}

/** Questions that need no platform tooling. */
function genericQuestions(f: AlertFacts): PlaybookQuestion[] {
  const who = f.principal?.label ?? 'the actor';
  return [
    { question: `Who is ${who}, and is it expected to manage traffic mirroring?`, known: knownWho(f), commands: [] },
    { question: 'Where did the action come from?', known: knownWhere(f), commands: [] },
  ];
}

function knownWho(f: AlertFacts): string | undefined {
  const p = f.principal;
  if (p === undefined) return undefined;
  const bits = [p.label];
  if (p.type !== undefined) bits.push(`type ${p.type}`);
  if (p.arn !== undefined && !p.label.includes(p.arn)) bits.push(p.arn);
  if (f.accessKeyId !== undefined) bits.push(`access key ${f.accessKeyId}`);
  if (f.client !== undefined) bits.push(`client ${f.client.name}`);
  return bits.join(', ');
}

function knownWhere(f: AlertFacts): string | undefined {
  const bits: string[] = [];
  if (f.sourceIp !== undefined) bits.push(`source IP ${f.sourceIp}`);
  if (f.userAgent !== undefined) bits.push(`user agent "${f.userAgent}"`);
  if (f.client?.kind === 'console') bits.push('a console session');
  return bits.length ? bits.join(', ') : undefined;
}

/** Whether the object still copies something and can be removed. */
function removable(f: AlertFacts): boolean {
  return f.establishes;
}

// AWS -------------------------------------------------------------------------------------------------------------

function awsSteps(f: AlertFacts, now: Date): Steps {
  const m = f.mirror;
  const region = m?.region ?? (typeof f.doc.cloud === 'object' ? String((f.doc.cloud as Record<string, unknown>).region ?? '') : '');
  const r = region ? ` --region ${sh(region)}` : '';
  const t = f.timeMs;
  const when = Number.isNaN(t) ? '' : ` --start-time ${iso(t, -24)} --end-time ${iso(t, 24)}`;
  const p = f.principal;
  const investigate: PlaybookQuestion[] = [];
  const contain: PlaybookAction[] = [];
  const cmd = (command: string, read_only: boolean, note?: string): PlaybookCommand => ({ tool: 'aws', command, read_only, ...(note ? { note } : {}) });

  // Who
  const who: PlaybookCommand[] = [];
  if (p?.type === 'IAMUser' && p.userName !== undefined) {
    who.push(cmd(`aws iam get-user --user-name ${sh(p.userName)}`, true));
    who.push(cmd(`aws iam list-access-keys --user-name ${sh(p.userName)}`, true));
    who.push(cmd(`aws iam list-attached-user-policies --user-name ${sh(p.userName)}`, true));
  } else if (p?.type === 'AssumedRole' && p.roleName !== undefined) {
    who.push(cmd(`aws iam get-role --role-name ${sh(p.roleName)}`, true, 'the trust policy says who may assume the role'));
    who.push(cmd(`aws iam list-attached-role-policies --role-name ${sh(p.roleName)}`, true));
  } else if (f.root) {
    who.push(cmd('aws iam get-account-summary', true, 'AccountMFAEnabled and AccountAccessKeysPresent'));
  }
  if (f.accessKeyId !== undefined) who.push(cmd(`aws iam get-access-key-last-used --access-key-id ${sh(f.accessKeyId)}`, true));
  investigate.push({ question: `Who is ${p?.label ?? 'the caller'}, and is it allowed to set up traffic mirroring?`, known: knownWho(f), commands: who });

  // From where, and what else
  const lookups: PlaybookCommand[] = [];
  const username = f.root ? 'root' : p?.type === 'AssumedRole' ? p.sessionName : p?.userName ?? m?.actor.name;
  if (f.accessKeyId !== undefined) {
    lookups.push(cmd(`aws cloudtrail lookup-events${r} --lookup-attributes ${sh(`AttributeKey=AccessKeyId,AttributeValue=${f.accessKeyId}`)}${when}`, true));
  }
  if (username !== undefined) {
    lookups.push(cmd(`aws cloudtrail lookup-events${r} --lookup-attributes ${sh(`AttributeKey=Username,AttributeValue=${username}`)}${when}`, true, 'CloudTrail\'s Username is the session name for assumed roles'));
  }
  investigate.push({ question: `Where did the call come from, and what else did ${p?.label ?? 'the caller'} do around ${Number.isNaN(t) ? 'that time' : iso(t, 0)}?`, known: knownWhere(f), commands: lookups });

  if (m !== undefined) {
    // Sources
    const enis = m.sources.filter((s) => s.kind === 'eni').map((s) => s.id);
    if (enis.length > 0) {
      investigate.push({
        question: `Which instance and workload does ${enis.join(', ')} belong to, and what sensitive traffic does it carry?`,
        commands: [
          cmd(`aws ec2 describe-network-interfaces${r} --network-interface-ids ${enis.map(sh).join(' ')}`, true),
          cmd(`aws ec2 describe-traffic-mirror-sessions${r} --filters ${sh(`Name=network-interface-id,Values=${enis.join(',')}`)}`, true, 'every session mirroring these ENIs'),
        ],
      });
    }
    // Target and owner
    const target = m.objectType === 'target' ? m.objectId : m.destination?.kind === 'mirror-target' ? m.destination.id : undefined;
    const destCmds: PlaybookCommand[] = [];
    if (target !== undefined) {
      destCmds.push(cmd(`aws ec2 describe-traffic-mirror-targets${r} --traffic-mirror-target-ids ${sh(target)}`, true));
      destCmds.push(cmd(`aws ec2 describe-traffic-mirror-sessions${r} --filters ${sh(`Name=traffic-mirror-target-id,Values=${target}`)}`, true, 'every session sending to this target'));
    }
    const nlb = m.destination?.kind === 'nlb' ? m.destination.id : f.destination?.ids.find((i) => i.startsWith('arn:') && i.includes(':loadbalancer/'));
    if (nlb !== undefined) destCmds.push(cmd(`aws elbv2 describe-load-balancers --region ${sh(nlb.split(':')[3] || region)} --load-balancer-arns ${sh(nlb)}`, true, 'works only with credentials of the account that owns the load balancer'));
    if (f.destination?.owner !== undefined && f.destination.owner !== f.home) {
      destCmds.push(cmd(`aws organizations describe-account --account-id ${sh(f.destination.owner)}`, true, 'from the management account; an error means the account is not in your organization'));
    }
    if (destCmds.length > 0 || f.destination !== undefined) {
      investigate.push({
        question: `Where does the copy go, and who owns ${f.destination?.owner !== undefined ? `account ${f.destination.owner}` : 'the receiving end'}?`,
        known: f.destination !== undefined ? destinationText(f.destination) : undefined,
        commands: destCmds,
      });
    }
    // Filter
    const filter = m.filter?.id ?? (m.objectType === 'filter' ? m.objectId : undefined);
    if (filter !== undefined) {
      investigate.push({
        question: `What does filter ${filter} let through?`,
        commands: [cmd(`aws ec2 describe-traffic-mirror-filters${r} --traffic-mirror-filter-ids ${sh(filter)}`, true)],
      });
    }
    // History of the object
    if (m.objectId !== undefined) {
      investigate.push({
        question: `What happened to ${m.objectId} before and after this call (created, changed, deleted)?`,
        commands: [cmd(`aws cloudtrail lookup-events${r} --lookup-attributes ${sh(`AttributeKey=ResourceName,AttributeValue=${m.objectId}`)}`, true, 'the last 90 days')],
      });
    }

    // Containment
    if (removable(f)) {
      const session = m.objectType === 'session' ? m.objectId : undefined;
      if (session !== undefined) {
        contain.push({ action: `Stop the copy: delete traffic mirror session ${session}.`, commands: [cmd(`aws ec2 delete-traffic-mirror-session${r} --traffic-mirror-session-id ${sh(session)}`, false)] });
      }
      if (target !== undefined && (f.destination?.owner === undefined || f.destination.owner !== f.home || m.objectType === 'target' || session !== undefined)) {
        contain.push({
          action: `Delete traffic mirror target ${target} unless it is an approved collector.`,
          commands: [cmd(`aws ec2 delete-traffic-mirror-target${r} --traffic-mirror-target-id ${sh(target)}`, false)],
          caution: 'A target in use cannot be deleted: delete the sessions listed by describe-traffic-mirror-sessions for it first.',
        });
      }
      if (m.objectType === 'filter-rule' && m.objectId !== undefined) {
        contain.push({ action: `Delete filter rule ${m.objectId}.`, commands: [cmd(`aws ec2 delete-traffic-mirror-filter-rule${r} --traffic-mirror-filter-rule-id ${sh(m.objectId)}`, false)] });
      }
      if (m.objectType === 'network-services' && filter !== undefined) {
        contain.push({
          action: `Stop mirroring Amazon DNS traffic through filter ${filter}.`,
          commands: [cmd(`aws ec2 modify-traffic-mirror-filter-network-services${r} --traffic-mirror-filter-id ${sh(filter)} --remove-network-services amazon-dns`, false)],
        });
      }
      if (filter !== undefined && m.objectType !== 'network-services') {
        contain.push({
          action: `Delete traffic mirror filter ${filter} unless an approved session uses it.`,
          commands: [cmd(`aws ec2 delete-traffic-mirror-filter${r} --traffic-mirror-filter-id ${sh(filter)}`, false)],
          caution: 'A filter in use cannot be deleted: delete the sessions that use it first.',
        });
      }
    }
    // Credentials
    if (!(f.outcome === 'success' && m.operation === 'read')) {
      if (p?.type === 'IAMUser' && p.userName !== undefined && f.accessKeyId !== undefined && /^AKIA/.test(f.accessKeyId)) {
        contain.push({
          action: `If ${p.label} did not make this change, deactivate access key ${f.accessKeyId}.`,
          commands: [cmd(`aws iam update-access-key --user-name ${sh(p.userName)} --access-key-id ${sh(f.accessKeyId)} --status Inactive`, false)],
        });
      } else if (p?.type === 'AssumedRole' && p.roleName !== undefined) {
        const policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z') } } }],
        });
        contain.push({
          action: `If the role was not used by its owner, revoke the active sessions of role ${p.roleName}.`,
          commands: [cmd(`aws iam put-role-policy --role-name ${sh(p.roleName)} --policy-name AWSRevokeOlderSessions --policy-document ${sh(policy)}`, false, 'denies every session issued before now; set the time to when you run it')],
          caution: 'Also revoke whatever let the caller assume the role (its trust policy, the source credentials).',
        });
      } else if (f.root) {
        contain.push({
          action: 'Secure the root user: change its password, delete its access keys, make sure MFA is on (root sign-in is needed; no CLI can do this).',
          commands: [],
        });
      }
    }
  }
  return { investigate, contain };
}

// Azure -----------------------------------------------------------------------------------------------------------

function azureSteps(f: AlertFacts): Steps {
  const m = f.mirror;
  const sub = m?.subscription ?? f.home;
  const s = sub !== undefined ? ` --subscription ${sh(sub)}` : '';
  const t = f.timeMs;
  const when = Number.isNaN(t) ? '' : ` --start-time ${iso(t, -24)} --end-time ${iso(t, 24)}`;
  const p = f.principal;
  const cmd = (command: string, read_only: boolean, note?: string): PlaybookCommand => ({ tool: 'az', command, read_only, ...(note ? { note } : {}) });
  const investigate: PlaybookQuestion[] = [];
  const contain: PlaybookAction[] = [];

  const who: PlaybookCommand[] = [];
  if (p?.upn !== undefined) {
    who.push(cmd(`az ad user show --id ${sh(p.upn)}`, true));
    who.push(cmd(`az role assignment list --assignee ${sh(p.upn)} --all`, true, 'Network Contributor and Owner can create taps'));
  } else if (p?.appId !== undefined) {
    who.push(cmd(`az ad sp show --id ${sh(p.appId)}`, true));
    who.push(cmd(`az role assignment list --assignee ${sh(p.appId)} --all`, true));
  }
  investigate.push({ question: `Who is ${p?.label ?? 'the caller'}, and is it allowed to create virtual network TAPs?`, known: knownWho(f), commands: who });

  const caller = p?.upn ?? p?.appId;
  const lookups: PlaybookCommand[] = [];
  if (caller !== undefined) lookups.push(cmd(`az monitor activity-log list --caller ${sh(caller)}${when}${s}`, true));
  investigate.push({ question: `Where did the call come from, and what else did ${p?.label ?? 'the caller'} do around ${Number.isNaN(t) ? 'that time' : iso(t, 0)}?`, known: knownWhere(f), commands: lookups });

  if (m !== undefined) {
    const nics = m.sources.filter((x) => x.kind === 'nic');
    if (nics.length > 0) {
      investigate.push({
        question: `Which VM and workload use ${nics.map((n) => n.name ?? last(n.id)).join(', ')}, and which other tap configurations do they have?`,
        commands: nics.flatMap((n) => {
          const rg = seg(n.id, 'resourceGroups');
          const out = [cmd(`az network nic show --ids ${sh(n.id)}`, true)];
          if (rg !== undefined) out.push(cmd(`az network nic vtap-config list --nic-name ${sh(n.name ?? last(n.id))} --resource-group ${sh(rg)}${s}`, true));
          return out;
        }),
      });
    }
    const vtapId = m.objectType === 'vtap' ? m.objectId : m.destination?.kind === 'vtap' ? m.destination.id : undefined;
    const dest = f.destination;
    const destCmds: PlaybookCommand[] = [];
    if (vtapId !== undefined) destCmds.push(cmd(`az network vnet tap show --ids ${sh(vtapId)}`, true, 'lists the NIC tap configurations that feed it'));
    for (const id of dest?.ids ?? []) {
      if (/\/ipconfigurations\//i.test(id)) destCmds.push(cmd(`az network nic show --ids ${sh(id.replace(/\/ipconfigurations\/.*$/i, ''))}`, true, 'the collector NIC'));
      else if (/\/frontendipconfigurations\//i.test(id)) destCmds.push(cmd(`az network lb show --ids ${sh(id.replace(/\/frontendipconfigurations\/.*$/i, ''))}`, true, 'the collector load balancer'));
    }
    if (dest?.owner !== undefined && dest.owner !== f.home) destCmds.push(cmd(`az account show --subscription ${sh(dest.owner)}`, true, 'an error means the subscription is not one you can see'));
    if (dest !== undefined) {
      investigate.push({
        question: `Where does the copy go, and who owns ${dest.owner !== undefined ? `subscription ${dest.owner}` : 'the receiving end'}?`,
        known: destinationText(dest),
        commands: destCmds,
      });
    }
    if (m.objectId !== undefined) {
      investigate.push({
        question: `What happened to ${m.objectName ?? last(m.objectId)} before and after this call?`,
        commands: [cmd(`az monitor activity-log list --resource-id ${sh(m.objectId)}${when}`, true)],
      });
    }
    if (removable(f)) {
      if (m.objectType === 'tap-configuration' && m.objectId !== undefined) {
        const rg = seg(m.objectId, 'resourceGroups');
        const nic = seg(m.objectId, 'networkInterfaces');
        const name = m.objectName ?? last(m.objectId);
        if (rg !== undefined && nic !== undefined) {
          contain.push({
            action: `Stop the copy: remove tap configuration ${name} from NIC ${nic}.`,
            commands: [cmd(`az network nic vtap-config delete --name ${sh(name)} --nic-name ${sh(nic)} --resource-group ${sh(rg)}${s}`, false)],
          });
        }
      }
      if (vtapId !== undefined) {
        const rg = seg(vtapId, 'resourceGroups');
        const name = last(vtapId);
        if (rg !== undefined) {
          contain.push({
            action: `Remove virtual network TAP ${name} unless it is an approved collector.`,
            commands: [cmd(`az network vnet tap delete --name ${sh(name)} --resource-group ${sh(rg)} --subscription ${sh(azureSub(vtapId) ?? sub ?? '')}`, false)],
            caution: 'Remove the NIC tap configurations that reference it first (az network vnet tap show lists them).',
          });
        }
      }
    }
    if (m.operation !== 'read') {
      if (p?.upn !== undefined) {
        contain.push({
          action: `If ${p.upn} did not make this change, block the account and revoke its sessions.`,
          commands: [
            cmd(`az ad user update --id ${sh(p.upn)} --account-enabled false`, false),
            cmd(`az rest --method POST --url ${sh(`https://graph.microsoft.com/v1.0/users/${p.upn}/revokeSignInSessions`)}`, false),
          ],
        });
      } else if (p?.appId !== undefined) {
        contain.push({
          action: `If application ${p.appId} did not make this change, review and rotate its credentials.`,
          commands: [cmd(`az ad sp credential list --id ${sh(p.appId)}`, true)],
        });
      }
    }
  }
  return { investigate, contain };
}

function azureSub(id: string): string | undefined {
  return /\/subscriptions\/([^/]+)/i.exec(id)?.[1];
}

// GCP -------------------------------------------------------------------------------------------------------------

function gcpSteps(f: AlertFacts): Steps {
  const m = f.mirror;
  const project = m?.project ?? f.home;
  const pr = project !== undefined ? ` --project ${sh(project)}` : '';
  const t = f.timeMs;
  const p = f.principal;
  const cmd = (command: string, read_only: boolean, note?: string): PlaybookCommand => ({ tool: 'gcloud', command, read_only, ...(note ? { note } : {}) });
  const investigate: PlaybookQuestion[] = [];
  const contain: PlaybookAction[] = [];
  const timeFilter = Number.isNaN(t) ? '' : ` AND timestamp>="${iso(t, -24)}" AND timestamp<="${iso(t, 24)}"`;

  const email = p?.email;
  const isSa = email !== undefined && email.endsWith('.iam.gserviceaccount.com');
  const saProject = isSa ? /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1] : undefined;
  const who: PlaybookCommand[] = [];
  if (isSa) {
    who.push(cmd(`gcloud iam service-accounts describe ${sh(email)}${saProject !== undefined ? ` --project ${sh(saProject)}` : ''}`, true));
    who.push(cmd(`gcloud iam service-accounts keys list --iam-account ${sh(email)} --managed-by=user`, true, 'user-managed keys are long-lived and can leak'));
  }
  if (email !== undefined && project !== undefined) {
    who.push(
      cmd(
        `gcloud projects get-iam-policy ${sh(project)} --flatten=${sh('bindings[].members')} --filter=${sh(`bindings.members:${email}`)} --format=${sh('table(bindings.role)')}`,
        true,
        'roles that carry compute.packetMirrorings.* permissions',
      ),
    );
  }
  investigate.push({ question: `Who is ${p?.label ?? 'the caller'}, and is it allowed to create packet mirroring policies?`, known: knownWho(f), commands: who });
  const lookups: PlaybookCommand[] = [];
  if (email !== undefined) lookups.push(cmd(`gcloud logging read ${sh(`protoPayload.authenticationInfo.principalEmail="${lq(email)}"${timeFilter}`)}${pr} --format=json`, true));
  investigate.push({ question: `Where did the call come from, and what else did ${p?.label ?? 'the caller'} do around ${Number.isNaN(t) ? 'that time' : iso(t, 0)}?`, known: knownWhere(f), commands: lookups });

  if (m !== undefined) {
    const region = m.region;
    const rg = region !== undefined ? ` --region ${sh(region)}` : '';
    const srcCmds: PlaybookCommand[] = [];
    for (const s of m.sources) {
      const n = normaliseResource(s.id);
      const sp = gcpProject(n) ?? project;
      const spf = sp !== undefined ? ` --project ${sh(sp)}` : '';
      if (s.kind === 'subnet') srcCmds.push(cmd(`gcloud compute networks subnets describe ${sh(last(n))} --region ${sh(seg(n, 'regions') ?? region ?? '')}${spf}`, true));
      else if (s.kind === 'instance') srcCmds.push(cmd(`gcloud compute instances describe ${sh(last(n))} --zone ${sh(seg(n, 'zones') ?? '')}${spf}`, true));
      else if (s.kind === 'tag') srcCmds.push(cmd(`gcloud compute instances list${pr} --filter=${sh(`tags.items=${s.id}`)}`, true));
    }
    if (srcCmds.length > 0) {
      investigate.push({ question: `Which workloads run in ${m.sources.map(sourceName).join(', ')}, and what sensitive traffic do they carry?`, commands: srcCmds });
    }
    const dest = f.destination;
    if (dest !== undefined) {
      const n = normaliseResource(dest.ids[dest.ids.length - 1]);
      const owner = dest.owner;
      const destCmds: PlaybookCommand[] = [];
      if (dest.kind === 'ilb') {
        destCmds.push(cmd(`gcloud compute forwarding-rules describe ${sh(last(n))} --region ${sh(seg(n, 'regions') ?? region ?? '')}${owner !== undefined ? ` --project ${sh(owner)}` : pr}`, true, 'the collector load balancer and its backends'));
      }
      if (owner !== undefined && owner !== project) destCmds.push(cmd(`gcloud projects describe ${sh(owner)}`, true, 'an error means the project is outside what you can see'));
      investigate.push({
        question: `Where does the copy go, and who owns ${owner !== undefined ? `project ${owner}` : 'the receiving end'}?`,
        known: destinationText(dest),
        commands: destCmds,
      });
    }
    if (m.objectType === 'packet-mirroring') {
      const name = m.objectName ?? (m.objectId !== undefined ? last(m.objectId) : undefined);
      const q: PlaybookCommand[] = [cmd(`gcloud compute packet-mirrorings list${pr}`, true)];
      if (name !== undefined) q.unshift(cmd(`gcloud compute packet-mirrorings describe ${sh(name)}${rg}${pr}`, true));
      if (m.objectId !== undefined) q.push(cmd(`gcloud logging read ${sh(`protoPayload.resourceName="${lq(m.objectId)}"`)}${pr} --format=json`, true, 'every change to this policy'));
      const question = name !== undefined ? `Is ${name} still in place, and what else mirrors in ${project ?? 'the project'}?` : `Which packet mirroring policies exist in ${project ?? 'the project'}, and to which collectors?`;
      investigate.push({ question, commands: q });
      if (removable(f) && name !== undefined && m.enabled !== false) {
        contain.push({
          action: `Stop the copy: delete packet mirroring policy ${name} (or disable it to keep it for the investigation).`,
          commands: [cmd(`gcloud compute packet-mirrorings delete ${sh(name)}${rg}${pr}`, false), cmd(`gcloud compute packet-mirrorings update ${sh(name)}${rg}${pr} --no-enable`, false, 'keeps the policy but stops mirroring')],
        });
      }
      if (m.operation === 'modify' && m.enabled === false) {
        investigate.push({
          question: `${name ?? 'The policy'} was switched off: was it the defenders' own mirroring (their NDR sensor is now blind)?`,
          commands: name !== undefined ? [cmd(`gcloud compute packet-mirrorings describe ${sh(name)}${rg}${pr}`, true)] : [],
        });
      }
    }
    if (m.objectType === 'mirroring-rule' && m.objectId !== undefined) {
      const policyPath = m.objectId.replace(/#\d+$/, '');
      const policy = last(policyPath);
      const priority = m.priority;
      const global = /\/global\/firewallPolicies\//i.test(policyPath) || /networkFirewallPolicies/i.test(m.action);
      const org = /^locations\/global\/firewallPolicies\//i.test(policyPath) || /\.firewallPolicies\./.test(m.action);
      investigate.push({
        question: `What does mirroring rule ${m.objectName ?? ''} in firewall policy ${policy} select, and where does its security profile group send it?`.replace('  ', ' '),
        commands: org ? [] : [cmd(`gcloud compute network-firewall-policies describe ${sh(policy)} --global${pr}`, true)],
      });
      if (removable(f) && priority !== undefined && global && !org) {
        contain.push({
          action: `Delete mirroring rule ${priority} from firewall policy ${policy}.`,
          commands: [cmd(`gcloud compute network-firewall-policies mirroring-rules delete ${priority} --firewall-policy=${sh(policy)} --global-firewall-policy${pr}`, false)],
        });
      }
    }
    if (m.operation !== 'read' && isSa) {
      const key = f.serviceAccountKey?.split('/').pop();
      contain.push({
        action: `If ${email} did not make this change, disable it${key !== undefined ? ` and the key ${key} it used` : ''}.`,
        commands: [
          cmd(`gcloud iam service-accounts disable ${sh(email)}${saProject !== undefined ? ` --project ${sh(saProject)}` : ''}`, false),
          ...(key !== undefined ? [cmd(`gcloud iam service-accounts keys disable ${sh(key)} --iam-account ${sh(email)}`, false)] : []),
        ],
      });
    } else if (m.operation !== 'read' && email !== undefined) {
      contain.push({ action: `If ${email} did not make this change, suspend the account in your identity provider and remove its project roles.`, commands: [] });
    }
  }
  return { investigate, contain };
}

// Network devices ----------------------------------------------------------------------------------------------------

type Dialect = 'cisco-ios' | 'cisco-nxos' | 'cisco-iosxr' | 'arista-eos' | 'junos' | 'device';

function dialectOf(m: MirrorDetails, dataset: unknown): Dialect {
  const os = (m.os ?? '').toLowerCase();
  const vendor = (m.vendor ?? '').toLowerCase();
  if (vendor === 'juniper' || os === 'junos' || dataset === 'juniper.log') return 'junos';
  if (os === 'iosxr' || dataset === 'cisco_iosxr.log' || /monitor-session/i.test(m.action)) return 'cisco-iosxr';
  if (os === 'nxos' || dataset === 'cisco_nxos.log') return 'cisco-nxos';
  if (vendor === 'arista' || os === 'eos' || dataset === 'arista_eos.log') return 'arista-eos';
  if (vendor === 'cisco' || os === 'ios' || os === 'ios-xe' || dataset === 'cisco_ios.log') return 'cisco-ios';
  // Unknown dialect (a TACACS+ line names no OS): the command shape tells Arista's GRE form and names like S1.
  if (m.destination?.kind === 'gre') return 'arista-eos';
  return 'cisco-ios';
}

function deviceSteps(f: AlertFacts): Steps {
  const m = f.mirror;
  const investigate: PlaybookQuestion[] = [];
  const contain: PlaybookAction[] = [];
  if (m === undefined) return { investigate: genericQuestions(f), contain };
  const dialect = dialectOf(m, (f.doc.event as Record<string, unknown> | undefined)?.dataset);
  const tool: PlaybookTool = dialect;
  const cmd = (command: string, read_only: boolean, note?: string): PlaybookCommand => ({ tool, command, read_only, ...(note ? { note } : {}) });
  const device = m.device ?? 'the device';
  const user = f.principal?.userName ?? m.actor.name;
  const id = m.objectId;

  // Who and from where
  const who: PlaybookCommand[] = [];
  switch (dialect) {
    case 'junos':
      who.push(cmd('show system users', true), cmd('show system commit', true, 'who committed which change'));
      if (user !== undefined) who.push(cmd(`show log messages | match ${user}`, true));
      break;
    case 'cisco-iosxr':
      who.push(cmd('show users', true), cmd('show configuration commit list', true, 'who committed which change'));
      break;
    case 'cisco-nxos':
      who.push(cmd('show users', true), cmd('show accounting log', true, 'every configuration command with user and result'));
      break;
    case 'cisco-ios':
      who.push(cmd('show users', true), cmd('show archive log config all', true, 'the configuration change log, if archive logging is on'));
      if (user !== undefined) who.push(cmd(`show logging | include ${user}`, true));
      break;
    case 'arista-eos':
    case 'device':
      who.push(cmd('show users', true));
      if (user !== undefined) who.push(cmd(`show logging | include ${user}`, true));
      break;
  }
  investigate.push({
    question: `Who is ${user ?? 'the user'} on ${device}, was a change to ${device} planned, and which other devices did the same account touch (check the AAA / TACACS+ accounting log)?`,
    known: knownWho(f) && knownWhere(f) ? `${knownWho(f)}; ${knownWhere(f)}` : (knownWho(f) ?? knownWhere(f)),
    commands: who,
  });

  // The session and what it copies
  const show: PlaybookCommand[] = [];
  switch (dialect) {
    case 'junos':
      if (m.objectType === 'analyzer') show.push(cmd(`show forwarding-options analyzer${id !== undefined ? ` ${id}` : ''}`, true));
      else show.push(cmd('show forwarding-options port-mirroring', true));
      break;
    case 'cisco-iosxr':
      show.push(cmd(`show monitor-session${id !== undefined ? ` ${id}` : ''} status detail`, true));
      break;
    case 'cisco-nxos':
      show.push(cmd(`show monitor session ${id ?? 'all'}`, true));
      break;
    case 'cisco-ios':
      if (m.objectType === 'capture') show.push(cmd(`show monitor capture${id !== undefined ? ` ${id}` : ''}`, true));
      else show.push(cmd(`show monitor session ${id ?? 'all'} detail`, true));
      break;
    case 'arista-eos':
    case 'device':
      show.push(cmd(`show monitor session${id !== undefined ? ` ${id}` : ''}`, true));
      break;
  }
  const ifaces = m.sources.filter((s) => s.kind === 'interface').map((s) => s.id);
  for (const i of ifaces.slice(0, 4)) {
    show.push(cmd(dialect === 'junos' ? `show interfaces ${i} descriptions` : `show interfaces ${i} description`, true, 'what the mirrored port connects'));
  }
  investigate.push({
    question: `Is ${objectLabel(m)} on ${device} still configured, and what is connected to ${ifaces.length ? ifaces.join(', ') : 'its sources'}?`,
    commands: show,
  });

  const dest = f.destination;
  if (dest !== undefined) {
    const route: PlaybookCommand[] = [];
    if (dest.ip !== undefined) route.push(cmd(dialect === 'junos' || dialect === 'cisco-iosxr' ? `show route ${dest.ip}` : `show ip route ${dest.ip}`, true, 'which way the copy leaves the device'));
    investigate.push({
      question: dest.remote
        ? `Where does the copy go: who owns ${dest.ip ?? dest.id}, and is it an approved collector?`
        : `What is attached to ${dest.id}, where the copies leave ${device}: an approved analyzer?`,
      known: dest.label,
      commands: route,
    });
  }

  // Containment
  if (removable(f)) {
    const lines = removalLines(m, dialect);
    if (lines.length > 0) {
      contain.push({
        action: `Stop the copy: remove ${objectLabel(m)} on ${device}.`,
        commands: [cmd(lines.join('\n'), false, 'a configuration session; save the configuration afterwards as your change process requires')],
      });
    }
    if (dest?.ip !== undefined && f.destination?.remote) {
      contain.push({
        action: `Block encapsulated copies (GRE, IP protocol 47) from ${dest.id === dest.ip && m.destination?.origin !== undefined ? m.destination.origin : device} to ${dest.ip} at the network edge until the investigation is done.`,
        commands: [],
      });
    }
  }
  if (m.operation !== 'read' && user !== undefined) {
    contain.push({
      action: `If ${user} did not make this change, disable or rotate the account on the AAA server (TACACS+ / RADIUS) and review who holds privilege 15.`,
      commands: [],
    });
  }
  return { investigate, contain };
}

function objectLabel(m: MirrorDetails): string {
  const id = m.objectId;
  switch (m.objectType) {
    case 'analyzer':
      return `analyzer ${id ?? ''}`.trim();
    case 'port-mirroring':
      return id !== undefined && id !== 'default' ? `port-mirroring instance ${id}` : 'port mirroring';
    case 'capture':
      return `packet capture ${id ?? ''}`.trim();
    case 'rspan':
      return m.sessionNumber !== undefined ? `RSPAN session ${m.sessionNumber}` : `RSPAN ${id ?? ''}`.trim();
    case 'erspan':
      return `ERSPAN session ${id ?? ''}`.trim();
    default:
      return `monitor session ${id ?? ''}`.trim();
  }
}

/** Configuration lines that remove the mirror. */
function removalLines(m: MirrorDetails, dialect: Dialect): string[] {
  const id = m.objectId;
  if (id === undefined) return [];
  switch (dialect) {
    case 'junos':
      if (m.objectType === 'analyzer') return ['configure', `delete forwarding-options analyzer ${id}`, 'commit'];
      if (m.objectType === 'port-mirroring') {
        const acl = m.filter?.acl;
        const term = acl !== undefined ? /^(\S+) term (\S+)$/.exec(acl) : null;
        if (term) return ['configure', `delete firewall family inet filter ${term[1]} term ${term[2]} then port-mirror`, 'commit'];
        return ['configure', id === 'default' ? 'delete forwarding-options port-mirroring' : `delete forwarding-options port-mirroring instance ${id}`, 'commit'];
      }
      return [];
    case 'cisco-iosxr': {
      const lines = ['configure'];
      for (const s of m.sources.filter((x) => x.kind === 'interface')) lines.push(`interface ${s.id}`, ` no monitor-session ${id}`, ' exit');
      lines.push(`no monitor-session ${id}`, 'commit', 'end');
      return lines;
    }
    case 'cisco-ios':
      if (m.objectType === 'capture') return [`monitor capture ${id} stop`, `no monitor capture ${id}`];
      if (m.objectType === 'rspan' && m.sessionNumber === undefined && /^\d+$/.test(id)) return ['configure terminal', `vlan ${id}`, ' no remote-span', 'end'];
      return ['configure terminal', `no monitor session ${id}`, 'end'];
    case 'cisco-nxos':
    case 'arista-eos':
    case 'device':
      return ['configure terminal', `no monitor session ${id}`, 'end'];
  }
}
