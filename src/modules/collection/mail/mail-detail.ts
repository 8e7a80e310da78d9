/** The `received_mails.detail` JSON: what became of each attachment and link of a mail (also its API shape). */
import { type Static, Type } from 'typebox';
import { type StoredJson, storedJson } from '../../../platform/stored-json.js';

/** What became of one file of a mail. */
export const MAIL_FILE_RESULTS = [
  /** Parsed into one or more new items of the pool. */
  'imported',
  /** The tenant had these bytes already (its items are the existing ones). */
  'already_received',
  /** Stored, but no invoice could be read (the error says why). */
  'not_invoice',
  /**
   * Stored; it needed OCR while OCR was unavailable (`reason` says why): read again later, its items (beyond those its
   * QR gave, in `itemIds`) come then (GET /api/v1/received-files/{fileId}).
   */
  'ocr_pending',
  /** Not an invoice file type (PDF, OFD, XML, ZIP, JPEG, PNG): not stored. */
  'skipped',
  /** A link refused by the allow-list or the outbound guard. */
  'refused',
  /** A link whose download failed (HTTP error, too large, timeout). */
  'failed',
] as const;

export const MailFileDetail = Type.Object({
  origin: Type.Union([Type.Literal('attachment'), Type.Literal('link')]),
  /** The attachment's file name, or the link (scheme, host and path; no query). */
  name: Type.String(),
  size: Type.Optional(Type.Integer()),
  contentType: Type.Optional(Type.String()),
  result: Type.Enum(MAIL_FILE_RESULTS),
  fileId: Type.Optional(Type.String()),
  sha256: Type.Optional(Type.String()),
  /** Items of the pool from this file (new or existing). */
  itemIds: Type.Optional(Type.Array(Type.String())),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  reason: Type.Optional(Type.String()),
});
export type MailFileDetail = Static<typeof MailFileDetail>;

export const MailDetail = Type.Object({
  files: Type.Array(MailFileDetail),
  /** Links in the body not on the allow-list (only counted: most are signatures, trackers, unsubscribe links). */
  ignoredLinks: Type.Optional(Type.Integer()),
  /** The first mail of this Message-ID (outcome `duplicate`). */
  duplicateOf: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Why the import failed (outcome `failed`). */
  error: Type.Optional(Type.String()),
});
export type MailDetail = Static<typeof MailDetail>;

export const mailDetailJson: StoredJson<MailDetail> = storedJson('received_mails.detail', MailDetail);
