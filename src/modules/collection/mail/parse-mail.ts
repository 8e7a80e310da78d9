/**
 * Reading a stored raw mail (MIME) into what the import needs: sender, subject, attachments and link candidates.
 * Runs on a parse-pool worker thread (parse-worker.ts), never on the event loop: the pool's time and heap limits
 * bound it, and cheap linear checks refuse the obviously hostile shapes first (oversized mail, a header block
 * without end, multiparts nested without end).
 */
import { simpleParser } from 'mailparser';
import { extractLinks } from './mail-links.js';
import { MAX_HEADER_BYTES } from './raw-headers.js';

/** HTML bodies longer than this are not converted to text by the mail parser (links are still scanned). */
const MAX_HTML_TO_PARSE = 2 * 1024 * 1024;
/** Multipart containers a mail may declare (a real invoice mail has a handful). */
export const MAX_MAIL_MULTIPARTS = 64;
/** MIME parts a mail may carry at most (its boundary lines). */
export const MAX_MAIL_PARTS = 1000;

/** A mail as the import uses it. */
export interface ParsedMail {
  readonly from: string | null;
  readonly subject: string | null;
  readonly attachments: ReadonlyArray<{
    readonly filename: string | null;
    readonly contentType: string;
    readonly size: number;
    readonly content: Uint8Array;
  }>;
  /** Distinct http(s) links of the text and HTML bodies (mail-links.ts extractLinks). */
  readonly links: readonly string[];
}

/** Why a mail is not read: too large or shaped to exhaust the parser. */
export class MailRefused extends Error {
  constructor(
    readonly code: 'TOO_LARGE' | 'TOO_COMPLEX',
    message: string,
  ) {
    super(message);
    this.name = 'MailRefused';
  }
}

/** Refuses mails whose shape alone is hostile; linear in the mail's size. */
export function checkMailShape(raw: Uint8Array, maxBytes: number): void {
  if (raw.byteLength > maxBytes)
    throw new MailRefused('TOO_LARGE', `邮件过大（${raw.byteLength} 字节，上限 ${maxBytes} 字节）`);
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const headEnd = Math.min(
    ...[buf.indexOf('\r\n\r\n'), buf.indexOf('\n\n')].map((i) => (i < 0 ? Number.POSITIVE_INFINITY : i)),
  );
  if (headEnd > MAX_HEADER_BYTES && buf.byteLength > MAX_HEADER_BYTES) {
    throw new MailRefused('TOO_COMPLEX', `邮件头超过 ${MAX_HEADER_BYTES} 字节，未解析`);
  }
  // Multipart declarations and boundary lines, counted on the raw bytes (latin1: one char per byte, no regex
  // backtracking: fixed patterns only).
  const text = buf.toString('latin1');
  let multiparts = 0;
  const lower = /content-type:[ \t]*(\r?\n[ \t]+)?multipart\//gi;
  while (lower.exec(text)) if (++multiparts > MAX_MAIL_MULTIPARTS) break;
  if (multiparts > MAX_MAIL_MULTIPARTS) {
    throw new MailRefused('TOO_COMPLEX', `邮件的多部分结构超过 ${MAX_MAIL_MULTIPARTS} 层/个，未解析`);
  }
  let parts = 0;
  for (let i = text.indexOf('\n--'); i >= 0; i = text.indexOf('\n--', i + 3)) {
    if (++parts > MAX_MAIL_PARTS) throw new MailRefused('TOO_COMPLEX', `邮件的部分超过 ${MAX_MAIL_PARTS} 个，未解析`);
  }
}

/** Parses a raw mail (after {@link checkMailShape}). */
export async function parseRawMail(raw: Uint8Array, maxBytes: number): Promise<ParsedMail> {
  checkMailShape(raw, maxBytes);
  const parsed = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
    skipImageLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    maxHtmlLengthToParse: MAX_HTML_TO_PARSE,
    keepCidLinks: true,
  });
  const html = typeof parsed.html === 'string' ? parsed.html : undefined;
  return {
    from: parsed.from?.value[0]?.address?.toLowerCase().slice(0, 320) ?? null,
    subject: parsed.subject?.slice(0, 2000) ?? null,
    attachments: parsed.attachments.map((att) => ({
      filename: att.filename ?? null,
      contentType: att.contentType,
      size: att.size,
      content: new Uint8Array(att.content.buffer, att.content.byteOffset, att.content.byteLength),
    })),
    links: extractLinks(parsed.text, html),
  };
}
