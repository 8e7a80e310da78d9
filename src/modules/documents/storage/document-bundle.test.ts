import { describe, expect, it } from 'vitest';
import { sha256Hex } from './blob-store.js';
import { packDocuments, unpackFile } from './document-bundle.js';

describe('document bundles', () => {
  const parts = {
    pdf: Buffer.from('%PDF-1.7 …'),
    ofd: Buffer.from('PK\x03\x04 ofd'),
    xml: Buffer.from('<?xml version="1.0"?><EInvoice>发票</EInvoice>'),
  };

  it('packs the files back to back; each keeps its own SHA-256 and comes back byte for byte', () => {
    const { bytes, packed } = packDocuments(parts);
    expect(packed.blob).toEqual({
      sha256: sha256Hex(bytes),
      size: parts.pdf.length + parts.ofd.length + parts.xml.length,
    });
    expect(packed.files.pdf.offset).toBe(0);
    expect(packed.files.ofd.offset).toBe(parts.pdf.length);
    expect(packed.files.xml.offset).toBe(parts.pdf.length + parts.ofd.length);
    for (const name of ['pdf', 'ofd', 'xml'] as const) {
      expect(packed.files[name]).toMatchObject({ sha256: sha256Hex(parts[name]), size: parts[name].length });
      expect(unpackFile(bytes, packed.files[name])?.equals(parts[name])).toBe(true);
    }
  });

  it('refuses a slice beyond the blob (a truncated or wrong blob) instead of returning short bytes', () => {
    const { bytes, packed } = packDocuments(parts);
    expect(unpackFile(bytes.subarray(0, bytes.length - 1), packed.files.xml)).toBeNull();
    expect(unpackFile(bytes, { offset: -1, size: 2 })).toBeNull();
  });
});
