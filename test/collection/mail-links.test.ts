/** The link rules of the mail intake: the allow-list classification and the outbound guard on downloads. */
import { describe, expect, it } from 'vitest';
import { classifyLink } from '../../src/modules/collection/index.js';
import { downloadLink, extractLinks } from '../../src/modules/collection/mail/mail-links.js';
import { DEFAULT_LINK_HOSTS } from '../../src/platform/config/collect-mail-config.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { startFileServer } from './mail-kit.js';

describe('classifyLink', () => {
  const hosts = [DEFAULT_LINK_HOSTS];

  it('allows the tax platform’s download hosts by default', () => {
    expect(classifyLink('https://dppt.shanghai.chinatax.gov.cn:8443/v/2_24312000000123456789', hosts)).toBe('allowed');
    expect(classifyLink('https://bcfp.shenzhen.chinatax.gov.cn/verify?hash=1', hosts)).toBe('allowed');
    expect(classifyLink('HTTPS://DPPT.BEIJING.CHINATAX.GOV.CN/x.pdf', hosts)).toBe('allowed');
  });

  it('refuses look-alike hosts, other schemes, credentials and overlong links', () => {
    expect(classifyLink('https://chinatax.gov.cn.evil.example/x.pdf', hosts)).toBe('not_allowed');
    expect(classifyLink('https://evilchinatax.gov.cn/x.pdf', hosts)).toBe('not_allowed');
    expect(classifyLink('https://chinatax.gov.cn/x.pdf', hosts)).toBe('not_allowed'); // *.suffix: subdomains only
    expect(classifyLink('https://example.test/x.pdf', hosts)).toBe('not_allowed');
    expect(classifyLink('ftp://dppt.shanghai.chinatax.gov.cn/x.pdf', hosts)).toBe('invalid');
    expect(classifyLink('https://u:p@dppt.shanghai.chinatax.gov.cn/x.pdf', hosts)).toBe('invalid');
    expect(classifyLink(`https://dppt.shanghai.chinatax.gov.cn/${'a'.repeat(3000)}`, hosts)).toBe('invalid');
    expect(classifyLink('not a url', hosts)).toBe('invalid');
  });

  it('follows no link when the allow-list is empty', () => {
    expect(classifyLink('https://dppt.shanghai.chinatax.gov.cn/x.pdf', [])).toBe('not_allowed');
    expect(loadConfig({ COLLECT_LINK_HOSTS: '' }).collectMail.linkHosts).toEqual([]);
    expect(loadConfig({}).collectMail.linkHosts).toEqual(['*.chinatax.gov.cn']);
  });

  it('exact hosts match only themselves', () => {
    expect(classifyLink('http://files.example.test/a.pdf', ['files.example.test'])).toBe('allowed');
    expect(classifyLink('http://x.files.example.test/a.pdf', ['files.example.test'])).toBe('not_allowed');
  });
});

describe('extractLinks', () => {
  it('finds href and bare links once each, without trailing punctuation', () => {
    const html = '<a href="https://a.example.test/x.pdf?t=1&amp;u=2">x</a> see https://b.example.test/y.ofd.';
    const text = '[https://a.example.test/x.pdf?t=1&u=2] and (https://c.example.test/z.xml)';
    expect(extractLinks(text, html)).toEqual([
      'https://a.example.test/x.pdf?t=1&u=2',
      'https://b.example.test/y.ofd',
      'https://c.example.test/z.xml',
    ]);
  });
});

describe('downloadLink', () => {
  it('refuses a loopback target unless OUTBOUND_ALLOWED_HOSTS lets it through, even when on the allow-list', async () => {
    const server = await startFileServer({ '/a.pdf': Buffer.from('%PDF-1.7 test') });
    try {
      const url = `http://127.0.0.1:${server.port}/a.pdf`;
      const base = { linkHosts: ['127.0.0.1'], maxBytes: 1024, timeoutMs: 5000 };
      const refused = await downloadLink(url, { ...base, outboundAllowedHosts: [] });
      expect(refused).toMatchObject({ ok: false, reason: 'refused' });
      expect(server.requests).toEqual([]);
      const ok = await downloadLink(url, { ...base, outboundAllowedHosts: ['127.0.0.1'] });
      expect(ok).toMatchObject({ ok: true, fileName: 'a.pdf' });
      expect(server.requests).toEqual(['/a.pdf']);
      const tooLarge = await downloadLink(url, { ...base, maxBytes: 4, outboundAllowedHosts: ['127.0.0.1'] });
      expect(tooLarge).toMatchObject({ ok: false, reason: 'too_large' });
      const missing = await downloadLink(`http://127.0.0.1:${server.port}/none`, {
        ...base,
        outboundAllowedHosts: ['127.0.0.1'],
      });
      expect(missing).toMatchObject({ ok: false, reason: 'http_error', message: 'HTTP 404' });
    } finally {
      await server.stop();
    }
  });
});

describe('downloadLink redirects', () => {
  it('checks every redirect target against the allow-list before following it', async () => {
    const http = await import('node:http');
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const port = (server.address() as { port: number }).port;
      if (req.url === '/to-allowed') res.writeHead(302, { location: `http://127.0.0.1:${port}/file.pdf` }).end();
      else if (req.url === '/to-other') res.writeHead(302, { location: `http://localhost:${port}/file.pdf` }).end();
      else res.writeHead(200).end('%PDF-1.7 x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const options = {
        linkHosts: ['127.0.0.1'],
        outboundAllowedHosts: ['127.0.0.1', 'localhost'],
        maxBytes: 1024,
        timeoutMs: 5000,
      };
      expect(await downloadLink(`http://127.0.0.1:${port}/to-allowed`, options)).toMatchObject({ ok: true });
      expect(await downloadLink(`http://127.0.0.1:${port}/to-other`, options)).toMatchObject({
        ok: false,
        reason: 'refused',
      });
      expect(requests).toEqual(['/to-allowed', '/file.pdf', '/to-other']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
