import { describe, expect, it } from 'vitest';
import { OutboundUrlError, type ResolveHost, resolveOutboundTarget } from './outbound-guard.js';

/** A fake DNS: no test ever resolves or connects to a real host. */
const fakeDns =
  (table: Record<string, string[]>): ResolveHost =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw new Error('ENOTFOUND');
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const resolve = fakeDns({
  'hooks.example.com': ['93.184.216.34'],
  'internal.example.com': ['10.0.0.7'],
  'mixed.example.com': ['93.184.216.34', '127.0.0.1'],
  'v6.example.com': ['2606:4700::1111'],
  'mapped.example.com': ['::ffff:169.254.169.254'],
});

async function refusal(url: string, allowedHosts: string[] = []): Promise<string> {
  try {
    await resolveOutboundTarget(url, { allowedHosts, resolve });
    return 'allowed';
  } catch (err) {
    if (err instanceof OutboundUrlError) return err.reason;
    throw err;
  }
}

describe('resolveOutboundTarget', () => {
  it('pins a public host to its checked address', async () => {
    const target = await resolveOutboundTarget('https://hooks.example.com/cb', { allowedHosts: [], resolve });
    expect(target).toMatchObject({ address: '93.184.216.34', family: 4 });
    expect(target.url.hostname).toBe('hooks.example.com');
  });

  it('refuses when any resolved address is not public', async () => {
    expect(await refusal('https://internal.example.com/cb')).toBe('private');
    expect(await refusal('https://mixed.example.com/cb')).toBe('loopback');
    expect(await refusal('https://mapped.example.com/cb')).toBe('metadata');
    expect(await refusal('https://v6.example.com/cb')).toBe('allowed');
  });

  it('refuses IP literals in private ranges, whatever their notation', async () => {
    expect(await refusal('http://127.0.0.2:8080/cb')).toBe('loopback');
    expect(await refusal('http://2130706433/cb')).toBe('loopback');
    expect(await refusal('http://0x7f.1/cb')).toBe('loopback');
    expect(await refusal('http://[::1]/cb')).toBe('loopback');
    expect(await refusal('http://[::ffff:10.0.0.1]/cb')).toBe('private');
    expect(await refusal('http://169.254.169.254/latest/meta-data')).toBe('metadata');
    expect(await refusal('http://0.0.0.0/')).toBe('unspecified');
  });

  it('lets allowlisted hosts through (host, or host:port)', async () => {
    expect(await refusal('http://127.0.0.2:8080/cb', ['127.0.0.2'])).toBe('allowed');
    expect(await refusal('http://127.0.0.2:8080/cb', ['127.0.0.2:8080'])).toBe('allowed');
    expect(await refusal('http://127.0.0.2:8081/cb', ['127.0.0.2:8080'])).toBe('loopback');
    expect(await refusal('https://internal.example.com/cb', ['internal.example.com:443'])).toBe('allowed');
    expect(await refusal('http://[::1]:9000/cb', ['[::1]:9000'])).toBe('allowed');
  });

  it('refuses malformed, non-http and credentialed URLs and unresolvable hosts', async () => {
    expect(await refusal('not a url')).toBe('invalid_url');
    expect(await refusal('ftp://hooks.example.com/')).toBe('unsupported_scheme');
    expect(await refusal('file:///etc/passwd')).toBe('unsupported_scheme');
    expect(await refusal('https://user:pw@hooks.example.com/')).toBe('credentials_in_url');
    expect(await refusal('https://nowhere.example.com/')).toBe('unresolvable');
  });
});
