import { isIP } from 'node:net';

/**
 * Client addresses as the per-IP rate limits see them. An IPv4 address is one client;
 * an IPv6 host usually holds a whole /64 (SLAAC, privacy addresses), so counting single IPv6
 * addresses would give every attacker 2^64 buckets: IPv6 is grouped by its /64 prefix. An
 * IPv4-mapped IPv6 address (`::ffff:203.0.113.5`, what a dual-stack socket reports) is IPv4.
 */

/** The address as people read it: IPv4-mapped IPv6 as IPv4, IPv6 zone ids dropped, else unchanged. */
export function canonicalAddress(address: string): string {
  const groups = parseIpv6(address);
  if (!groups) return address;
  return mappedIpv4(groups) ?? address.split('%')[0]!.toLowerCase();
}

/** The rate-limit bucket of an address: IPv4 itself, IPv6 its /64 (`2001:db8:1:2::/64`). */
export function addressBucket(address: string): string {
  const groups = parseIpv6(address);
  if (!groups) return address;
  const ipv4 = mappedIpv4(groups);
  if (ipv4) return ipv4;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
export function parseIpv6(address: string): number[] | null {
  const bare = address.split('%')[0] ?? '';
  if (isIP(bare) !== 6) return null;
  let text = bare.toLowerCase();
  // A dotted IPv4 tail (`::ffff:1.2.3.4`) stands for the last two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const all = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return all.length === 8 ? all.map((g) => parseInt(g, 16)) : null;
}

function mappedIpv4(groups: number[]): string | null {
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (!isMapped) return null;
  const [hi = 0, lo = 0] = groups.slice(6);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}
