import { createHash } from 'node:crypto';

/** Most header bytes read from a raw mail (a header block is a few KB; this bounds the scan of hostile input). */
export const MAX_HEADER_BYTES = 256 * 1024;
/** Longest Message-ID kept (RFC 5322 lines are at most 998 characters). */
export const MAX_MESSAGE_ID_LENGTH = 998;

/** The unfolded header block of a raw RFC 5322 message (up to the first empty line, at most {@link MAX_HEADER_BYTES}). */
export function headerBlock(raw: Uint8Array): string {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, MAX_HEADER_BYTES)).toString('latin1');
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  const end = [crlf, lf].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), head.length);
  // Unfold: a line break followed by white space continues the previous header.
  return head.slice(0, end).replace(/\r?\n[ \t]+/g, ' ');
}

/** The value of the first header `name` (case-insensitive), trimmed, or null. */
export function headerValue(block: string, name: string): string | null {
  const lower = name.toLowerCase();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === lower) return line.slice(colon + 1).trim();
  }
  return null;
}

/**
 * The Message-ID of a raw mail without its angle brackets (what one import per mail is keyed on), or, for a mail
 * without one, `sha256:<hex>` of the whole mail (the same bytes sent twice are still one import).
 */
export function messageIdOf(raw: Uint8Array): string {
  const value = headerValue(headerBlock(raw), 'message-id');
  const id = value
    ?.slice(0, MAX_MESSAGE_ID_LENGTH + 2)
    .replace(/^<|>$/g, '')
    .trim();
  if (id) return id.slice(0, MAX_MESSAGE_ID_LENGTH);
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}
