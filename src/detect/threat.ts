/**
 * ECS `threat.*` from a rule's Sigma tags (`attack.exfiltration`, `attack.t1020`, `attack.t1020.001`). ECS keeps
 * tactic, technique and sub-technique as parallel arrays (elastic/ecs `schemas/threat.yml`, `normalize: array`).
 * A sub-technique tag implies its parent technique, and T1020.001 implies TA0010, so coverage tools that count
 * either level see the rule (formats.md §4, "Coverage tags don't match").
 */
import { ATTACK } from '../core/attack.js';

/** ATT&CK enterprise tactics by Sigma tag name (ATT&CK v18). */
const TACTICS: Record<string, { id: string; name: string }> = {
  reconnaissance: { id: 'TA0043', name: 'Reconnaissance' },
  resource_development: { id: 'TA0042', name: 'Resource Development' },
  initial_access: { id: 'TA0001', name: 'Initial Access' },
  execution: { id: 'TA0002', name: 'Execution' },
  persistence: { id: 'TA0003', name: 'Persistence' },
  privilege_escalation: { id: 'TA0004', name: 'Privilege Escalation' },
  defense_evasion: { id: 'TA0005', name: 'Defense Evasion' },
  credential_access: { id: 'TA0006', name: 'Credential Access' },
  discovery: { id: 'TA0007', name: 'Discovery' },
  lateral_movement: { id: 'TA0008', name: 'Lateral Movement' },
  collection: { id: 'TA0009', name: 'Collection' },
  command_and_control: { id: 'TA0011', name: 'Command and Control' },
  exfiltration: { id: 'TA0010', name: 'Exfiltration' },
  impact: { id: 'TA0040', name: 'Impact' },
};

/** Technique names mirrorwatch's own content uses; others are shown by id. */
const TECHNIQUE_NAMES: Record<string, string> = {
  [ATTACK.technique.id]: ATTACK.technique.name,
  [ATTACK.subtechnique.id]: ATTACK.subtechnique.name,
  T1040: 'Network Sniffing',
  T1074: 'Data Staged',
  T1537: 'Transfer Data to Cloud Account',
  T1562: 'Impair Defenses',
};

/** Tactic implied by a technique when the rule names none. */
const IMPLIED_TACTIC: Record<string, string> = { T1020: 'exfiltration' };

function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

/** Builds the ECS `threat` object for a rule's tags; empty object when the rule carries no ATT&CK tags. */
export function threatFromTags(tags: readonly string[]): Record<string, unknown> {
  const tactics: { id: string; name: string }[] = [];
  const techniques = new Set<string>();
  const subtechniques = new Set<string>();
  for (const raw of tags) {
    const tag = raw.toLowerCase();
    if (!tag.startsWith('attack.')) continue;
    const value = tag.slice('attack.'.length).replace(/-/g, '_');
    const t = /^t(\d{4})(?:\.(\d{3}))?$/.exec(value);
    if (t) {
      techniques.add(`T${t[1]}`);
      if (t[2]) subtechniques.add(`T${t[1]}.${t[2]}`);
      continue;
    }
    const tactic = TACTICS[value];
    if (tactic && !tactics.some((x) => x.id === tactic.id)) tactics.push(tactic);
  }
  for (const tech of techniques) {
    const implied = IMPLIED_TACTIC[tech];
    if (implied && tactics.length === 0) tactics.push(TACTICS[implied]);
  }
  if (techniques.size === 0 && tactics.length === 0) return {};
  const techList = [...techniques].sort();
  const subList = [...subtechniques].sort();
  const threat: Record<string, unknown> = { framework: ATTACK.framework };
  if (tactics.length > 0) {
    threat.tactic = {
      id: tactics.map((t) => t.id),
      name: tactics.map((t) => t.name),
      reference: tactics.map((t) => `https://attack.mitre.org/tactics/${t.id}/`),
    };
  }
  if (techList.length > 0) {
    const technique: Record<string, unknown> = {
      id: techList,
      name: techList.map((id) => TECHNIQUE_NAMES[id] ?? id),
      reference: techList.map(techniqueUrl),
    };
    if (subList.length > 0) {
      technique.subtechnique = {
        id: subList,
        name: subList.map((id) => TECHNIQUE_NAMES[id] ?? id),
        reference: subList.map(techniqueUrl),
      };
    }
    threat.technique = technique;
  }
  return threat;
}
