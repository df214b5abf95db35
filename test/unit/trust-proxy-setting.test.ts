// TRUST_PROXY becomes Express's `trust proxy`; a value Express would misread is refused at start.
import { describe, expect, it } from 'vitest';
import { InvalidSettings, loadSettings } from '../../platform/settings.js';

const trustProxyOf = (value: string | undefined) => loadSettings({ TRUST_PROXY: value }).http.trustProxy;

describe('TRUST_PROXY', () => {
  it('defaults to the loopback range: a proxy on the same host', () => {
    expect(trustProxyOf(undefined)).toEqual(['loopback']);
    expect(trustProxyOf('')).toEqual(['loopback']);
  });

  it('takes addresses, CIDR ranges and range names, a number of hops, true or false', () => {
    expect(trustProxyOf('10.0.0.5, 192.168.0.0/16,uniquelocal, fd00::1')).toEqual(['10.0.0.5', '192.168.0.0/16', 'uniquelocal', 'fd00::1']);
    expect(trustProxyOf('2')).toBe(2);
    expect(trustProxyOf('true')).toBe(true);
    expect(trustProxyOf('false')).toBe(false);
  });

  it.each(['proxy.example', '10.0.0.300', '10.0.0.0/8/1', 'loopback,nginx'])('refuses %s, naming the variable', (value) => {
    expect(() => trustProxyOf(value)).toThrow(InvalidSettings);
    expect(() => trustProxyOf(value)).toThrow(/TRUST_PROXY/);
  });
});
