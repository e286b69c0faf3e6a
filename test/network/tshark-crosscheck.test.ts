/**
 * Decoding cross-checked against tshark, field by field, frame by frame, on every checked-in capture (the Linux lab's
 * captures and the scapy-crafted ones): outer addresses and UDP port, encapsulation (VXLAN, GENEVE, ERSPAN I/II/III,
 * TZSP, HP ERM), VNI, ERSPAN version, session id, direction and timestamp, GRE sequence, inner addresses and ports.
 * With tshark installed the comparison is with tshark itself; without it, with the output tshark 4.0.17 gave for the
 * same files (test/fixtures/network/tshark/), and the test name says which.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { capturesIn, decodeFrames, haveTshark, netFixture } from './helpers.js';
import { assertMatchesTshark, tsharkOutputs } from './tshark.js';

const CAPTURES = [...capturesIn(netFixture('lab')), ...capturesIn(netFixture('crafted'))];

const OUTPUTS = await tsharkOutputs(CAPTURES, haveTshark);

CAPTURES.forEach((capture, index) => {
  const name = basename(capture);
  const output = OUTPUTS[index];
  const against = haveTshark ? 'tshark' : 'stored tshark 4.0.17 output';
  test(`${name}: every frame decodes as ${against} decodes it`, { skip: output === undefined ? `no tshark and no stored tshark output for ${name}` : false }, () => {
    const tunnels = assertMatchesTshark(capture, output as string);
    if (/vxlan|erspan|geneve|tzsp|erm/.test(name) && !/inner/.test(name)) assert.ok(tunnels > 0, `${name}: tunnels compared`);
  });
});

test('the truncated copy in the AWS-style capture is recognised: inner IP length beyond the 64 copied bytes', () => {
  const frames = decodeFrames(netFixture('lab', 'aws_vxlan_mirror.pcap'));
  const last = frames[frames.length - 1];
  assert.equal(last.encapsulation, 'vxlan');
  assert.equal(last.innerTruncated, true);
  assert.equal(frames.filter((f) => f.innerTruncated).length, 1);
});
