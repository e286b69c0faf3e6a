/**
 * IPv4 and IPv6 addresses and CIDR networks for the `cidr` modifier, parsed to bytes and compared by prefix.
 * Textual forms: RFC 4291 §2.2 (IPv6, including `::` and an embedded dotted IPv4 tail), RFC 4007 §11 (a `%zone`
 * suffix, dropped), RFC 4632 (CIDR). Dotted IPv4 parts with leading zeros are refused, as Python's `ipaddress` does
 * since 3.9.5, because some parsers read them as octal.
 */

/** A parsed CIDR network. */
export interface CidrNetwork {
  version: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
}

/** Parses dotted-decimal IPv4 (`10.0.0.1`) into 4 bytes, or null. */
export function parseIPv4(text: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  let leadingZero = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; /* a final '.' closes the last part */
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return null;
      if (leadingZero && digits > 1) return null;
      out[part++] = value;
      value = 0;
      digits = 0;
      leadingZero = false;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 0 && c === 0x30) leadingZero = true;
      value = value * 10 + (c - 0x30);
      digits++;
      if (value > 255 || digits > 3) return null;
    } else {
      return null;
    }
  }
  return part === 4 ? out : null;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Parses an IPv6 address (`2001:db8::1`, `::ffff:10.0.0.1`, `fe80::1%eth0`) into 16 bytes, or null. */
export function parseIPv6(input: string): Uint8Array | null {
  let text = input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.length < 2) return null;
  const groups: number[] = [];
  let gap = -1; // index in `groups` where `::` stands
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
    if (i === text.length) return new Uint8Array(16);
  } else if (text.charCodeAt(0) === 0x3a) {
    return null;
  }
  while (i < text.length) {
    // One group: up to 4 hex digits, or a dotted IPv4 tail.
    let j = i;
    let value = 0;
    while (j < text.length && j - i < 5) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      j++;
    }
    if (j < text.length && text.charCodeAt(j) === 0x2e) {
      const v4 = parseIPv4(text.slice(i));
      if (v4 === null) return null;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      break;
    }
    if (j === i || j - i > 4) return null;
    groups.push(value);
    i = j;
    if (i === text.length) break;
    if (text.charCodeAt(i) !== 0x3a) return null;
    i++;
    if (i < text.length && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return null; // two `::`
      gap = groups.length;
      i++;
      if (i === text.length) break;
    } else if (i === text.length) {
      return null; // trailing single ':'
    }
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return null;
  const full = new Array<number>(8).fill(0);
  if (gap < 0) {
    for (let k = 0; k < 8; k++) full[k] = groups[k];
  } else {
    for (let k = 0; k < gap; k++) full[k] = groups[k];
    const tail = groups.length - gap;
    for (let k = 0; k < tail; k++) full[8 - tail + k] = groups[gap + k];
  }
  const out = new Uint8Array(16);
  for (let k = 0; k < 8; k++) {
    out[2 * k] = full[k] >> 8;
    out[2 * k + 1] = full[k] & 0xff;
  }
  return out;
}

/** Parses an address of either family: IPv4 when it has no colon. */
export function parseIP(text: string): Uint8Array | null {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

/** The result of parsing a CIDR: a network, or the reason it is not one. */
export type CidrParse = { ok: true; network: CidrNetwork } | { ok: false; reason: string };

/** Parses `a.b.c.d/p` or `x::y/p` (no prefix means a single host), refusing host bits set below the prefix. */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const isV6 = addrText.includes(':');
  if (isV6 && addrText.includes('%')) return { ok: false, reason: 'a network cannot have a zone index' };
  const bytes = isV6 ? parseIPv6(addrText) : parseIPv4(addrText);
  if (bytes === null) return { ok: false, reason: `"${addrText}" is not an ${isV6 ? 'IPv6' : 'IPv4'} address` };
  const max = bytes.length * 8;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > max) {
      return { ok: false, reason: `prefix "${p}" must be a whole number from 0 to ${max}` };
    }
    prefix = Number(p);
  }
  for (let bit = prefix; bit < max; bit++) {
    if (bytes[bit >> 3] & (0x80 >> (bit & 7))) {
      const masked = maskBytes(bytes, prefix);
      return {
        ok: false,
        reason: `host bits are set below /${prefix}: did you mean ${formatIP(masked)}/${prefix}?`,
      };
    }
  }
  return { ok: true, network: { version: isV6 ? 6 : 4, bytes, prefix } };
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let bit = prefix; bit < out.length * 8; bit++) out[bit >> 3] &= ~(0x80 >> (bit & 7));
  return out;
}

/** Formats bytes as an address (IPv6 compressed per RFC 5952 §4.2: the longest run of two or more zero groups). */
export function formatIP(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let k = 0; k < 8; k++) groups.push((bytes[2 * k] << 8) | bytes[2 * k + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && groups[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** True when the first `prefix` bits of `addr` and `net` are equal (both the same length). */
function prefixEqual(addr: Uint8Array, addrStart: number, net: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3;
  for (let k = 0; k < whole; k++) if (addr[addrStart + k] !== net[k]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (addr[addrStart + whole] & mask) === (net[whole] & mask);
}

/** True when `address` is a textual IP inside `network`. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts as IPv4. */
export function cidrContains(network: CidrNetwork, address: string): boolean {
  const bytes = parseIP(address.trim());
  if (bytes === null) return false;
  if (network.version === 4) {
    if (bytes.length === 4) return prefixEqual(bytes, 0, network.bytes, network.prefix);
    if (isV4Mapped(bytes)) return prefixEqual(bytes, 12, network.bytes, network.prefix);
    return false;
  }
  if (bytes.length !== 16) return false;
  return prefixEqual(bytes, 0, network.bytes, network.prefix);
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let k = 0; k < 10; k++) if (b[k] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}
