import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getFieldPath, objectTarget } from '../../src/sigma/match-target.js';
import { compile, matches } from './sigma-helpers.js';

describe('value semantics', () => {
  test('values compare case-insensitively by default', () => {
    const det = `sel: {eventSource: EC2.amazonaws.COM}\ncondition: sel`;
    assert.equal(matches(det, { eventSource: 'ec2.amazonaws.com' }), true);
    assert.equal(matches(det, { eventSource: 'ec2.amazonaws.com.evil' }), false);
  });

  test('a case-insensitive wildcard value matches the whole value only', () => {
    const det = `sel: {methodName: 'v*.Compute.PacketMirrorings.Insert'}\ncondition: sel`;
    assert.equal(matches(det, { methodName: 'v1.compute.packetMirrorings.insert' }), true);
    assert.equal(matches(det, { methodName: 'beta.compute.packetMirrorings.insert' }), false);
    assert.equal(matches(det, { methodName: 'v1.compute.packetMirrorings.insertX' }), false);
  });

  test('? stands for exactly one character', () => {
    const det = `sel: {name: 'session-?'}\ncondition: sel`;
    assert.equal(matches(det, { name: 'session-1' }), true);
    assert.equal(matches(det, { name: 'session-12' }), false);
    assert.equal(matches(det, { name: 'session-' }), false);
    assert.equal(matches(det, { name: 'session-\u{1F600}' }), true, 'one character even outside the BMP');
    assert.equal(matches(`sel: {name: '*mirror?session*'}\ncondition: sel`, { name: 'create-mirror_session-x' }), true);
    assert.equal(matches(`sel: {name: 'a*b*c'}\ncondition: sel`, { name: 'a-b-b-c' }), true);
    assert.equal(matches(`sel: {name: 'a*b*c'}\ncondition: sel`, { name: 'a-c-b' }), false);
    assert.equal(matches(`sel: {name: '*'}\ncondition: sel`, { name: '' }), true);
    assert.equal(matches(`sel: {name: '*'}\ncondition: sel`, {}), false);
    assert.equal(matches(`sel: {name: ''}\ncondition: sel`, { name: '' }), true);
    assert.equal(matches(`sel: {name: ''}\ncondition: sel`, { name: 'x' }), false);
  });

  test('escaped wildcards are literal characters', () => {
    assert.equal(matches(`sel: {f: 'prod\\*'}\ncondition: sel`, { f: 'prod*' }), true);
    assert.equal(matches(`sel: {f: 'prod\\*'}\ncondition: sel`, { f: 'production' }), false);
    // `\*` escapes the star even after a path separator: a backslash then a wildcard needs `\\*`.
    assert.equal(matches(`sel: {f: 'C:\\Windows\\*'}\ncondition: sel`, { f: 'C:\\Windows*' }), true);
    assert.equal(matches(`sel: {f: 'C:\\Windows\\*'}\ncondition: sel`, { f: 'C:\\Windows\\System32' }), false);
    assert.equal(matches(`sel: {f: 'C:\\Windows\\\\*'}\ncondition: sel`, { f: 'C:\\Windows\\System32' }), true);
    assert.equal(matches(`sel: {f: 'a\\\\\\*'}\ncondition: sel`, { f: 'a\\*' }), true);
    assert.equal(matches(`sel: {f: 'a\\\\\\*'}\ncondition: sel`, { f: 'a\\x' }), false);
  });

  test('numbers and booleans compare by their string form', () => {
    assert.equal(matches(`sel: {readOnly: false}\ncondition: sel`, { readOnly: false }), true);
    assert.equal(matches(`sel: {readOnly: false}\ncondition: sel`, { readOnly: 'false' }), true);
    assert.equal(matches(`sel: {readOnly: false}\ncondition: sel`, { readOnly: 'False' }), true);
    assert.equal(matches(`sel: {readOnly: false}\ncondition: sel`, { readOnly: true }), false);
    assert.equal(matches(`sel: {readOnly: 'false'}\ncondition: sel`, { readOnly: false }), true);
    assert.equal(matches(`sel: {EventID: 4624}\ncondition: sel`, { EventID: 4624 }), true);
    assert.equal(matches(`sel: {EventID: 4624}\ncondition: sel`, { EventID: '4624' }), true);
    assert.equal(matches(`sel: {EventID: '4624'}\ncondition: sel`, { EventID: 4624 }), true);
    assert.equal(matches(`sel: {EventID: 4624}\ncondition: sel`, { EventID: 46240 }), false);
    assert.equal(matches(`sel: {ratio: 1.0}\ncondition: sel`, { ratio: 1 }), true, 'decimal numbers also match their canonical form');
    assert.equal(matches(`sel: {TicketEncryption: 0x17}\ncondition: sel`, { TicketEncryption: '0x17' }), true, 'hex kept as written');
    assert.equal(matches(`sel: {TicketEncryption: 0x17}\ncondition: sel`, { TicketEncryption: 23 }), false);
    assert.equal(matches(`sel: {port: '44*'}\ncondition: sel`, { port: 443 }), true);
  });

  test('a field holding an array matches when any element matches', () => {
    const det = `sel: {resources.ARN|endswith: ':traffic-mirror-session/tms-0a1'}\ncondition: sel`;
    const ev = {
      resources: [
        { ARN: 'arn:aws:ec2:us-east-1:111122223333:network-interface/eni-1' },
        { ARN: 'arn:aws:ec2:us-east-1:111122223333:traffic-mirror-session/tms-0a1' },
      ],
    };
    assert.equal(matches(det, ev), true);
    assert.equal(matches(`sel: {tags: prod}\ncondition: sel`, { tags: ['dev', 'Prod'] }), true);
    assert.equal(matches(`sel: {tags: prod}\ncondition: sel`, { tags: ['dev'] }), false);
    assert.equal(matches(`sel: {ports: 4789}\ncondition: sel`, { ports: [[4789, 443]] }), true);
  });

  test('dotted paths descend into objects; an exact dotted key wins', () => {
    assert.equal(matches(`sel: {userIdentity.sessionContext.sessionIssuer.type: Role}\ncondition: sel`, {
      userIdentity: { sessionContext: { sessionIssuer: { type: 'Role' } } },
    }), true);
    const ev = { 'gcp.audit.method_name': 'v1.compute.packetMirrorings.insert', gcp: { audit: { method_name: 'other' } } };
    assert.equal(matches(`sel: {gcp.audit.method_name: v1.compute.packetMirrorings.insert}\ncondition: sel`, ev), true);
    const claims = { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'alice@example.com' };
    assert.equal(matches(`sel: {claims.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn|endswith: '@example.com'}\ncondition: sel`, { claims }), true);
    // A nested key holding dots.
    assert.equal(getFieldPath({ a: { 'b.c': { d: 1 } } }, 'a.b.c.d'), 1);
    assert.deepEqual(getFieldPath({ a: [{ b: 1 }, { c: 2 }, { b: 3 }] }, 'a.b'), [1, 3]);
    assert.equal(getFieldPath({ a: [{ c: 2 }] }, 'a.b'), undefined);
  });

  test('null matches a missing or null field, and only those', () => {
    const det = `sel: {errorCode: null}\ncondition: sel`;
    assert.equal(matches(det, {}), true);
    assert.equal(matches(det, { errorCode: null }), true);
    assert.equal(matches(det, { errorCode: '' }), false);
    assert.equal(matches(det, { errorCode: 'AccessDenied' }), false);
    assert.equal(matches(`sel: {errorCode: null}\ncondition: not sel`, { errorCode: 'x' }), true);
  });

  test('a map is an AND, a list of maps an OR, a value list an OR', () => {
    const and = `sel:\n  a: 1\n  b: 2\ncondition: sel`;
    assert.equal(matches(and, { a: 1, b: 2 }), true);
    assert.equal(matches(and, { a: 1, b: 3 }), false);
    const or = `sel:\n  - a: 1\n  - b: 2\ncondition: sel`;
    assert.equal(matches(or, { a: 0, b: 2 }), true);
    assert.equal(matches(or, { a: 0, b: 0 }), false);
    const list = `sel:\n  a: [1, 2, 3]\ncondition: sel`;
    assert.equal(matches(list, { a: 3 }), true);
    assert.equal(matches(list, { a: 4 }), false);
  });
});

describe('keyword searches', () => {
  test('keywords occur anywhere in the event text, case-insensitively, with wildcards', () => {
    const det = `keywords:\n  - 'monitor session'\n  - 'erspan*destination'\ncondition: keywords`;
    const c = compile(det);
    assert.equal(c.match(objectTarget({}, '<189>123: Mar 1 10:00:00 UTC: %SYS-5-CONFIG_I: Monitor Session 1 source interface Gi0/1')), true);
    assert.equal(c.match(objectTarget({ message: 'configured ERSPAN 2 destination ip 10.0.0.9' })), true);
    assert.equal(c.match(objectTarget({ message: 'interface Gi0/1 shutdown' })), false);
  });

  test('without raw text, keywords search every scalar leaf including numbers', () => {
    const c = compile(`keywords: ['4789']\ncondition: keywords`);
    assert.equal(c.match(objectTarget({ vxlan: { port: 4789 } })), true);
    assert.equal(c.match(objectTarget({ vxlan: { port: 4790 } })), false);
  });

  test('|all keywords must all occur', () => {
    const det = `keywords:\n  '|all':\n    - 'monitor session'\n    - 'destination'\ncondition: keywords`;
    assert.equal(compile(det).match(objectTarget({ m: 'monitor session 1 destination interface Gi0/2' })), true);
    assert.equal(compile(det).match(objectTarget({ m: 'monitor session 1 source interface Gi0/1' })), false);
  });
});

describe('explain', () => {
  test('explain names the matched identifiers, fields and values', () => {
    const det = `selection:\n  eventSource: ec2.amazonaws.com\n  eventName|startswith: CreateTrafficMirror\nfilter:\n  userIdentity.type: AWSService\ncondition: selection and not filter`;
    const c = compile(det);
    const ev = objectTarget({ eventSource: 'ec2.amazonaws.com', eventName: 'CreateTrafficMirrorSession', userIdentity: { type: 'IAMUser' } });
    const e = c.explain(ev);
    assert.equal(e.matched, true);
    assert.deepEqual(e.identifiers, [
      {
        name: 'selection',
        matched: true,
        items: [
          { field: 'eventSource', modifiers: [], value: 'ec2.amazonaws.com', actual: 'ec2.amazonaws.com' },
          { field: 'eventName', modifiers: ['startswith'], value: 'CreateTrafficMirror*', actual: 'CreateTrafficMirrorSession' },
        ],
      },
      { name: 'filter', matched: false, items: [] },
    ]);
    const no = c.explain(objectTarget({ eventSource: 's3.amazonaws.com' }));
    assert.equal(no.matched, false);
    assert.equal(no.identifiers[0].matched, false);
  });

  test('explain reports the array element and the expansion variant that matched', () => {
    const c = compile(`sel: {CommandLine|windash|contains: ' -enc '}\ncondition: sel`);
    const e = c.explain(objectTarget({ CommandLine: ['x', 'powershell /enc abc'] }));
    assert.deepEqual(e.identifiers[0].items, [
      { field: 'CommandLine', modifiers: ['windash', 'contains'], value: '* /enc *', actual: 'powershell /enc abc' },
    ]);
  });

  test('match does not depend on previous calls (per-call caches are reset)', () => {
    const c = compile(`sel: {a: x}\ncondition: sel`);
    assert.equal(c.match(objectTarget({ a: 'x' })), true);
    assert.equal(c.match(objectTarget({ a: 'y' })), false);
    assert.equal(c.match(objectTarget({ a: 'X' })), true);
  });

  test('large value lists use the same semantics as short ones', () => {
    const names = ['CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget', 'CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule', 'ModifyTrafficMirrorSession*'];
    const det = `sel:\n  eventName:\n${names.map((n) => `    - ${n}`).join('\n')}\ncondition: sel`;
    assert.equal(matches(det, { eventName: 'createtrafficmirrortarget' }), true);
    assert.equal(matches(det, { eventName: 'ModifyTrafficMirrorSessionX' }), true);
    assert.equal(matches(det, { eventName: 'DeleteTrafficMirrorTarget' }), false);
    assert.equal(matches(det, { eventName: ['a', 'CreateTrafficMirrorFilter'] }), true);
  });
});
