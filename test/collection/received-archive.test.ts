/** ZIPs of invoice files (src/parse/archive.ts): entries, OFD containers, junk, nesting, and the ZIP-bomb limits. */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { expandInvoiceArchive, isOfdContainer, isParseFailure } from '../../src/parse/index.js';
import { fixture, zipOf } from './received-kit.js';

describe('expandInvoiceArchive', () => {
  it('answers the files in directory order, skips junk and lists nested archives', () => {
    const ofd = fixture('ofdrw__ofdrw/1.ofd');
    const inner = zipOf({ 'x.xml': Buffer.from('<a/>') });
    const zip = zipOf({
      '发票/1.ofd': ofd,
      'b.xml': Buffer.from('<EInvoice/>'),
      '__MACOSX/._1.ofd': Buffer.from('junk'),
      '.DS_Store': Buffer.from('junk'),
      'nested.zip': inner,
    });
    const out = expandInvoiceArchive(zip);
    expect(out.files.map((f) => f.name)).toEqual(['发票/1.ofd', 'b.xml']);
    expect(Buffer.compare(Buffer.from(out.files[0]!.bytes), ofd)).toBe(0);
    expect(out.skipped).toEqual([{ name: 'nested.zip', code: 'UNSUPPORTED_TYPE', message: expect.any(String) }]);
    // An OFD is a ZIP, but one invoice file: not an archive of files.
    expect(isOfdContainer(ofd)).toBe(true);
    expect(isOfdContainer(zip)).toBe(false);
    expect(isOfdContainer(Buffer.from('%PDF-1.7'))).toBe(false);
  });

  it('refuses archives past the limits and corrupt ones with coded failures', () => {
    const many = Buffer.from(
      zipSync(
        Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`${i}.xml`, new Uint8Array([60, 97, 47, 62])])),
      ),
    );
    const failure = (bytes: Uint8Array) => {
      try {
        expandInvoiceArchive(bytes);
      } catch (err) {
        if (isParseFailure(err)) return err.code;
        throw err;
      }
      return null;
    };
    expect(failure(many)).toBe('ZIP_LIMIT');
    // 40 MiB of zeros compress to ~40 KB: the ratio limit (200:1 above 1 MiB) stops it before inflating.
    const bomb = Buffer.from(zipSync({ 'zeros.xml': new Uint8Array(40 * 1024 * 1024) }, { level: 9 }));
    expect(failure(bomb)).toBe('ZIP_LIMIT');
    expect(failure(zipOf({ 'a.xml': Buffer.from('<a/>') }).subarray(0, 40))).toBe('CORRUPT');
  });
});
