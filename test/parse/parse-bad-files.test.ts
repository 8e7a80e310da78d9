/** Files the parser refuses, each with its stable code: bombs, truncation, encryption, non-invoices, size. */
import { strToU8, zipSync } from 'fflate';
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { renderInvoiceDocuments } from '../../src/modules/documents/render/render-invoice-documents.js';
import { sampleInvoice } from '../../src/modules/documents/render/sample-invoices.js';
import { parseInvoiceFile } from '../../src/parse/index.js';
import { CMAP_URL } from './parse-test-kit.js';

const parse = (bytes: Uint8Array, options = {}) => parseInvoiceFile(bytes, { cMapUrl: CMAP_URL, ...options });
const OFD_XML = strToU8(
  '<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
);

/** A PDF whose /Encrypt dictionary needs a user password (the empty one does not open it). */
function encryptedPdf(): Uint8Array {
  const hex = (n: number) => 'A1'.repeat(n);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    `<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <${hex(32)}> /U <${hex(32)}> >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<${hex(16)}> <${hex(16)}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return strToU8(body);
}

async function plainPdf(text: string): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'A5' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.text(text);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

describe('bad files', () => {
  const good = renderInvoiceDocuments(sampleInvoice());

  it('refuses an encrypted PDF', async () => {
    await expect(parse(encryptedPdf())).rejects.toMatchObject({ code: 'ENCRYPTED' });
  });

  it('refuses a truncated OFD and a truncated PDF', async () => {
    await expect(parse(good.ofd.subarray(0, good.ofd.length / 2))).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(parse(good.pdf.subarray(0, 600))).rejects.toMatchObject({
      code: expect.stringMatching(/CORRUPT|NO_TEXT_LAYER/),
    });
  });

  it('refuses malformed XML and XML with entity declarations (no expansion)', async () => {
    await expect(parse(strToU8('<EInvoice><Header></EInvoice>'))).rejects.toMatchObject({ code: 'CORRUPT' });
    const billion = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><EInvoice><Header><EIid>&b;</EIid></Header></EInvoice>`;
    await expect(parse(strToU8(billion))).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('refuses a PDF and an XML that are no invoices, saying why', async () => {
    const notes = await plainPdf('Minutes of the weekly meeting. Attendees: Alice, Bob. Next meeting on Monday.');
    await expect(parse(notes)).rejects.toMatchObject({
      code: 'NOT_AN_INVOICE',
      message: expect.stringContaining('不是发票'),
    });
    await expect(parse(strToU8('<?xml version="1.0"?><order><id>1</id></order>'))).rejects.toMatchObject({
      code: 'NOT_AN_INVOICE',
    });
  });

  it('refuses a PDF without a text layer as needing image recognition', async () => {
    await expect(parse(await plainPdf(''))).rejects.toMatchObject({ code: 'NO_TEXT_LAYER' });
  });

  it('refuses unsupported types and files over the size limit', async () => {
    await expect(parse(strToU8('just some text'))).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE' });
    await expect(parse(good.pdf, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(parse(new Uint8Array(0))).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('refuses ZIP bombs: an entry inflating past the cap, a high ratio, too many entries', async () => {
    const big = zipSync({ 'OFD.xml': OFD_XML, 'Doc_0/Document.xml': new Uint8Array(40 * 1024 * 1024) }, { level: 9 });
    expect(big.length).toBeLessThan(200_000);
    await expect(parse(big)).rejects.toMatchObject({ code: 'ZIP_LIMIT' });
    const dense = zipSync({ 'OFD.xml': OFD_XML, 'Doc_0/Document.xml': new Uint8Array(4 * 1024 * 1024) }, { level: 9 });
    await expect(parse(dense)).rejects.toMatchObject({ code: 'ZIP_LIMIT' });
    const many = zipSync(Object.fromEntries(Array.from({ length: 2100 }, (_, i) => [`f${i}.xml`, strToU8('<a/>')])));
    await expect(parse(many)).rejects.toMatchObject({ code: 'ZIP_LIMIT' });
  });

  it('stops inflating an entry whose directory lies about its size', async () => {
    const zip = zipSync({ 'OFD.xml': OFD_XML, 'Doc_0/Document.xml': new Uint8Array(40 * 1024 * 1024) }, { level: 9 });
    // Patch the declared uncompressed size of every central-directory entry to 100 bytes.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let p = 0; p + 46 < zip.length; p++)
      if (view.getUint32(p, true) === 0x02014b50) view.setUint32(p + 24, 100, true);
    await expect(parse(zip)).rejects.toMatchObject({ code: 'ZIP_LIMIT' });
  });

  it('refuses a ZIP that is not an OFD', async () => {
    await expect(parse(zipSync({ 'a.txt': strToU8('hello') }))).rejects.toMatchObject({ code: 'NOT_AN_INVOICE' });
  });
});
