import type { Deps } from '../../../platform/deps.js';
import { intakeReceivedFiles, isIntakeFile } from '../intake.js';
import { getParsePool, ParseRejected } from '../parse-pool.js';
import { deleteMailRaw, findAddress, findMailById, findMailRaw, finishMail, setMailHeaders } from './mail.repo.js';
import { type MailDetail, type MailFileDetail, mailDetailJson } from './mail-detail.js';
import { classifyLink, downloadLink, MAX_LINK_DOWNLOADS } from './mail-links.js';
import type { ParsedMail } from './parse-mail.js';
import { capSubject } from './store-mail.js';

/** Attachments of one mail handed to intake at most (the rest are recorded as skipped). */
export const MAX_MAIL_ATTACHMENTS = 50;

/** A link as shown in the detail: scheme, host and path, without query (download tokens live there). */
const linkLabel = (raw: string) => {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`.slice(0, 300);
  } catch {
    return raw.slice(0, 100);
  }
};

/**
 * `collection/import-mail`: parses a stored mail on the parse pool, hands its invoice attachments and the files behind its allowed
 * links to intake (source `mail`, sourceRef the mail's id, broughtBy the user of a personal address, else the sender), and records the outcome with a
 * result per file. Idempotent: a mail no longer `pending` is left alone, and intake answers existing items for
 * files it has seen, so a second run after a crash imports nothing twice.
 */
export async function runImportMail(deps: Deps, mailId: string): Promise<void> {
  const db = deps.db.kysely;
  const mail = await findMailById(db, mailId);
  if (mail?.outcome !== 'pending') return;
  const raw = await findMailRaw(db, mailId);
  if (!raw) {
    await finishMail(
      db,
      mailId,
      'failed',
      mailDetailJson.encode({ files: [], error: '原始邮件已丢失' }),
      deps.clock.now(),
    );
    return;
  }
  // MIME parsing runs on a parse-pool worker thread (time and heap limits), never on this event loop.
  let parsed: ParsedMail;
  try {
    parsed = await getParsePool().parseMail(raw, deps.config.collectMail.maxMessageBytes);
  } catch (err) {
    if (!(err instanceof ParseRejected)) throw err;
    // Refused (size, shape) or stopped by a limit: `failed`; the raw mail stays for an operator retry.
    const detail = mailDetailJson.encode({ files: [], error: `邮件无法解析：${err.message}`.slice(0, 500) });
    await finishMail(db, mailId, 'failed', detail, deps.clock.now());
    return;
  }
  const from = parsed.from ?? mail.from_address;
  // Who brought it: the user whose personal address it reached (a From header can say anything); else the sender.
  const address = mail.address_id ? await findAddress(db, mail.tenant_id, mail.address_id) : undefined;
  const broughtBy = address?.owner_type === 'user' ? address.owner_id : from;
  await setMailHeaders(db, mailId, { from_address: from, subject: capSubject(parsed.subject) });

  const details: MailFileDetail[] = [];
  const pending: Array<{ index: number; fileName: string; bytes: Uint8Array }> = [];
  for (const att of parsed.attachments) {
    const name = (att.filename ?? 'attachment').slice(0, 255);
    const base = { origin: 'attachment' as const, name, size: att.size, contentType: att.contentType.slice(0, 100) };
    if (!isIntakeFile(att.content)) {
      details.push({ ...base, result: 'skipped', reason: '不是发票文件类型（PDF、OFD、XML、ZIP、JPEG、PNG、WebP）' });
    } else if (pending.length >= MAX_MAIL_ATTACHMENTS) {
      details.push({ ...base, result: 'skipped', reason: `每封邮件最多导入 ${MAX_MAIL_ATTACHMENTS} 个附件` });
    } else {
      pending.push({ index: details.push({ ...base, result: 'imported' }) - 1, fileName: name, bytes: att.content });
    }
  }

  const cfg = deps.config.collectMail;
  const links = parsed.links;
  const allowed = links.filter((l) => classifyLink(l, cfg.linkHosts) === 'allowed');
  for (const link of allowed.slice(0, MAX_LINK_DOWNLOADS)) {
    const got = await downloadLink(link, {
      linkHosts: cfg.linkHosts,
      outboundAllowedHosts: deps.config.delivery.outboundAllowedHosts,
      maxBytes: cfg.linkMaxBytes,
      timeoutMs: cfg.linkTimeoutMs,
    });
    const base = { origin: 'link' as const, name: linkLabel(link) };
    if (!got.ok) {
      details.push({ ...base, result: got.reason === 'refused' ? 'refused' : 'failed', reason: got.message });
    } else if (!isIntakeFile(got.bytes)) {
      details.push({ ...base, size: got.bytes.byteLength, result: 'skipped', reason: '链接内容不是发票文件' });
    } else {
      const index = details.push({ ...base, size: got.bytes.byteLength, result: 'imported' }) - 1;
      pending.push({ index, fileName: got.fileName, bytes: got.bytes });
    }
  }

  // One intake per file, so each file's items are known (a ZIP's items carry its entries' hashes, not its own).
  let outcome: 'imported' | 'no_invoice' = 'no_invoice';
  for (const { index, fileName, bytes } of pending) {
    const result = await intakeReceivedFiles(deps, {
      tenantId: mail.tenant_id,
      files: [{ fileName, bytes }],
      source: 'mail',
      sourceRef: mail.id,
      ...(broughtBy ? { broughtBy } : {}),
      ...(mail.buyer_org_id ? { buyerOrgId: mail.buyer_org_id } : {}),
    });
    const fileResult = result.files[0];
    const d = details[index] as MailFileDetail;
    if (fileResult) {
      d.sha256 = fileResult.sha256;
      d.fileId = fileResult.fileId;
    }
    d.itemIds = result.items.map((it) => it.id);
    if (fileResult?.status === 'ocr_pending') {
      // Waiting for OCR: not "no invoice"; the mail counts as imported (its items come when the file is read again).
      d.result = 'ocr_pending';
      d.reason = fileResult.pending?.message ?? '';
      outcome = 'imported';
    } else if (fileResult?.error) {
      d.result = 'not_invoice';
      d.error = { code: fileResult.error.code, message: fileResult.error.message };
    } else if (result.items.length === 0) {
      d.result = 'not_invoice';
    } else {
      d.result = result.createdItems > 0 ? 'imported' : 'already_received';
    }
    if (result.items.length > 0) outcome = 'imported';
  }
  const detail: MailDetail = { files: details };
  if (links.length > allowed.length) detail.ignoredLinks = links.length - allowed.length;
  await db.transaction().execute(async (trx) => {
    if (await finishMail(trx, mailId, outcome, mailDetailJson.encode(detail), deps.clock.now())) {
      await deleteMailRaw(trx, mailId);
    }
  });
}

/** A mail whose import job died: `failed`, with the job's last error (the raw mail stays for an operator retry). */
export async function failImportMail(deps: Deps, mailId: string, lastError: string): Promise<void> {
  await finishMail(
    deps.db.kysely,
    mailId,
    'failed',
    mailDetailJson.encode({ files: [], error: lastError.slice(0, 500) }),
    deps.clock.now(),
  );
}
