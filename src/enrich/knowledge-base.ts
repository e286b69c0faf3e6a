/**
 * What mirrorwatch knows about the technique it detects: MITRE ATT&CK T1020.001 Traffic Duplication, its detection
 * strategy and analytics, data sources, mitigations, the Center for Threat-Informed Defense (CTID) mappings, and
 * references. `mirrorwatch explain T1020.001` prints it, and every alert's playbook carries the mitigations and
 * mappings.
 *
 * Facts come from the ATT&CK STIX data (mitre/cti @421deacb, ATT&CK v18.1: the attack-pattern
 * `attack-pattern--7c46b364-8496-4234-8a56-f7e6727e21e1`, its `mitigates` relationships, detection strategy
 * `x-mitre-detection-strategy--69c06a1c-…` and analytics `x-mitre-analytic--7becb616-…` / `--0729dd54-…`), the CTID
 * Mappings Explorer (center-for-threat-informed-defense/mappings-explorer @2911162c, AWS 12.12.2024 and VERIS 1.4.0
 * mappings on ATT&CK 16.1), and the seed mappings page (`shared/seeds/002_…`). The descriptions are our own words.
 */
import { ATTACK } from '../core/attack.js';

/** One log source of an analytic, as ATT&CK v18 models it (`x_mitre_log_source_references`). */
export interface AnalyticLogSource {
  dataComponent: { id: string; name: string };
  name: string;
  channel: string;
}

/** A tunable element of an analytic (`x_mitre_mutable_elements`) and how mirrorwatch exposes it. */
export interface MutableElement {
  field: string;
  description: string;
  /** Where mirrorwatch lets the user set it, when it does. */
  inMirrorwatch?: string;
}

/** An ATT&CK v18 analytic. */
export interface Analytic {
  id: string;
  stixId: string;
  platform: string;
  summary: string;
  logSources: AnalyticLogSource[];
  mutableElements: MutableElement[];
  /** Where the analytic's text is wrong or cannot work as written, and what mirrorwatch does instead. */
  caveats: string[];
}

/** An ATT&CK mitigation with what it means in practice for traffic mirroring. */
export interface Mitigation {
  id: string;
  name: string;
  url: string;
  /** How ATT&CK says it applies to T1020.001 (paraphrased). */
  summary: string;
  /** Concrete steps per platform. */
  inPractice: string[];
}

/** One row of a CTID mapping (Mappings Explorer unified schema: `mapping_objects[]`). */
export interface CapabilityMapping {
  framework: string;
  frameworkVersion: string;
  attackVersion: string;
  capabilityId: string;
  capability: string;
  mappingType: string;
  /** `score_category` (protect / detect / respond) for technique_scores mappings. */
  category?: string;
  /** `score_value` (minimal / partial / significant). */
  score?: string;
  /** The ATT&CK object the row maps to (T1020.001, or the parent T1020 where noted). */
  attackId: string;
  comment: string;
}

/** A reference with its title. */
export interface Reference {
  title: string;
  url: string;
}

/** Everything mirrorwatch knows about one technique. */
export interface TechniqueKnowledge {
  id: string;
  name: string;
  stixId: string;
  url: string;
  attackVersion: string;
  parent: { id: string; name: string; url: string };
  tactic: { id: string; name: string; url: string };
  /** The technique in plain words (ours, not ATT&CK's text). */
  description: string[];
  platforms: string[];
  platformNote: string;
  detectionStrategy: { id: string; name: string; url: string; stixId: string; analytics: Analytic[] };
  dataSources: { id: string; name: string; note: string }[];
  mitigations: Mitigation[];
  mappings: CapabilityMapping[];
  /** What the mappings say taken together. */
  mappingNotes: string[];
  /** How mirrorwatch covers the technique. */
  coverage: string[];
  references: Reference[];
}

/** Mitigations of T1020.001 (ATT&CK v18.1 `mitigates` relationships: M1041, M1018, M1057; not M1026). */
const MITIGATIONS: Mitigation[] = [
  {
    id: 'M1041',
    name: 'Encrypt Sensitive Information',
    url: 'https://attack.mitre.org/mitigations/M1041/',
    summary:
      'Encrypt traffic on the wire and use authentication protocols that resist replay, so that a mirrored copy carries ciphertext rather than credentials, tokens or data.',
    inPractice: [
      'Use TLS for every service inside the VPC / VNet, not only at the edge; a mirror sees east-west traffic in clear text otherwise.',
      'Protect links between sites and between hosts with IPsec or MACsec where devices support it; ERSPAN copies of encrypted frames are useless to the receiver.',
      'Prefer authentication that never sends a reusable secret (Kerberos, mutual TLS) over protocols that do (basic auth, NTLM over HTTP).',
    ],
  },
  {
    id: 'M1018',
    name: 'User Account Management',
    url: 'https://attack.mitre.org/mitigations/M1018/',
    summary:
      'Grant the permission to create or change traffic mirrors only to the principals that need it, and review who holds it.',
    inPractice: [
      'AWS: allow ec2:CreateTrafficMirrorSession, ec2:CreateTrafficMirrorTarget, ec2:ModifyTrafficMirror* and ec2:CreateTrafficMirrorFilterRule only to the NDR deployment role; deny them elsewhere with a service control policy.',
      'Azure: keep Microsoft.Network/virtualNetworkTaps/write and Microsoft.Network/networkInterfaces/tapConfigurations/write out of broad roles (Network Contributor has them); grant a custom role to the monitoring team.',
      'GCP: grant the compute.packetMirrorings.create and compute.packetMirrorings.update permissions (and the roles that carry them) only to the security project\'s automation; check with gcloud projects get-iam-policy who holds them.',
      'Network devices: use AAA command authorization (TACACS+) so that only the network monitoring group may enter monitor session / monitor-session / forwarding-options analyzer commands.',
    ],
  },
  {
    id: 'M1057',
    name: 'Data Loss Prevention',
    url: 'https://attack.mitre.org/mitigations/M1057/',
    summary: 'Monitor and control where sensitive data flows, so that a copy leaving for an unexpected destination is seen and stopped.',
    inPractice: [
      'Watch for VXLAN (UDP 4789), GRE/ERSPAN (IP protocol 47) and GENEVE (UDP 6081) flows leaving the environment or reaching hosts that are not approved collectors.',
      'Block mirrored-traffic encapsulations at the egress of production networks unless they go to the approved collector.',
    ],
  },
];

/** CTID Mappings Explorer rows for T1020.001 (and the VERIS row the seed page lists). */
const MAPPINGS: CapabilityMapping[] = [
  {
    framework: 'VERIS',
    frameworkVersion: '1.4.0',
    attackVersion: '16.1',
    capabilityId: 'attribute.confidentiality.data_disclosure',
    capability: 'Confidentiality attribute: data disclosure',
    mappingType: 'related-to',
    attackId: 'T1020.001',
    comment: 'A duplicated traffic stream discloses whatever it carries: record incidents under confidentiality / data disclosure.',
  },
  {
    framework: 'VERIS',
    frameworkVersion: '1.4.0',
    attackVersion: '16.1',
    capabilityId: 'action.malware.variety.Export data',
    capability: 'Export data to another site or system',
    mappingType: 'related-to',
    attackId: 'T1020.001',
    comment:
      'Listed for T1020.001 on the Mappings Explorer technique page (seed 002); in the VERIS 1.4.0 mapping file the row is attached to the parent T1020.',
  },
  {
    framework: 'AWS',
    frameworkVersion: '12.12.2024',
    attackVersion: '16.1',
    capabilityId: 'aws_config',
    capability: 'AWS Config',
    mappingType: 'technique_scores',
    category: 'protect',
    score: 'partial',
    attackId: 'T1020.001',
    comment:
      'Managed rules that check TLS is enforced, so mirrored traffic is encrypted: acm-certificate-expiration-check, alb-http-to-https-redirection-check, api-gw-ssl-enabled, cloudfront-custom-ssl-certificate, cloudfront-sni-enabled, cloudfront-viewer-policy-https, elb-acm-certificate-required, elb-custom-security-policy-ssl-check, elb-predefined-security-policy-ssl-check, elb-tls-https-listeners-only, redshift-require-tls-ssl, s3-bucket-ssl-requests-only, elasticsearch-node-to-node-encryption-check. Partial: they cover some services only and help only against a receiver that cannot decrypt.',
  },
  {
    framework: 'AWS',
    frameworkVersion: '12.12.2024',
    attackVersion: '16.1',
    capabilityId: 'aws_iot_device_defender',
    capability: 'AWS IoT Device Defender',
    mappingType: 'technique_scores',
    category: 'protect',
    score: 'partial',
    attackId: 'T1020.001',
    comment:
      'Audit checks on CA and device certificates (CA_CERTIFICATE_EXPIRING_CHECK, CA_CERTIFICATE_KEY_QUALITY_CHECK, REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK, DEVICE_CERTIFICATE_EXPIRING_CHECK, DEVICE_CERTIFICATE_KEY_QUALITY_CHECK, DEVICE_CERTIFICATE_SHARED_CHECK, REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK) with the UPDATE_CA_CERTIFICATE, UPDATE_DEVICE_CERTIFICATE and ADD_THINGS_TO_THING_GROUP mitigation actions keep IoT traffic under working TLS. Partial: IoT traffic only, and only against a receiver that cannot decrypt.',
  },
];

/** The knowledge base, by technique id. */
export const KNOWLEDGE: Record<string, TechniqueKnowledge> = {
  'T1020.001': {
    id: ATTACK.subtechnique.id,
    name: ATTACK.subtechnique.name,
    stixId: 'attack-pattern--7c46b364-8496-4234-8a56-f7e6727e21e1',
    url: ATTACK.subtechnique.reference,
    attackVersion: ATTACK.version,
    parent: { id: ATTACK.technique.id, name: ATTACK.technique.name, url: ATTACK.technique.reference },
    tactic: { id: ATTACK.tactic.id, name: ATTACK.tactic.name, url: ATTACK.tactic.reference },
    description: [
      'Switches, routers and cloud networks can copy the packets of chosen interfaces, subnets or instances to another place for analysis: SPAN, RSPAN and ERSPAN on Cisco and Arista, analyzers and port mirroring on Juniper, AWS Traffic Mirroring, Azure virtual network TAP and GCP Packet Mirroring. Defenders use the feature to feed IDS and NDR sensors.',
      'An adversary with enough privilege uses the same feature to send a copy of a victim\'s traffic to a collector they control, often in another account or project or across the internet inside GRE or VXLAN, and reads credentials, session tokens and data from it without touching the victim hosts or disturbing the flows.',
      'On network devices the mirror may also be set up through a modified image (ROMMONkit, T1542.004; Patch System Image, T1601.001). The copy is typically combined with Network Sniffing (T1040), Input Capture (T1056) or Adversary-in-the-Middle (T1557).',
    ],
    platforms: ['Network Devices', 'IaaS'],
    platformNote: 'as of ATT&CK v18; earlier versions said Network (2022), then Network and IaaS',
    detectionStrategy: {
      id: 'DET0403',
      name: 'Detection Strategy for Traffic Duplication via Mirroring in IaaS and Network Devices',
      url: 'https://attack.mitre.org/detectionstrategies/DET0403',
      stixId: 'x-mitre-detection-strategy--69c06a1c-5b36-432c-871b-813957b3c678',
      analytics: [
        {
          id: 'AN1131',
          stixId: 'x-mitre-analytic--7becb616-f907-4533-a425-08ca42440e3f',
          platform: 'IaaS',
          summary:
            'Changes to virtual TAP or mirroring policies that send traffic to destinations that are not approved, confirmed by seeing the mirrored traffic arrive.',
          logSources: [
            {
              dataComponent: { id: 'DC0078', name: 'Network Traffic Flow' },
              name: 'AWS:CloudTrail',
              channel: 'CreateTrafficMirrorSession or ModifyTrafficMirrorTarget',
            },
            {
              dataComponent: { id: 'DC0082', name: 'Network Connection Creation' },
              name: 'AWS:VPCFlowLogs',
              channel: 'Traffic observed on mirror destination instance',
            },
          ],
          mutableElements: [
            {
              field: 'TimeWindow',
              description: 'How soon after the session is created mirrored traffic must be seen (for example 60 s).',
              inMirrorwatch: 'correlation rule timespans (rules/correlations/)',
            },
            {
              field: 'MirrorDestinationCIDR',
              description: 'Which mirror targets are suspicious, for example ranges outside the enterprise.',
              inMirrorwatch: 'approved_collectors in mirrorwatch.tuning.yml (the "unapproved-destination" risk factor)',
            },
            {
              field: 'UserIdentity',
              description: 'Mirroring by principals that are not expected to do it.',
              inMirrorwatch: 'approved_principals in mirrorwatch.tuning.yml and the "new-principal" baseline',
            },
          ],
          caveats: [
            'The EC2 API has no ModifyTrafficMirrorTarget call; the session-side changes are ModifyTrafficMirrorSession and the filter-rule calls, which mirrorwatch watches as well.',
            'VPC Flow Logs do not record mirrored (VXLAN) copies, so the second log source cannot confirm them as written; capture on the collector or flow data from the collector\'s network is needed.',
          ],
        },
        {
          id: 'AN1132',
          stixId: 'x-mitre-analytic--0729dd54-2fda-460a-8bb3-eee02f0f3c4e',
          platform: 'Network Devices',
          summary:
            'Mirroring sessions configured on routers or switches without authorisation, together with traffic from the mirrored interface towards an unexpected destination.',
          logSources: [
            {
              dataComponent: { id: 'DC0078', name: 'Network Traffic Flow' },
              name: 'networkdevice:syslog',
              channel: "Config change: CLI/NETCONF/SNMP – 'monitor session', 'mirror port'",
            },
            {
              dataComponent: { id: 'DC0082', name: 'Network Connection Creation' },
              name: 'networkdevice:Flow',
              channel: 'Traffic from mirrored interface to mirror target IP',
            },
          ],
          mutableElements: [
            { field: 'ConfigChangeType', description: 'Which configuration changes count (CLI, NETCONF, SNMP).' },
            {
              field: 'MirrorDestinationPort',
              description: 'Destination ports that suggest exfiltration of the copy (for example 4443, 8443, 2055).',
            },
            { field: 'DeviceRole', description: 'Devices on which any mirroring is unexpected (core, edge, data-centre).' },
          ],
          caveats: [
            'Per-command logging must be on (IOS archive log config, Junos interactive-commands, TACACS+ command accounting); otherwise only "configured by" messages without the command text exist.',
          ],
        },
      ],
    },
    dataSources: [
      { id: 'DC0078', name: 'Network Traffic Flow', note: 'data component used by both analytics (ATT&CK v18)' },
      { id: 'DC0082', name: 'Network Connection Creation', note: 'data component used by both analytics (ATT&CK v18)' },
      {
        id: 'DS0029',
        name: 'Network Traffic',
        note: 'ATT&CK v17 and earlier listed "Network Traffic: Network Connection Creation" and "Network Traffic: Network Traffic Flow"',
      },
      {
        id: '-',
        name: 'Cloud control-plane audit logs',
        note: 'what mirrorwatch reads: AWS CloudTrail, Azure Activity Log, GCP Cloud Audit Logs (Admin Activity), device syslog and AAA accounting',
      },
    ],
    mitigations: MITIGATIONS,
    mappings: MAPPINGS,
    mappingNotes: [
      'No AWS-native capability is mapped as detecting T1020.001 (both AWS rows are protect/partial); for the parent T1020, Amazon GuardDuty is detect/partial (Behavior:EC2/TrafficVolumeUnusual).',
      'The Azure (04.26.2025) and GCP (03.06.2025) mappings have no T1020.001 rows; GCP maps Cloud IDS (detect/significant) and Google SecOps (detect/minimal) to the parent T1020.',
      'NIST 800-53 rev5 controls that mitigate T1020.001 include CM-5, CM-6, AC-17, CA-3, SC-4 and SC-8.',
    ],
    coverage: [
      'Rules for every mutating mirroring call: AWS Create/Modify/Delete TrafficMirror{Session,Target,Filter,FilterRule} and ModifyTrafficMirrorFilterNetworkServices (plus denied, dry-run and Describe* enumeration), Azure virtualNetworkTaps and networkInterfaces/tapConfigurations write/delete, GCP packetMirrorings insert/patch/delete and firewall-policy mirroring rules, device SPAN/RSPAN/ERSPAN/analyzer/port-mirroring configuration.',
      'Risk factors on every alert (cross-account destination, unapproved collector, accept-all filters, DNS mirroring, new principal or source IP, root or long-lived keys, console/CLI/IaC client, attempts before success) and a severity derived from them.',
      'A playbook in every alert with investigation queries and containment commands filled in with the alert\'s identifiers.',
    ],
    references: [
      { title: 'MITRE ATT&CK T1020.001 Traffic Duplication', url: 'https://attack.mitre.org/techniques/T1020/001/' },
      { title: 'MITRE ATT&CK DET0403', url: 'https://attack.mitre.org/detectionstrategies/DET0403' },
      { title: 'AWS Traffic Mirroring: how it works', url: 'https://docs.aws.amazon.com/vpc/latest/mirroring/traffic-mirroring-how-it-works.html' },
      { title: 'GCP Packet Mirroring', url: 'https://cloud.google.com/vpc/docs/packet-mirroring' },
      { title: 'Azure virtual network TAP', url: 'https://learn.microsoft.com/azure/virtual-network/virtual-network-tap-overview' },
      {
        title: 'Cisco traffic mirroring (SPAN) configuration',
        url: 'https://www.cisco.com/c/en/us/td/docs/routers/crs/software/crs_r5-1/interfaces/configuration/guide/hc51xcrsbook/hc51span.html',
      },
      {
        title: 'Juniper port mirroring on EX Series',
        url: 'https://www.juniper.net/documentation/en_US/junos/topics/concept/port-mirroring-ex-series.html',
      },
      { title: 'US-CERT TA18-106A: Russian state-sponsored cyber actors targeting network infrastructure', url: 'https://www.us-cert.gov/ncas/alerts/TA18-106A' },
      {
        title: 'Cisco blog: attackers continue to target legacy devices',
        url: 'https://community.cisco.com/t5/security-blogs/attackers-continue-to-target-legacy-devices/ba-p/4169954',
      },
      {
        title: 'CTID Mappings Explorer: T1020.001',
        url: 'https://center-for-threat-informed-defense.github.io/mappings-explorer/attack/attack-16.1/domain-enterprise/techniques/T1020/T1020.001/',
      },
    ],
  },
};

/** The technique ids the knowledge base holds. */
export function knownTechniques(): string[] {
  return Object.keys(KNOWLEDGE);
}

/** Looks a technique up by id, case-insensitively (`t1020.001` works); undefined when unknown. */
export function lookupTechnique(id: string): TechniqueKnowledge | undefined {
  const key = Object.keys(KNOWLEDGE).find((k) => k.toLowerCase() === id.trim().toLowerCase());
  return key === undefined ? undefined : KNOWLEDGE[key];
}
