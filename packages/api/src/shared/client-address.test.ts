import { expect, test } from 'vitest';
import { addressBucket, canonicalAddress, parseIpv6 } from './client-address.js';

// Case 54: the address logic behind every per-IP rate limit.

test('case 54: IPv4 addresses are their own bucket', () => {
  expect(addressBucket('203.0.113.5')).toBe('203.0.113.5');
  expect(addressBucket('203.0.113.6')).toBe('203.0.113.6');
});

test('case 54: IPv6 addresses in one /64 share a bucket, whatever their spelling', () => {
  const bucket = '2001:db8:1:2::/64';
  expect(addressBucket('2001:db8:1:2::1')).toBe(bucket);
  expect(addressBucket('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(bucket);
  expect(addressBucket('2001:0DB8:0001:0002:0000:0000:0000:0abc')).toBe(bucket);
  expect(addressBucket('2001:db8:1:2::7%eth0')).toBe(bucket);
  expect(addressBucket('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
  expect(addressBucket('::1')).toBe('0:0:0:0::/64');
  expect(addressBucket('fe80::1')).toBe('fe80:0:0:0::/64');
});

test('case 54: IPv4-mapped IPv6 is IPv4, in dotted and in hex form', () => {
  expect(addressBucket('::ffff:203.0.113.5')).toBe('203.0.113.5');
  expect(addressBucket('::FFFF:cb00:7105')).toBe('203.0.113.5');
  expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
  // Not mapped: an IPv4-compatible or translated prefix is an IPv6 address like any other.
  expect(addressBucket('64:ff9b::203.0.113.5')).toBe('64:ff9b:0:0::/64');
});

test('case 54: anything that is not an address is left as it is', () => {
  expect(addressBucket('unknown')).toBe('unknown');
  expect(canonicalAddress('2001:DB8::1')).toBe('2001:db8::1');
  expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeNull();
  expect(parseIpv6('2001:db8::1::2')).toBeNull();
  expect(parseIpv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
});
