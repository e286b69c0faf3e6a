import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SigmaValue } from '../../src/sigma/types.js';
import { compile, load, matches, oneError } from './sigma-helpers.js';

/** The typed values of the first item of the first identifier. */
function values(detection: string): SigmaValue[] {
  const r = load(detection);
  assert.equal(r.diagnostics.length, 0, JSON.stringify(r.diagnostics));
  const body = r.rules[0].detection.identifiers[0].body;
  assert.equal(body.kind, 'and');
  return body.kind === 'and' ? body.items[0].values : [];
}

/** The strings of an expansion value (as plain text). */
function expansionTexts(v: SigmaValue): string[] {
  assert.equal(v.kind, 'expansion');
  if (v.kind !== 'expansion') return [];
  return v.values.map((x) => (x.kind === 'string' ? x.parts.map((p) => (p.kind === 'text' ? p.text : '*')).join('') : '?'));
}

describe('generic modifiers', () => {
  test('contains, startswith and endswith anchor the value as their names say', () => {
    const ev = { CommandLine: 'aws ec2 create-traffic-mirror-session --network-interface-id eni-1' };
    assert.equal(matches(`sel: {CommandLine|contains: traffic-mirror}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {CommandLine|contains: traffic-mirrors}\ncondition: sel`, ev), false);
    assert.equal(matches(`sel: {CommandLine|startswith: 'aws ec2'}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {CommandLine|startswith: ec2}\ncondition: sel`, ev), false);
    assert.equal(matches(`sel: {CommandLine|endswith: eni-1}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {CommandLine|endswith: eni}\ncondition: sel`, ev), false);
    // Without a modifier the value must equal the whole field.
    assert.equal(matches(`sel: {CommandLine: traffic-mirror}\ncondition: sel`, ev), false);
  });

  test('all requires every value of the list', () => {
    const det = `sel:\n  CommandLine|contains|all:\n    - create-traffic-mirror-session\n    - --traffic-mirror-target-id\ncondition: sel`;
    assert.equal(matches(det, { CommandLine: 'aws ec2 create-traffic-mirror-session --traffic-mirror-target-id tmt-1' }), true);
    assert.equal(matches(det, { CommandLine: 'aws ec2 create-traffic-mirror-session --network-interface-id eni-1' }), false);
  });

  test('all on a single value is refused', () => {
    const d = oneError(`sel:\n  CommandLine|contains|all: x\ncondition: sel`, 'MW1201');
    assert.equal(d.line, 6);
  });

  test('cased makes the comparison case-sensitive', () => {
    const det = `sel: {eventName|cased: CreateTrafficMirrorSession}\ncondition: sel`;
    assert.equal(matches(det, { eventName: 'CreateTrafficMirrorSession' }), true);
    assert.equal(matches(det, { eventName: 'createtrafficmirrorsession' }), false);
    assert.equal(matches(`sel: {eventName: CreateTrafficMirrorSession}\ncondition: sel`, { eventName: 'createTRAFFICmirrorsession' }), true);
    assert.equal(matches(`sel: {eventName|contains|cased: Mirror}\ncondition: sel`, { eventName: 'CreateTrafficMirrorSession' }), true);
    assert.equal(matches(`sel: {eventName|contains|cased: mirror}\ncondition: sel`, { eventName: 'CreateTrafficMirrorSession' }), false);
  });

  test('exists checks presence only, whatever the value (null counts as present)', () => {
    const yes = `sel: {errorCode|exists: true}\ncondition: sel`;
    const no = `sel: {errorCode|exists: false}\ncondition: sel`;
    assert.equal(matches(yes, { errorCode: 'AccessDenied' }), true);
    assert.equal(matches(yes, { errorCode: null }), true);
    assert.equal(matches(yes, { errorCode: '' }), true);
    assert.equal(matches(yes, {}), false);
    assert.equal(matches(no, {}), true);
    assert.equal(matches(no, { errorCode: 'x' }), false);
    oneError(`sel: {errorCode|exists: yes please}\ncondition: sel`, 'MW1206');
    oneError(`sel: {errorCode|contains|exists: true}\ncondition: sel`, 'MW1212');
  });

  test('neq matches values different from all the listed ones, including a missing field', () => {
    const det = `sel:\n  userIdentity.type|neq:\n    - AWSService\n    - AWSAccount\ncondition: sel`;
    assert.equal(matches(det, { userIdentity: { type: 'IAMUser' } }), true);
    assert.equal(matches(det, { userIdentity: { type: 'awsservice' } }), false);
    assert.equal(matches(det, { userIdentity: { type: 'AWSAccount' } }), false);
    assert.equal(matches(det, {}), true);
    assert.equal(matches(`sel: {responseElements.count|neq: 0}\ncondition: sel`, { responseElements: { count: 3 } }), true);
    assert.equal(matches(`sel: {responseElements.count|neq: 0}\ncondition: sel`, { responseElements: { count: 0 } }), false);
  });
});

describe('string modifiers', () => {
  test('windash expands a flag dash into all five dash characters', () => {
    const v = values(`sel: {CommandLine|windash|contains: ' -mirror '}\ncondition: sel`);
    assert.equal(v.length, 1);
    assert.deepEqual(expansionTexts(v[0]), ['* -mirror *', '* /mirror *', '* \u2013mirror *', '* \u2014mirror *', '* \u2015mirror *']);
    const det = `sel: {CommandLine|windash|contains: ' -encodedcommand '}\ncondition: sel`;
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) {
      assert.equal(matches(det, { CommandLine: `powershell.exe ${dash}encodedcommand ZQBjAGgAbwA=` }), true, `dash ${dash}`);
    }
    assert.equal(matches(det, { CommandLine: 'powershell.exe _encodedcommand x' }), false);
  });

  test('windash leaves dashes inside words alone and permutes every flag dash', () => {
    const v = values(`sel: {CommandLine|windash: '-net-if -x'}\ncondition: sel`);
    const texts = expansionTexts(v[0]);
    assert.equal(texts.length, 25);
    assert.ok(texts.includes('/net-if /x'));
    assert.ok(texts.includes('\u2015net-if \u2013x'));
    assert.ok(texts.every((t) => t.slice(4, 5) === '-'), 'the dash inside net-if stays');
  });

  test('windash under all keeps each written value as one alternative group', () => {
    const det = `sel:\n  CommandLine|windash|contains|all:\n    - ' -a '\n    - ' -b '\ncondition: sel`;
    assert.equal(matches(det, { CommandLine: 'x /a \u2014b y' }), true);
    assert.equal(matches(det, { CommandLine: 'x /a y' }), false);
  });

  test('re is an unanchored, case-sensitive search', () => {
    const det = `sel: {eventName|re: 'TrafficMirror(Session|Target)'}\ncondition: sel`;
    assert.equal(matches(det, { eventName: 'CreateTrafficMirrorSession' }), true);
    assert.equal(matches(det, { eventName: 'createtrafficmirrorsession' }), false);
    assert.equal(matches(`sel: {eventName|re: '^Create'}\ncondition: sel`, { eventName: 'DeleteCreate' }), false);
  });

  test('re|i, re|m and re|s set the ignore-case, multi-line and dot-all flags', () => {
    assert.equal(matches(`sel: {f|re|i: 'trafficmirror'}\ncondition: sel`, { f: 'CreateTrafficMirrorSession' }), true);
    const multi = { f: 'interface Gi0/1\nmonitor session 1 source interface Gi0/1' };
    assert.equal(matches(`sel: {f|re: '^monitor session'}\ncondition: sel`, multi), false);
    assert.equal(matches(`sel: {f|re|m: '^monitor session'}\ncondition: sel`, multi), true);
    assert.equal(matches(`sel: {f|re: 'Gi0/1.monitor'}\ncondition: sel`, multi), false);
    assert.equal(matches(`sel: {f|re|s: 'Gi0/1.monitor'}\ncondition: sel`, multi), true);
    const v = values(`sel: {f|re|i|m|s: 'x'}\ncondition: sel`);
    assert.deepEqual(v[0], { kind: 'regex', pattern: 'x', ignoreCase: true, multiline: true, dotAll: true });
  });

  test('a regex that does not compile, re with contains and a flag without re are refused', () => {
    const bad = oneError(`sel:\n  f|re: 'Traffic(Mirror'\ncondition: sel`, 'MW1204');
    assert.equal(bad.line, 6);
    assert.match(bad.message, /invalid regular expression "Traffic\(Mirror"/);
    assert.match(oneError(`sel: {f|re|contains: 'x'}\ncondition: sel`, 'MW1202').message, /"contains" cannot be combined with "re"/);
    oneError(`sel: {f|contains|re: 'x'}\ncondition: sel`, 'MW1212');
    oneError(`sel: {f|i: 'x'}\ncondition: sel`, 'MW1216');
  });

  test('base64 encodes the value and refuses wildcards', () => {
    const v = values(`sel: {f|base64: 'hello world'}\ncondition: sel`);
    assert.deepEqual(v[0], { kind: 'string', parts: [{ kind: 'text', text: 'aGVsbG8gd29ybGQ=' }], cased: false });
    assert.equal(matches(`sel: {f|base64|contains: 'hello world'}\ncondition: sel`, { f: 'x aGVsbG8gd29ybGQ= y' }), true);
    oneError(`sel: {f|base64: 'hello*'}\ncondition: sel`, 'MW1208');
    oneError(`sel: {f|contains|base64: 'hello'}\ncondition: sel`, 'MW1208');
  });

  test('base64offset yields the three shifted encodings', () => {
    // The same three forms SigmaHQ rules list for "http://" (aHR0cDovL, h0dHA6Ly, odHRwOi8v).
    assert.deepEqual(expansionTexts(values(`sel: {f|base64offset: 'http://'}\ncondition: sel`)[0]), ['aHR0cDovL', 'h0dHA6Ly', 'odHRwOi8v']);
    assert.deepEqual(expansionTexts(values(`sel: {f|base64offset: 'IEX ('}\ncondition: sel`)[0]), ['SUVYIC', 'lFWCAo', 'JRVggK']);
    const det = `sel: {f|base64offset|contains: 'http://'}\ncondition: sel`;
    for (const prefix of ['', 'a', 'ab']) {
      const encoded = Buffer.from(`${prefix}http://169.254.169.254/latest`).toString('base64');
      assert.equal(matches(det, { f: encoded }), true, `offset ${prefix.length}`);
    }
    assert.equal(matches(det, { f: Buffer.from('https://x').toString('base64') }), false);
  });

  test('utf16le/wide, utf16be and utf16 encode UTF-16 bytes, usually followed by base64', () => {
    assert.deepEqual(values(`sel: {f|wide|base64: cmd}\ncondition: sel`)[0], {
      kind: 'string',
      parts: [{ kind: 'text', text: 'YwBtAGQA' }],
      cased: false,
    });
    assert.deepEqual(values(`sel: {f|utf16le|base64: cmd}\ncondition: sel`), values(`sel: {f|wide|base64: cmd}\ncondition: sel`));
    assert.equal((values(`sel: {f|utf16be|base64: AWS}\ncondition: sel`)[0] as { parts: { text: string }[] }).parts[0].text, 'AEEAVwBT');
    assert.equal((values(`sel: {f|utf16|base64: AWS}\ncondition: sel`)[0] as { parts: { text: string }[] }).parts[0].text, '//5BAFcAUwA=');
    assert.deepEqual(expansionTexts(values(`sel: {f|wide|base64offset: whoami}\ncondition: sel`)[0]), [
      'dwBoAG8AYQBtAGkA',
      'cAaABvAGEAbQBpA',
      '3AGgAbwBhAG0AaQ',
    ]);
    // PowerShell -EncodedCommand carries UTF-16LE in Base64: find "whoami" anywhere in it.
    const enc = Buffer.from('Write-Host; whoami /all', 'utf16le').toString('base64');
    assert.equal(matches(`sel: {CommandLine|wide|base64offset|contains: whoami}\ncondition: sel`, { CommandLine: `powershell -enc ${enc}` }), true);
    // Plain wide text (NUL between characters) matches text that really holds it.
    assert.equal(matches(`sel: {f|wide|contains: cmd}\ncondition: sel`, { f: 'xc\u0000m\u0000d\u0000y' }), true);
    oneError(`sel: {f|wide: 'é'}\ncondition: sel`, 'MW1213');
  });

  test('expand substitutes placeholders from the map; an unresolved one rejects the rule', () => {
    const det = `sel: {SourceIp|expand: '%JumpServers%'}\ncondition: sel`;
    const r = load(det);
    assert.equal(r.rules.length, 1, 'without a map the placeholder stays for compile time');
    const c = compile(det, { placeholders: { JumpServers: ['10.9.*', 'jump01'] } });
    assert.equal(c.rejected, false);
    assert.equal(c.match({ get: (p) => (p === 'SourceIp' ? '10.9.0.4' : undefined), keywords: () => [] }), true);
    const rejected = compile(det);
    assert.equal(rejected.rejected, true);
    assert.equal(rejected.diagnostics[0].code, 'MW1210');
    assert.equal(rejected.match({ get: () => '10.9.0.4', keywords: () => [] }), false);
    const d = oneError(det, 'MW1210', { placeholders: { Servers: ['x'] } });
    assert.match(d.message, /%JumpServers%/);
    // `\%` is a literal percent under expand.
    const lit = load(`sel: {f|expand: '\\%plain%name%'}\ncondition: sel`, { placeholders: { name: ['X'] } });
    const v = lit.rules[0].detection.identifiers[0].body;
    assert.equal(v.kind === 'and' && v.items[0].values[0].kind, 'expansion');
    assert.deepEqual(expansionTexts(v.kind === 'and' ? v.items[0].values[0] : { kind: 'null' }), ['%plainX']);
  });

  test('fieldref compares with another field of the same event, and neq negates it', () => {
    const same = `sel: {sourceIPAddress|fieldref: requestParameters.ip}\ncondition: sel`;
    assert.equal(matches(same, { sourceIPAddress: '10.0.0.1', requestParameters: { ip: '10.0.0.1' } }), true);
    assert.equal(matches(same, { sourceIPAddress: '10.0.0.1', requestParameters: { ip: '10.0.0.2' } }), false);
    assert.equal(matches(same, { sourceIPAddress: '10.0.0.1' }), false);
    const diff = `sel: {sourceIPAddress|fieldref|neq: requestParameters.ip}\ncondition: sel`;
    assert.equal(matches(diff, { sourceIPAddress: '10.0.0.1', requestParameters: { ip: '10.0.0.2' } }), true);
    assert.equal(matches(diff, { sourceIPAddress: '10.0.0.1', requestParameters: { ip: '10.0.0.1' } }), false);
    assert.equal(matches(`sel: {a|fieldref|contains: b}\ncondition: sel`, { a: 'xxHOSTyy', b: 'host' }), true);
    oneError(`sel: {a|fieldref: 'b*'}\ncondition: sel`, 'MW1209');
  });
});

describe('numeric, time and ip modifiers', () => {
  test('lt, lte, gt and gte compare numbers, also numbers written as text', () => {
    const ev = { bytes: 1500, text: '1500' };
    assert.equal(matches(`sel: {bytes|gt: 1000}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {bytes|gt: 1500}\ncondition: sel`, ev), false);
    assert.equal(matches(`sel: {bytes|gte: 1500}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {bytes|lt: 1500}\ncondition: sel`, ev), false);
    assert.equal(matches(`sel: {bytes|lte: 1500}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {text|gt: 1499.5}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {text|gt: 1}\ncondition: sel`, { text: 'many' }), false);
    oneError(`sel: {bytes|gt: lots}\ncondition: sel`, 'MW1205');
  });

  test('time parts read a date as written', () => {
    const ev = { eventTime: '2024-05-01T23:15:42Z' };
    assert.equal(matches(`sel: {eventTime|hour: 23}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {eventTime|hour: 22}\ncondition: sel`, ev), false);
    assert.equal(matches(`sel: {eventTime|minute: 15}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {eventTime|day: 1}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {eventTime|month: 5}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {eventTime|year: 2024}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {eventTime|week: 18}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {eventTime|hour|gte: 22}\ncondition: sel`, ev), true);
    assert.equal(matches(`sel: {eventTime|hour: 21}\ncondition: sel`, { eventTime: '2024-05-01T21:15:42+02:00' }), true);
    oneError(`sel: {eventTime|hour: 24}\ncondition: sel`, 'MW1214');
  });

  test('cidr matches IPv4 networks, including /0 and /32', () => {
    const det = (net: string): string => `sel: {sourceIPAddress|cidr: '${net}'}\ncondition: sel`;
    assert.equal(matches(det('10.0.0.0/8'), { sourceIPAddress: '10.200.3.4' }), true);
    assert.equal(matches(det('10.0.0.0/8'), { sourceIPAddress: '11.0.0.1' }), false);
    assert.equal(matches(det('172.16.0.0/12'), { sourceIPAddress: '172.31.255.255' }), true);
    assert.equal(matches(det('172.16.0.0/12'), { sourceIPAddress: '172.32.0.0' }), false);
    assert.equal(matches(det('0.0.0.0/0'), { sourceIPAddress: '203.0.113.9' }), true);
    assert.equal(matches(det('0.0.0.0/0'), { sourceIPAddress: 'ec2.amazonaws.com' }), false);
    assert.equal(matches(det('192.0.2.7/32'), { sourceIPAddress: '192.0.2.7' }), true);
    assert.equal(matches(det('192.0.2.7/32'), { sourceIPAddress: '192.0.2.6' }), false);
    assert.equal(matches(det('192.0.2.7'), { sourceIPAddress: '192.0.2.7' }), true);
    assert.equal(matches(det('10.0.0.0/8'), { sourceIPAddress: '::ffff:10.1.2.3' }), true);
  });

  test('cidr matches IPv6 networks, including /0, /128 and prefixes inside a byte', () => {
    const det = (net: string): string => `sel: {ip|cidr: '${net}'}\ncondition: sel`;
    assert.equal(matches(det('2001:db8::/32'), { ip: '2001:db8:1234::1' }), true);
    assert.equal(matches(det('2001:db8::/32'), { ip: '2001:db9::1' }), false);
    assert.equal(matches(det('fe80::/10'), { ip: 'febf::1%eth0' }), true);
    assert.equal(matches(det('fe80::/10'), { ip: 'fec0::1' }), false);
    assert.equal(matches(det('::/0'), { ip: '2600:1f18::5' }), true);
    assert.equal(matches(det('::/0'), { ip: '10.0.0.1' }), false);
    assert.equal(matches(det('2001:db8::1/128'), { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }), true);
    assert.equal(matches(det('2001:db8::1/128'), { ip: '2001:db8::2' }), false);
  });

  test('a bad cidr is refused with the reason', () => {
    assert.match(oneError(`sel: {ip|cidr: '10.0.0.1/8'}\ncondition: sel`, 'MW1203').message, /did you mean 10\.0\.0\.0\/8/);
    assert.match(oneError(`sel: {ip|cidr: '10.0.0.0/33'}\ncondition: sel`, 'MW1203').message, /prefix "33"/);
    assert.match(oneError(`sel: {ip|cidr: '10.0.0/8'}\ncondition: sel`, 'MW1203').message, /not an IPv4 address/);
    assert.match(oneError(`sel: {ip|cidr: '2001:db8:::/48'}\ncondition: sel`, 'MW1203').message, /not an IPv6 address/);
    oneError(`sel: {ip|contains|cidr: '10.0.0.0/8'}\ncondition: sel`, 'MW1212');
  });
});

describe('modifier names and combinations', () => {
  test('an unknown modifier is reported with a suggestion and its line', () => {
    const d = oneError(`selection:\n  eventSource: ec2.amazonaws.com\n  eventName|contians: TrafficMirror\ncondition: selection`, 'MW1003');
    assert.equal(d.message, 'unknown modifier "contians": did you mean "contains"?');
    assert.equal(d.file, 'test.yml');
    assert.equal(d.line, 7);
    assert.equal(d.column, 7);
  });

  test('null cannot sit in a value list, and modifiers cannot apply to it', () => {
    const d = oneError(`sel:\n  errorCode:\n    - AccessDenied\n    - null\ncondition: sel`, 'MW1105');
    assert.equal(d.line, 8);
    oneError(`sel: {errorCode|contains: null}\ncondition: sel`, 'MW1200');
  });

  test('field-only modifiers are refused on keywords', () => {
    oneError(`keywords:\n  '|cidr':\n    - 10.0.0.0/8\n    - 10.1.0.0/16\ncondition: keywords`, 'MW1207');
  });

  test('a repeated modifier is refused', () => {
    oneError(`sel: {f|contains|contains: x}\ncondition: sel`, 'MW1211');
  });
});
