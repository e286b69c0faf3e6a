import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventTime } from '../../src/normalize/cloud-common.js';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

test('event times: random UTC date-times in every written form give the instant Date.parse gives and a canonical ISO string', () => {
  let seed = 7;
  const r = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let k = 0; k < 5000; k++) {
    const y = 1970 + r(90);
    const mo = 1 + r(12);
    const d = 1 + r(28);
    const [h, mi, s] = [r(24), r(60), r(60)];
    const digits = r(10);
    const frac = digits === 0 ? '' : String(r(10 ** Math.min(digits, 9))).padStart(digits, '0');
    const base = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
    const time = `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
    const expectedIso = `${base}T${time}${frac ? `.${frac}` : ''}Z`;
    const expectedMs = Date.parse(`${base}T${time}.${(frac || '0').padEnd(3, '0').slice(0, 3)}Z`);
    for (const written of [expectedIso, `${base} ${time}${frac ? `.${frac}` : ''}`, `${base}t${time}${frac ? `,${frac}` : ''}z`, `${base}T${time}${frac ? `.${frac}` : ''}+00:00`]) {
      assert.deepEqual(parseEventTime(written), { iso: expectedIso, ms: expectedMs }, written);
    }
  }
});

test('event times: offsets, leap days, leap seconds, early years and impossible dates', () => {
  assert.deepEqual(parseEventTime('2021-11-18T09:41:02-08:00'), { iso: '2021-11-18T17:41:02Z', ms: Date.parse('2021-11-18T17:41:02Z') });
  assert.deepEqual(parseEventTime('2024-02-29T00:00:00Z')?.iso, '2024-02-29T00:00:00Z');
  assert.equal(parseEventTime('2023-02-29T00:00:00Z'), undefined);
  assert.equal(parseEventTime('1900-02-29T00:00:00Z'), undefined);
  assert.equal(parseEventTime('2000-02-29T00:00:00Z')?.iso, '2000-02-29T00:00:00Z');
  assert.equal(parseEventTime('2024-04-31T00:00:00Z'), undefined);
  assert.deepEqual(parseEventTime('2016-12-31T23:59:60Z'), { iso: '2017-01-01T00:00:00Z', ms: Date.parse('2017-01-01T00:00:00Z') });
  assert.deepEqual(parseEventTime('0050-06-01T12:00:00Z'), { iso: '0050-06-01T12:00:00Z', ms: Date.parse('0050-06-01T12:00:00Z') });
  assert.equal(parseEventTime('2024-13-01T00:00:00Z'), undefined);
  assert.equal(parseEventTime('2024-05-14T24:00:00Z'), undefined);
  assert.equal(parseEventTime(1715693700), undefined);
  assert.equal(parseEventTime('  2024-05-14T13:35:00Z ')?.iso, '2024-05-14T13:35:00Z');
});
