import type { Migration } from 'kysely';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-sandbox.js';
import * as m0003 from './0003-invoicing.js';
import * as m0004 from './0004-documents.js';
import * as m0005 from './0005-delivery.js';
import * as m0006 from './0006-scan.js';
import * as m0007 from './0007-invoice-channel-revision.js';
import * as m0008 from './0008-jobs-partial-indexes.js';
import * as m0009 from './0009-document-bundles.js';
import * as m0010 from './0010-jobs-finished-index.js';
import * as m0011 from './0011-scan-static-limits.js';
import * as m0012 from './0012-org-channel-binding.js';
import * as m0013 from './0013-webhook-order-link-refs.js';
import * as m0014 from './0014-invoice-origin.js';
import * as m0015 from './0015-console-users-audit.js';
import * as m0016 from './0016-invoice-pool-indexes.js';
import * as m0017 from './0017-scan-static-counters.js';
import * as m0018 from './0018-received-invoices.js';
import * as m0020 from './0020-received-verifications.js';
import * as m0021 from './0021-verification-platform.js';
import * as m0022 from './0022-received-rules.js';
import * as m0023 from './0023-received-mails.js';
import * as m0024 from './0024-received-mailboxes.js';
import * as m0025 from './0025-jobs-notify-resend-counters.js';
import * as m0026 from './0026-catalogue-items.js';
import * as m0027 from './0027-counter-settings.js';
import * as m0028 from './0028-counter-reservations.js';
import * as m0029 from './0029-counter-kiosks.js';
import * as m0030 from './0030-assistant.js';
import * as m0034 from './0034-sandbox-deduction.js';
import * as m0035 from './0035-deduction.js';
import * as m0036 from './0036-jobs-notify-when-due.js';
import * as m0037 from './0037-received-rules-no-same-file.js';
import * as m0038 from './0038-received-red-total.js';
import * as m0039 from './0039-received-blob-claims.js';
import * as m0040 from './0040-invoice-documents-blob-idx.js';
import * as m0041 from './0041-received-files-sha-idx.js';

/**
 * Every migration the code knows, in order. Names are permanent: the database records them, and a database that
 * has run a name missing here is newer than the code (the process refuses to start).
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-foundation': m0001,
  '0002-sandbox': m0002,
  '0003-invoicing': m0003,
  '0004-documents': m0004,
  '0005-delivery': m0005,
  '0006-scan': m0006,
  '0007-invoice-channel-revision': m0007,
  '0008-jobs-partial-indexes': m0008,
  '0009-document-bundles': m0009,
  '0010-jobs-finished-index': m0010,
  '0011-scan-static-limits': m0011,
  '0012-org-channel-binding': m0012,
  '0013-webhook-order-link-refs': m0013,
  '0014-invoice-origin': m0014,
  '0015-console-users-audit': m0015,
  '0016-invoice-pool-indexes': m0016,
  '0017-scan-static-counters': m0017,
  '0018-received-invoices': m0018,
  '0020-received-verifications': m0020,
  '0021-verification-platform': m0021,
  '0022-received-rules': m0022,
  '0023-received-mails': m0023,
  '0024-received-mailboxes': m0024,
  '0025-jobs-notify-resend-counters': m0025,
  '0026-catalogue-items': m0026,
  '0027-counter-settings': m0027,
  '0028-counter-reservations': m0028,
  '0029-counter-kiosks': m0029,
  '0030-assistant': m0030,
  '0034-sandbox-deduction': m0034,
  '0035-deduction': m0035,
  '0036-jobs-notify-when-due': m0036,
  '0037-received-rules-no-same-file': m0037,
  '0038-received-red-total': m0038,
  '0039-received-blob-claims': m0039,
  '0040-invoice-documents-blob-idx': m0040,
  '0041-received-files-sha-idx': m0041,
};
