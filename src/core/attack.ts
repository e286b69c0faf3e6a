/** ATT&CK identifiers for the technique mirrorwatch detects (ATT&CK v18.1; T1020.001 unchanged in v19). */

/** Tactic, technique and sub-technique for Traffic Duplication, with their canonical URLs (trailing slash). */
export const ATTACK = {
  framework: 'MITRE ATT&CK',
  version: '18.1',
  tactic: { id: 'TA0010', name: 'Exfiltration', reference: 'https://attack.mitre.org/tactics/TA0010/' },
  technique: { id: 'T1020', name: 'Automated Exfiltration', reference: 'https://attack.mitre.org/techniques/T1020/' },
  subtechnique: {
    id: 'T1020.001',
    name: 'Traffic Duplication',
    reference: 'https://attack.mitre.org/techniques/T1020/001/',
  },
} as const;
