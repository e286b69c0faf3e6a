import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileGlob } from '../../src/sigma/glob.js';
import { formatIP, parseCidr, parseIPv4, parseIPv6 } from '../../src/sigma/ip-address.js';
import { formatSigmaString, parseSigmaString } from '../../src/sigma/sigma-string.js';

describe('sigma string escaping', () => {
  test('the escaping rules of the specification', () => {
    // Spec "Escaping": \* literal star; \\* backslash + wildcard; \\\* backslash + literal star; \\\\ two backslashes.
    assert.deepEqual(parseSigmaString('a\\*'), [{ kind: 'text', text: 'a*' }]);
    assert.deepEqual(parseSigmaString('a\\?'), [{ kind: 'text', text: 'a?' }]);
    assert.deepEqual(parseSigmaString('a\\\\*'), [{ kind: 'text', text: 'a\\' }, { kind: 'multi' }]);
    assert.deepEqual(parseSigmaString('a\\\\\\*'), [{ kind: 'text', text: 'a\\*' }]);
    assert.deepEqual(parseSigmaString('a\\\\\\\\'), [{ kind: 'text', text: 'a\\\\' }]);
    assert.deepEqual(parseSigmaString('a\\\\\\'), [{ kind: 'text', text: 'a\\\\' }], 'three backslashes are two');
    // A plain backslash not followed by a wildcard may be single or double.
    assert.deepEqual(parseSigmaString('C:\\Windows\\System32'), [{ kind: 'text', text: 'C:\\Windows\\System32' }]);
    assert.deepEqual(parseSigmaString('C:\\\\Windows'), [{ kind: 'text', text: 'C:\\Windows' }]);
  });

  test('wildcards become parts and runs of stars collapse', () => {
    assert.deepEqual(parseSigmaString('*a**b?'), [
      { kind: 'multi' },
      { kind: 'text', text: 'a' },
      { kind: 'multi' },
      { kind: 'text', text: 'b' },
      { kind: 'single' },
    ]);
    assert.deepEqual(parseSigmaString(''), []);
  });

  test('placeholders are recognised only when asked, and \\% escapes a percent', () => {
    assert.deepEqual(parseSigmaString('%Servers%'), [{ kind: 'text', text: '%Servers%' }]);
    assert.deepEqual(parseSigmaString('%Servers%', true), [{ kind: 'placeholder', name: 'Servers' }]);
    assert.deepEqual(parseSigmaString('\\%plain%name%', true), [{ kind: 'text', text: '%plain' }, { kind: 'placeholder', name: 'name' }]);
    assert.deepEqual(parseSigmaString('100% sure', true), [{ kind: 'text', text: '100% sure' }]);
  });

  test('formatting parts reads back to the same parts', () => {
    for (const s of ['a\\*', 'a\\\\*', 'a\\\\\\*', 'C:\\Windows\\*.exe', '*\\\\?x', 'plain', 'x\\y\\\\z', '\\\\']) {
      const parts = parseSigmaString(s);
      assert.deepEqual(parseSigmaString(formatSigmaString(parts)), parts, s);
    }
  });
});

describe('wildcard matching', () => {
  test('stars and question marks, anchored', () => {
    const g = (p: string): ((t: string) => boolean) => compileGlob(parseSigmaString(p), false);
    assert.equal(g('a*c')('abc'), true);
    assert.equal(g('a*c')('abcd'), false);
    assert.equal(g('*b*')('abc'), true);
    assert.equal(g('a?c')('abc'), true);
    assert.equal(g('a?c')('ac'), false);
    assert.equal(g('*a?c*')('xxabcxx'), true);
    assert.equal(g('a*b?d*e')('axxbcdyye'), true);
    assert.equal(g('a*b?d*e')('axxbcdyyf'), false);
    assert.equal(g('ab*ab')('ab'), false, 'head and tail may not overlap');
    assert.equal(g('ab*ab')('abab'), true);
  });

  test('many stars against a long text finish quickly and correctly (no backtracking blow-up)', () => {
    const g = compileGlob(parseSigmaString('*a*a*a*a*a*a*a*a*b'), false);
    assert.equal(g('a'.repeat(5000)), false);
    const q = compileGlob(parseSigmaString('*a?a*a?a*a?a*b'), false);
    assert.equal(q('a'.repeat(5000)), false);
    assert.equal(q('a'.repeat(5000) + 'b'), true);
  });
});

describe('ip addresses', () => {
  test('IPv4 parsing is strict', () => {
    assert.deepEqual(parseIPv4('192.0.2.1'), new Uint8Array([192, 0, 2, 1]));
    for (const bad of ['192.0.2', '192.0.2.256', '192.0.2.01', '1.2.3.4.5', '', 'a.b.c.d', '1..2.3']) {
      assert.equal(parseIPv4(bad), null, bad);
    }
  });

  test('IPv6 parsing handles ::, IPv4 tails and zones', () => {
    assert.equal(formatIP(parseIPv6('2001:db8::1') as Uint8Array), '2001:db8::1');
    assert.equal(formatIP(parseIPv6('::') as Uint8Array), '::');
    assert.equal(formatIP(parseIPv6('::ffff:192.0.2.1') as Uint8Array), '::ffff:c000:201');
    assert.equal(formatIP(parseIPv6('fe80::1%eth0') as Uint8Array), 'fe80::1');
    assert.equal(formatIP(parseIPv6('1:2:3:4:5:6:7:8') as Uint8Array), '1:2:3:4:5:6:7:8');
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', ':1:2', '1:2:', '12345::', '::g', '1:2:3:4:5:6:7::8']) {
      assert.equal(parseIPv6(bad), null, bad);
    }
  });

  test('cidr parsing refuses host bits and bad prefixes', () => {
    assert.equal(parseCidr('10.0.0.0/8').ok, true);
    assert.equal(parseCidr('2001:db8::/32').ok, true);
    assert.equal(parseCidr('10.0.0.1/8').ok, false);
    assert.equal(parseCidr('10.0.0.0/08').ok, false);
    assert.equal(parseCidr('::/129').ok, false);
  });
});
