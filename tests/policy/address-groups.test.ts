// The per-address limits on failed authentication (README "Rate limits") count an IPv6 /64 as one
// source: a host is usually given a whole /64 and could otherwise spread guesses over its addresses.
import { addressGroupOf } from '../../src/http/rate-limit.js';

describe('the per-address limits', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('count %s as %s (a whole IPv6 /64 is one host)', (ip, group) => {
    expect(addressGroupOf(ip)).toBe(group);
  });
});
