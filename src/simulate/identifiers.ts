/**
 * Formats of the identifiers runbooks are filled in with. A value of the wrong form is reported before anything is
 * printed, so a purple team never copies a command with a mistyped ENI or project. Sources of the rules: EC2 resource
 * ids (`eni-` + 8 or 17 hexadecimal digits, EC2 User Guide, "Resource IDs"), AWS account ids (12 digits), Azure
 * naming rules for resource groups and NICs (Azure Resource Manager, "Naming rules and restrictions for Azure
 * resources"), GCP project ids (6–30 characters, lower-case letters, digits, hyphens, starting with a letter) and
 * RFC 1035 resource names for networks, subnetworks and forwarding rules (Compute Engine, "Naming resources").
 */
import { isIP } from 'node:net';

/** An identifier kind: how it is checked and described. */
export interface IdentifierKind {
  /** What the value is, for messages. */
  what: string;
  /** An example of a valid value. */
  example: string;
  /** undefined when valid, else why not. */
  check(v: string): string | undefined;
}

function pattern(re: RegExp, what: string, example: string, rule: string): IdentifierKind {
  return { what, example, check: (v) => (re.test(v) ? undefined : `${rule}`) };
}

const RFC1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A GCP resource given by name, by `projects/…` path or by `https://www.googleapis.com/compute/v1/…` URL. */
function gcpResource(collection: string, what: string, example: string): IdentifierKind {
  return {
    what,
    example,
    check(v) {
      const name = v.replace(/^https:\/\/www\.googleapis\.com\/compute\/(v1|beta|alpha)\//, '');
      const m = new RegExp(`^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/(global|regions/[a-z]+-[a-z]+[0-9]+)/${collection}/([^/]+)$`).exec(name);
      const last = m ? m[2] : name;
      if (!RFC1035.test(last)) return 'a name of 1–63 lower-case letters, digits and hyphens, starting with a letter (RFC 1035), or its projects/… path';
      return undefined;
    },
  };
}

/** The identifier kinds. */
export const IDENTIFIERS = {
  account: pattern(/^\d{12}$/, 'AWS account id', '111122223333', 'an AWS account id has 12 digits'),
  region: pattern(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/, 'AWS region', 'eu-west-1', 'an AWS region looks like eu-west-1 or us-gov-west-1'),
  eni: pattern(/^eni-([0-9a-f]{8}|[0-9a-f]{17})$/, 'ENI id', 'eni-0a4c1e7b93d2f5068', 'an ENI id is eni- and 8 or 17 lower-case hexadecimal digits'),
  subscription: pattern(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'Azure subscription id', '6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b', 'a subscription id is a GUID (8-4-4-4-12 hexadecimal digits)'),
  resourceGroup: pattern(/^[-\w.()]{0,89}[-\w()]$/u, 'Azure resource group', 'rg-netmon', 'a resource group name has 1–90 letters, digits, underscores, parentheses, hyphens and periods, and does not end with a period'),
  nic: {
    what: 'Azure network interface',
    example: 'fin-api-01-nic',
    check(v: string) {
      const m = /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/networkInterfaces\/([^/]+)$/i.exec(v);
      const name = m ? m[1] : v;
      return /^[A-Za-z0-9]([A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$/.test(name)
        ? undefined
        : 'a NIC name has 1–80 letters, digits, underscores, periods and hyphens, starts with a letter or digit and ends with a letter, digit or underscore (or give its full resource id)';
    },
  },
  location: pattern(/^[a-z]+[a-z0-9]*$/, 'Azure region', 'westeurope', 'an Azure location is a lower-case name such as westeurope'),
  project: pattern(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'GCP project id', 'payments-prod-4821', 'a project id has 6–30 lower-case letters, digits and hyphens, starts with a letter and does not end with a hyphen'),
  gcpRegion: pattern(/^[a-z]+-[a-z]+[0-9]+$/, 'GCP region', 'europe-west1', 'a GCP region looks like europe-west1'),
  network: gcpResource('networks', 'VPC network', 'prod-vpc'),
  subnet: gcpResource('subnetworks', 'subnetwork', 'prod-app'),
  collectorIlb: gcpResource('forwardingRules', 'collector forwarding rule', 'collector-ilb'),
  device: {
    what: 'device host name or address',
    example: 'sw-core-1',
    check: (v: string) => (isIP(v) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(v) ? undefined : 'a host name (letters, digits, hyphens, dots) or an IP address'),
  },
  interface: pattern(
    /^(GigabitEthernet|TenGigabitEthernet|TwentyFiveGigE|FortyGigabitEthernet|HundredGigE|FastEthernet|AppGigabitEthernet|Ethernet|Gi|Te|Tw|Fo|Hu|Fa|Eth|Port-channel|Po)\s?\d+(\/\d+){0,3}$/i,
    'IOS interface',
    'GigabitEthernet1/0/5',
    'an IOS interface looks like GigabitEthernet1/0/5 or Te1/1/3',
  ),
  ip: { what: 'IP address', example: '192.0.2.10', check: (v: string) => (isIP(v) !== 0 ? undefined : 'an IPv4 or IPv6 address') },
  session: pattern(/^([1-9]|[1-5][0-9]|6[0-6])$/, 'monitor session number', '10', 'a Catalyst monitor session number from 1 to 66'),
} as const satisfies Record<string, IdentifierKind>;

/** An identifier kind's name. */
export type IdentifierName = keyof typeof IDENTIFIERS;
