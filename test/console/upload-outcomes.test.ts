import { describe, expect, it } from 'vitest';
import { outcomesOf, outcomeText } from '../../web/console/src/upload-outcomes.js';

/**
 * What the console's upload result says of each file (web/console/src/upload-outcomes.ts): the items each file gave (by the
 * sha256 items carry), a ZIP's items, and the Chinese line per status. The browser tests see ok and failed files; the
 * ZIP and OCR-pending lines are checked here, from answers shaped as POST /api/v1/received-invoices gives them.
 */
describe('upload outcomes', () => {
  const item = (sha256: string | null) => ({ sha256 });

  it('counts each file’s items by its sha256 and names it as the user chose it', () => {
    const files = outcomesOf(
      [item('a'), item('a'), item('b')],
      [
        { sha256: 'a', status: 'ok' },
        { sha256: 'c', status: 'failed', error: { code: 'INVOICE_FILE_NOT_INVOICE', message: '该文件不是发票' } },
        { sha256: 'b', status: 'ok' },
      ],
      [{ name: '两张.pdf' }, { name: '订单.xml' }, { name: '一张.ofd' }],
    );
    expect(files.map((f) => [f.fileName, f.status, f.itemCount])).toEqual([
      ['两张.pdf', 'ok', 2],
      ['订单.xml', 'failed', 0],
      ['一张.ofd', 'ok', 1],
    ]);
    expect(files.map(outcomeText)).toEqual(['已识别 2 张', '识别失败：该文件不是发票', '已识别 1 张']);
  });

  it('gives the only ZIP of an upload the items no other file gave; with two ZIPs it cannot tell', () => {
    const one = outcomesOf(
      [item('a'), item('z1'), item('z2')],
      [
        { sha256: 'a', status: 'ok' },
        { sha256: 'zip', status: 'archive' },
      ],
      [{ name: 'a.pdf' }, { name: '发票.zip' }],
    );
    expect(one.map(outcomeText)).toEqual(['已识别 1 张', '压缩包，识别出 2 张']);
    const two = outcomesOf(
      [item('z1'), item('z2')],
      [
        { sha256: 'zip1', status: 'archive' },
        { sha256: 'zip2', status: 'archive' },
      ],
      [{ name: '一.zip' }, { name: '二.zip' }],
    );
    expect(two.map((f) => f.itemCount)).toEqual([null, null]);
    expect(two.map(outcomeText)).toEqual(['压缩包', '压缩包']);
  });

  it('says a file waiting for OCR is read again later, with what its QR gave', () => {
    const pending = { code: 'INVOICE_FILE_OCR_UNAVAILABLE', message: '图片文字识别暂不可用，请稍后重试' };
    const files = outcomesOf(
      [item('p')],
      [
        { sha256: 'p', status: 'ocr_pending', pending },
        { sha256: 'q', status: 'ocr_pending', pending },
      ],
      [{ name: 'photo.png' }, { name: 'blank.png' }],
    );
    expect(files.map(outcomeText)).toEqual([
      '待识别：图片文字识别暂不可用，请稍后重试，OCR 恢复后自动重新识别（已从二维码识别 1 张）',
      '待识别：图片文字识别暂不可用，请稍后重试，OCR 恢复后自动重新识别',
    ]);
    expect(files[1]).toMatchObject({ fileName: 'blank.png', status: 'ocr_pending', pending, itemCount: 0 });
  });

  it('falls back to the server’s file name when it answers more files than were posted', () => {
    const files = outcomesOf([], [{ fileName: 'from-server.pdf', sha256: 'x', status: 'ok' }], []);
    expect(files[0]?.fileName).toBe('from-server.pdf');
  });
});
