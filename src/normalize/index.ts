/** The ECS view of an event, by dataset (each normalizer follows Elastic's integration for its source). */
import type { Event } from '../core/event.js';
import { cloudtrailEcs } from './aws-cloudtrail.js';
import { azureActivityEcs } from './azure-activity.js';
import { gcpAuditEcs } from './gcp-audit.js';
import { networkDeviceEcs } from './network-device.js';
import { networkFlowEcs } from './network-flow.js';

/** A nested ECS document. */
export type EcsDocument = Record<string, unknown>;

/** Returns the ECS view of an event. */
export function ecsOf(event: Event): EcsDocument {
  switch (event.dataset) {
    case 'aws.cloudtrail':
      return cloudtrailEcs(event);
    case 'azure.activitylogs':
      return azureActivityEcs(event);
    case 'gcp.audit':
      return gcpAuditEcs(event);
    case 'cisco_ios.log':
    case 'cisco_nxos.log':
    case 'cisco_iosxr.log':
    case 'juniper.log':
    case 'arista_eos.log':
    case 'tacacs.accounting':
      return networkDeviceEcs(event);
    case 'network.pcap':
    case 'network.flow':
      return networkFlowEcs(event);
  }
}
