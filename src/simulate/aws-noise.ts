/**
 * Background CloudTrail activity: the ordinary management events of a working account, in time order, so that
 * scenario records sit among realistic traffic and the output doubles as a benchmark corpus. Many services and
 * identities: Terraform plans under a CI role, AWS Config's own `Describe*` reads (traffic-mirroring ones included,
 * with `invokedBy: config.amazonaws.com`: they must raise nothing), application instance roles decrypting and reading
 * secrets and parameters, SSM agents, people in the console and the CLI, Lambda, AWS services assuming roles, and
 * global IAM/STS reads delivered to us-east-1. Role sessions rotate every hour, as short-lived credentials do.
 *
 * Record sizes follow real CloudTrail (about 0.8–2.5 kB each; AssumeRole responses with session tokens are the
 * largest), so 400,000 records make about 500 MB.
 */
import { assumedRole, awsServiceIdentity, cloudTrailRecord, iamUser, TERRAFORM_AWS_AGENT, type AwsActor, type CallSpec } from './aws-records.js';
import { Random } from './random.js';
import type { SimRecord } from './types.js';

/** Where the noise goes. */
export interface AwsNoiseOptions {
  account: string;
  region: string;
  count: number;
  fromMs: number;
  toMs: number;
}

const HOUR = 3_600_000;

/** The identities active in one hour (sessions rotate hourly). */
interface Cast {
  terraform: AwsActor;
  config: AwsActor;
  apps: AwsActor[];
  ssm: AwsActor[];
  people: AwsActor[];
  lambda: AwsActor;
  cspm: AwsActor;
}

const APP_ROLES = ['app-backend-ec2', 'payments-api-ec2', 'batch-worker-ec2', 'web-frontend-ec2'];
const PEOPLE = ['a.nguyen', 'm.garcia', 'k.okafor', 'j.svensson', 'p.iyer', 'r.haddad'];
const BROWSER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const BOTO_AGENT = 'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36';
const SSM_AGENT = 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.987.0';
const JAVA_AGENT = 'aws-sdk-java/2.28.16 Linux/6.1.109-118.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy cfg/auth-source#imds';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * STS credential expiry as CloudTrail renders it in AssumeRole responses: Java's medium date-time format in UTC,
 * `Oct 2, 2019, 5:14:09 PM` (as in AWS's AssumeRole log example).
 */
function javaDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

/** A public address in documentation-free but ordinary-looking ranges, fixed per actor. */
function publicIp(rng: Random): string {
  const first = rng.pick([3, 18, 34, 35, 44, 52, 54]);
  return `${first}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function castFor(rng: Random, o: AwsNoiseOptions, hour: number): Cast {
  const createdMs = hour * HOUR + rng.int(0, 300) * 1000;
  const run = rng.int(40000, 99999);
  const terraform: AwsActor = {
    identity: assumedRole(rng, o.account, 'ci-terraform-deploy', `gha-run-${run}`, { createdMs }),
    sourceIPAddress: publicIp(rng),
    userAgent: TERRAFORM_AWS_AGENT,
  };
  const config: AwsActor = {
    identity: assumedRole(rng, o.account, 'AWSServiceRoleForConfig', 'AWSConfig-Describe', {
      createdMs,
      invokedBy: 'config.amazonaws.com',
      path: 'aws-service-role/config.amazonaws.com/',
    }),
    sourceIPAddress: 'config.amazonaws.com',
    userAgent: 'config.amazonaws.com',
  };
  const apps = APP_ROLES.map((role) => ({
    identity: assumedRole(rng, o.account, role, `i-${rng.hex(17)}`, { createdMs: createdMs - rng.int(0, 5) * HOUR }),
    sourceIPAddress: rng.chance(0.5) ? `10.${rng.int(0, 3)}.${rng.int(0, 255)}.${rng.int(1, 254)}` : publicIp(rng),
    userAgent: rng.chance(0.5) ? JAVA_AGENT : BOTO_AGENT,
  }));
  const ssm = [0, 1, 2].map(() => ({
    identity: assumedRole(rng, o.account, 'AmazonSSMRoleForInstancesQuickSetup', `i-${rng.hex(17)}`, { createdMs }),
    sourceIPAddress: `10.${rng.int(0, 3)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    userAgent: SSM_AGENT,
  }));
  const people = PEOPLE.map((name, i) => {
    const console = i % 2 === 0;
    const identity =
      i === PEOPLE.length - 1
        ? iamUser(rng, o.account, `svc-${name.replace('.', '-')}`)
        : assumedRole(rng, o.account, `AWSReservedSSO_${i < 2 ? 'AdministratorAccess' : 'ReadOnlyAccess'}_${rng.hex(16)}`, `${name}@example.com`, {
            createdMs,
            path: 'aws-reserved/sso.amazonaws.com/',
          });
    return { identity, sourceIPAddress: publicIp(rng), userAgent: console ? BROWSER_AGENT : BOTO_AGENT, console } as AwsActor;
  });
  const lambda: AwsActor = {
    identity: assumedRole(rng, o.account, 'order-events-handler-role-x3k9q1', 'order-events-handler', { createdMs }),
    sourceIPAddress: publicIp(rng),
    userAgent: 'aws-sdk-nodejs/3.654.0 linux/v20.17.0 exec-env/AWS_Lambda_nodejs20.x api/dynamodb#3.654.0',
  };
  const cspm: AwsActor = {
    identity: assumedRole(rng, o.account, 'SecurityAudit-Scanner', `scan-${rng.hex(8)}`, { createdMs }),
    sourceIPAddress: publicIp(rng),
    userAgent: BOTO_AGENT,
  };
  return { terraform, config, apps, ssm, people, lambda, cspm };
}

/** A noise template: which actor makes which call. */
type Template = (rng: Random, cast: Cast, o: AwsNoiseOptions, t: number) => Omit<CallSpec, 'timeMs'>;

const EC2_DESCRIBES = ['DescribeInstances', 'DescribeSecurityGroups', 'DescribeVpcs', 'DescribeSubnets', 'DescribeNetworkInterfaces', 'DescribeVolumes', 'DescribeRouteTables', 'DescribeInstanceStatus'];
const CONFIG_DESCRIBES = [...EC2_DESCRIBES, 'DescribeTrafficMirrorTargets', 'DescribeTrafficMirrorSessions', 'DescribeTrafficMirrorFilters', 'DescribeNetworkAcls', 'DescribeVpcEndpoints'];

function ec2Describe(name: string, rng: Random): unknown {
  switch (name) {
    case 'DescribeInstances':
      return { instancesSet: { items: [{ instanceId: `i-${rng.hex(17)}` }] }, filterSet: {} };
    case 'DescribeSecurityGroups':
      return { securityGroupSet: {}, securityGroupIdSet: { items: [{ groupId: `sg-${rng.hex(17)}` }] }, filterSet: {} };
    case 'DescribeNetworkInterfaces':
      return { networkInterfaceIdSet: { items: [{ networkInterfaceId: `eni-${rng.hex(17)}` }] }, filterSet: {} };
    case 'DescribeInstanceStatus':
      return { instancesSet: {}, filterSet: {}, includeAllInstances: false };
    case 'DescribeTrafficMirrorTargets':
    case 'DescribeTrafficMirrorSessions':
    case 'DescribeTrafficMirrorFilters':
      return { [`${name}Request`]: { MaxResults: 1000 } };
    default:
      return { maxResults: 1000, filterSet: {} };
  }
}

const KEY_IDS = ['0b6d2a4e-71f3-4c58-9e0a-3d1f5b7c9e21', '5e8f1a2b-3c4d-4e6f-8a9b-0c1d2e3f4a5b', '9c7e5a3b-1d2f-4e6a-8b0c-2d4f6a8c0e1b'];

const TEMPLATES: readonly (readonly [Template, number])[] = [
  // Terraform plan/refresh: EC2 reads with the long provider user agent.
  [
    (rng, c, o) => {
      const name = rng.pick(EC2_DESCRIBES);
      return { actor: c.terraform, region: o.region, account: o.account, eventSource: 'ec2.amazonaws.com', eventName: name, requestParameters: ec2Describe(name, rng), responseElements: null, readOnly: true };
    },
    18,
  ],
  // AWS Config: Describe* including traffic mirroring, with invokedBy (Panther's negative sample, events.md §1.9).
  [
    (rng, c, o) => {
      const name = rng.pick(CONFIG_DESCRIBES);
      return { actor: c.config, region: o.region, account: o.account, eventSource: 'ec2.amazonaws.com', eventName: name, requestParameters: ec2Describe(name, rng), responseElements: null, readOnly: true };
    },
    40,
  ],
  // Instance roles decrypting data keys.
  [
    (rng, c, o) => {
      const key = rng.pick(KEY_IDS);
      const app = rng.pick(c.apps);
      return {
        actor: app,
        region: o.region,
        account: o.account,
        eventSource: 'kms.amazonaws.com',
        eventName: 'Decrypt',
        requestParameters: { encryptionContext: { 'aws:secretsmanager:arn': `arn:aws:secretsmanager:${o.region}:${o.account}:secret:prod/${String((app.identity.sessionContext as { sessionIssuer: { userName: string } }).sessionIssuer.userName).replace('-ec2', '')}/db-${rng.chars(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}` }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        responseElements: null,
        readOnly: true,
        resources: [{ accountId: o.account, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:${o.region}:${o.account}:key/${key}` }],
        eventVersion: '1.09',
      };
    },
    10,
  ],
  // Secrets and parameters read by applications.
  [
    (rng, c, o) => ({
      actor: rng.pick(c.apps),
      region: o.region,
      account: o.account,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      requestParameters: { secretId: `arn:aws:secretsmanager:${o.region}:${o.account}:secret:prod/${rng.pick(['payments', 'orders', 'billing'])}/db-${rng.chars(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}` },
      responseElements: null,
      readOnly: true,
      eventVersion: '1.09',
    }),
    8,
  ],
  [
    (rng, c, o) => ({
      actor: rng.pick(c.apps),
      region: o.region,
      account: o.account,
      eventSource: 'ssm.amazonaws.com',
      eventName: rng.pick(['GetParameter', 'GetParameters', 'GetParametersByPath']),
      requestParameters: { names: [`/prod/${rng.pick(['payments', 'orders', 'web'])}/${rng.pick(['feature-flags', 'db-host', 'queue-url', 'log-level'])}`], withDecryption: true },
      responseElements: null,
      readOnly: true,
    }),
    7,
  ],
  // SSM agents reporting in.
  [
    (rng, c, o) => {
      const a = rng.pick(c.ssm);
      const instance = String(a.identity.principalId).split(':')[1];
      return {
        actor: a,
        region: o.region,
        account: o.account,
        eventSource: 'ssm.amazonaws.com',
        eventName: 'UpdateInstanceInformation',
        requestParameters: { instanceId: instance, agentVersion: '3.3.987.0', agentStatus: 'Active', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2023', iPAddress: a.sourceIPAddress, computerName: `ip-${a.sourceIPAddress.replaceAll('.', '-')}.${o.region}.compute.internal`, agentName: 'amazon-ssm-agent', availabilityZone: `${o.region}a`, availabilityZoneId: 'euw1-az1', sSMConnectionChannel: 'ssmmessages' },
        responseElements: null,
        readOnly: false,
      };
    },
    4,
  ],
  // People: console and CLI reads, a few changes.
  [
    (rng, c, o) => {
      const p = rng.pick(c.people);
      const name = rng.pick(EC2_DESCRIBES);
      return { actor: p, region: o.region, account: o.account, eventSource: 'ec2.amazonaws.com', eventName: name, requestParameters: ec2Describe(name, rng), responseElements: null, readOnly: true };
    },
    8,
  ],
  [
    (rng, c, o) => {
      const p = rng.pick(c.people);
      const instance = `i-${rng.hex(17)}`;
      const stop = rng.chance(0.5);
      const name = stop ? 'StopInstances' : 'StartInstances';
      const [from, to] = stop ? [[16, 'running'], [64, 'stopping']] : [[80, 'stopped'], [0, 'pending']];
      return {
        actor: p,
        region: o.region,
        account: o.account,
        eventSource: 'ec2.amazonaws.com',
        eventName: name,
        requestParameters: { instancesSet: { items: [{ instanceId: instance }] }, ...(stop ? { force: false } : {}) },
        responseElements: { requestId: '', instancesSet: { items: [{ instanceId: instance, currentState: { code: to[0], name: to[1] }, previousState: { code: from[0], name: from[1] } }] } },
        readOnly: false,
      };
    },
    2,
  ],
  [
    (rng, c, o) => {
      const p = rng.pick(c.people);
      return {
        actor: p,
        region: o.region,
        account: o.account,
        eventSource: 'ec2.amazonaws.com',
        eventName: 'CreateTags',
        requestParameters: { resourcesSet: { items: [{ resourceId: `i-${rng.hex(17)}` }] }, tagSet: { items: [{ key: rng.pick(['Owner', 'CostCenter', 'Environment']), value: rng.pick(['payments', 'cc-4411', 'prod', 'staging']) }] } },
        responseElements: { requestId: '', _return: true },
        readOnly: false,
      };
    },
    2,
  ],
  // Role chaining and service role assumption (large responses with session tokens).
  [
    (rng, c, o, t) => {
      const service = rng.pick(['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com']);
      const role = service === 'lambda.amazonaws.com' ? 'order-events-handler-role-x3k9q1' : rng.pick(APP_ROLES);
      const session = service === 'lambda.amazonaws.com' ? 'order-events-handler' : `i-${rng.hex(17)}`;
      const roleId = `AROA${rng.chars(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
      return {
        actor: { identity: awsServiceIdentity(service), sourceIPAddress: service, userAgent: service },
        region: o.region,
        account: o.account,
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        requestParameters: { roleArn: `arn:aws:iam::${o.account}:role/${role}`, roleSessionName: session },
        responseElements: {
          credentials: { accessKeyId: `ASIA${rng.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, sessionToken: rng.chars(612, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'), expiration: javaDate(t + HOUR) },
          assumedRoleUser: { assumedRoleId: `${roleId}:${session}`, arn: `arn:aws:sts::${o.account}:assumed-role/${role}/${session}` },
        },
        readOnly: true,
        resources: [{ accountId: o.account, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${o.account}:role/${role}` }],
        eventType: 'AwsApiCall',
        eventVersion: '1.08',
      };
    },
    5,
  ],
  // IAM reads (a global service: delivered with us-east-1).
  [
    (rng, c, o) => {
      const actor = rng.chance(0.5) ? c.terraform : c.cspm;
      const name = rng.pick(['GetRole', 'ListRolePolicies', 'ListAttachedRolePolicies', 'GetPolicyVersion', 'ListRoles']);
      const role = rng.pick([...APP_ROLES, 'ci-terraform-deploy', 'order-events-handler-role-x3k9q1']);
      const req = name === 'ListRoles' ? { maxItems: 1000 } : name === 'GetPolicyVersion' ? { policyArn: `arn:aws:iam::aws:policy/${rng.pick(['ReadOnlyAccess', 'AmazonSSMManagedInstanceCore', 'SecurityAudit'])}`, versionId: `v${rng.int(1, 180)}` } : { roleName: role };
      return { actor, region: 'us-east-1', account: o.account, eventSource: 'iam.amazonaws.com', eventName: name, requestParameters: req, responseElements: null, readOnly: true, host: 'iam.amazonaws.com' };
    },
    5,
  ],
  // S3 bucket-level management calls.
  [
    (rng, c, o) => {
      const bucket = rng.pick([`acme-prod-artifacts-${o.account}`, `acme-cloudtrail-${o.account}`, 'acme-payments-exports', 'acme-web-assets']);
      const name = rng.pick(['GetBucketAcl', 'GetBucketPolicy', 'GetBucketEncryption', 'GetBucketVersioning', 'ListBuckets']);
      return {
        actor: rng.chance(0.5) ? c.cspm : c.terraform,
        region: o.region,
        account: o.account,
        eventSource: 's3.amazonaws.com',
        eventName: name,
        requestParameters: name === 'ListBuckets' ? { Host: `s3.${o.region}.amazonaws.com` } : { bucketName: bucket, Host: `${bucket}.s3.${o.region}.amazonaws.com`, [name.slice(9).toLowerCase()]: '' },
        responseElements: null,
        readOnly: true,
        additionalEventData: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': rng.chars(76, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='), bytesTransferredOut: rng.int(200, 2400) },
        resources: name === 'ListBuckets' ? undefined : [{ accountId: o.account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }],
        eventVersion: '1.10',
        host: `${bucket}.s3.${o.region}.amazonaws.com`,
      };
    },
    5,
  ],
  // Lambda functions writing logs and reading tables.
  [
    (rng, c, o) => ({
      actor: c.lambda,
      region: o.region,
      account: o.account,
      eventSource: 'dynamodb.amazonaws.com',
      eventName: rng.pick(['DescribeTable', 'DescribeTimeToLive']),
      requestParameters: { tableName: rng.pick(['orders', 'order-events', 'idempotency-keys']) },
      responseElements: null,
      readOnly: true,
      resources: [{ accountId: o.account, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:${o.region}:${o.account}:table/orders` }],
      eventVersion: '1.09',
    }),
    4,
  ],
  [
    (rng, c, o) => ({
      actor: rng.chance(0.5) ? c.terraform : rng.pick(c.people),
      region: o.region,
      account: o.account,
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventName: rng.pick(['DescribeLoadBalancers', 'DescribeTargetGroups', 'DescribeTargetHealth', 'DescribeListeners']),
      requestParameters: { pageSize: 400 },
      responseElements: null,
      readOnly: true,
    }),
    3,
  ],
  [
    (rng, c, o) => ({
      actor: rng.pick(c.apps),
      region: o.region,
      account: o.account,
      eventSource: 'logs.amazonaws.com',
      eventName: 'CreateLogStream',
      requestParameters: { logGroupName: `/ec2/${rng.pick(APP_ROLES).replace('-ec2', '')}/application`, logStreamName: `i-${rng.hex(17)}` },
      responseElements: null,
      readOnly: false,
      eventVersion: '1.09',
    }),
    3,
  ],
  // A failed call now and then: the traffic-mirroring rules must not care about other errors.
  [
    (rng, c, o) => ({
      actor: rng.pick(c.people),
      region: o.region,
      account: o.account,
      eventSource: 's3.amazonaws.com',
      eventName: 'GetBucketPolicy',
      requestParameters: { bucketName: 'acme-web-assets', Host: `acme-web-assets.s3.${o.region}.amazonaws.com`, policy: '' },
      responseElements: null,
      readOnly: true,
      errorCode: 'NoSuchBucketPolicy',
      errorMessage: 'The bucket policy does not exist',
      additionalEventData: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, AuthenticationMethod: 'AuthHeader', bytesTransferredOut: 283 },
      resources: [{ accountId: o.account, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::acme-web-assets' }],
    }),
    1,
  ],
];

/** How many background records fall in each hour of the window (cumulative rounding: the counts add up to `count`). */
export function hourCounts(o: Pick<AwsNoiseOptions, 'count' | 'fromMs' | 'toMs'>): { hour: number; count: number }[] {
  const out: { hour: number; count: number }[] = [];
  if (o.count <= 0 || o.toMs <= o.fromMs) return out;
  const span = o.toMs - o.fromMs;
  let before = 0;
  for (let h = Math.floor(o.fromMs / HOUR); h * HOUR < o.toMs; h++) {
    const end = Math.min(o.toMs, (h + 1) * HOUR);
    const upTo = Math.round((o.count * (end - o.fromMs)) / span);
    out.push({ hour: h, count: upTo - before });
    before = upTo;
  }
  return out;
}

/**
 * The background records of one hour, in time order. Each hour draws from its own stream (seed and hour), so hours
 * can be generated in any order, or in parallel, and always give the same records; times are uniform order
 * statistics over the part of the hour inside the window (normalised exponential gaps).
 */
export function* awsNoiseHour(seed: string, o: AwsNoiseOptions, hour: number, count: number): Generator<SimRecord & { kind: 'cloudtrail' }> {
  if (count <= 0) return;
  const rng = new Random(seed, `noise:aws:${hour}`);
  const from = Math.max(o.fromMs, hour * HOUR);
  const to = Math.min(o.toMs, (hour + 1) * HOUR);
  const gaps: number[] = [];
  let sum = 0;
  for (let i = 0; i <= count; i++) {
    const g = rng.exponential(1);
    gaps.push(g);
    sum += g;
  }
  const cast = castFor(rng.fork('cast'), o, hour);
  const identities = new Map<unknown, string>();
  let acc = 0;
  for (let i = 0; i < count; i++) {
    acc += gaps[i];
    const t = Math.min(to - 1, Math.floor(from + ((to - from) * acc) / sum));
    const spec = rng.weighted(TEMPLATES)(rng, cast, o, t);
    const record = cloudTrailRecord(rng, { ...spec, timeMs: t });
    yield { kind: 'cloudtrail', timeMs: t, account: spec.account, region: spec.region, record, text: serialise(record, identities) };
  }
}

/** Stands for `userIdentity` while a record is serialised; `\u0000` cannot occur in a record. */
const IDENTITY_MARK = '\u0000userIdentity\u0000';
const IDENTITY_MARK_JSON = JSON.stringify(IDENTITY_MARK);

/**
 * `JSON.stringify(record)`, with each identity serialised once per hour: `userIdentity` is the same object for every
 * call of a session and about half of a record's bytes.
 */
function serialise(record: Record<string, unknown>, identities: Map<unknown, string>): string {
  const identity = record.userIdentity;
  let json = identities.get(identity);
  if (json === undefined) {
    json = JSON.stringify(identity);
    identities.set(identity, json);
  }
  record.userIdentity = IDENTITY_MARK;
  const text = JSON.stringify(record);
  record.userIdentity = identity;
  return text.replace(IDENTITY_MARK_JSON, () => json as string);
}

/** `count` background records between `fromMs` and `toMs`, in time order, hour after hour (never held in memory). */
export function* awsNoise(seed: string, o: AwsNoiseOptions): Generator<SimRecord> {
  for (const { hour, count } of hourCounts(o)) yield* awsNoiseHour(seed, o, hour, count);
}
