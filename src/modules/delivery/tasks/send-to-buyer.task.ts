import type { Deps } from '../../../platform/deps.js';
import { PermanentJobError, type TaskHelpers } from '../../../platform/jobs/index.js';
import { getInvoiceOrThrow, type Invoice, toInvoiceView } from '../../invoicing/index.js';
import { findBuyerDeliveryById, updateBuyerDelivery } from '../buyer-deliveries.repo.js';
import type { BuyerDelivery } from '../delivery.tables.js';
import { getDeliverySettings } from '../delivery-settings.js';
import { downloadLink, type FileFormat, getInvoiceFile, type InvoiceFile } from '../invoice-files.js';
import type { Mailer } from '../mailer.js';
import type { SmsProvider } from '../sms-provider.js';
import { type InvoiceMessageFacts, renderInvoiceMail, renderInvoiceSms } from '../templates.js';

/** What the send tasks use to reach the buyer; built once per process from the configuration. */
export interface BuyerChannels {
  mailer: Mailer;
  sms: SmsProvider;
}

async function loadPending(deps: Deps, id: string): Promise<{ row: BuyerDelivery; invoice: Invoice } | null> {
  const row = await findBuyerDeliveryById(deps.db.kysely, id);
  if (!row) throw new PermanentJobError(`buyer delivery ${id} does not exist`);
  if (row.status === 'sent') return null; // a retry after a successful send that was recorded: nothing to do
  const invoice = await getInvoiceOrThrow(deps, row.tenant_id, row.invoice_serial_no);
  return { row, invoice };
}

async function messageFacts(deps: Deps, invoice: Invoice, attachmentNames: string[]): Promise<InvoiceMessageFacts> {
  const view = await toInvoiceView(deps.db.kysely, invoice);
  return {
    sellerName: view.seller.name,
    buyerName: view.buyer.name,
    kindName: view.kindName,
    number: view.number ?? '',
    issuedDate: (view.issuedAt ?? view.createdAt).slice(0, 10),
    total: view.totals.total,
    totalInWords: view.totals.totalInWords,
    isRed: view.isRed,
    pdfLink: downloadLink(deps, { tenantId: invoice.tenant_id, invoiceId: invoice.id, format: 'pdf' }),
    attachmentNames,
  };
}

/** Runs one send and records its outcome; a failure is recorded and rethrown so the job retries. */
async function recordSend(
  deps: Deps,
  row: BuyerDelivery,
  transport: string,
  send: () => Promise<{ messageId: string | null }>,
): Promise<void> {
  try {
    const { messageId } = await send();
    await updateBuyerDelivery(deps.db.kysely, row.id, {
      status: 'sent',
      transport,
      message_id: messageId,
      attempts: row.attempts + 1,
      last_error: null,
      sent_at: deps.clock.now(),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await updateBuyerDelivery(deps.db.kysely, row.id, { transport, attempts: row.attempts + 1, last_error: message });
    throw err;
  }
}

/** Marks the delivery failed on the job's last attempt (the job queue then moves the job to dead). */
export async function markFailedIfLast(deps: Deps, id: string, helpers: Pick<TaskHelpers, 'job'>): Promise<void> {
  if (helpers.job.attempts >= helpers.job.max_attempts)
    await updateBuyerDelivery(deps.db.kysely, id, { status: 'failed' });
}

/** `delivery/send-invoice-email`: the invoice e-mail with the PDF (and OFD/XML if the tenant wants) attached. */
export async function runSendInvoiceEmail(deps: Deps, channels: BuyerChannels, id: string): Promise<void> {
  const pending = await loadPending(deps, id);
  if (!pending) return;
  const { row, invoice } = pending;
  const settings = await getDeliverySettings(deps.db.kysely, row.tenant_id);
  const formats: FileFormat[] = [
    'pdf',
    ...(settings.attachOfd ? ['ofd' as const] : []),
    ...(settings.attachXml ? ['xml' as const] : []),
  ];
  const files: InvoiceFile[] = [];
  for (const format of formats) {
    const file = await getInvoiceFile(deps, { tenantId: row.tenant_id, invoiceId: invoice.id, format });
    if (file) files.push(file);
  }
  const mail = renderInvoiceMail(
    await messageFacts(
      deps,
      invoice,
      files.map((f) => f.fileName),
    ),
  );
  await recordSend(deps, row, channels.mailer.transport, () =>
    channels.mailer.send({
      tenantId: row.tenant_id,
      invoiceId: invoice.id,
      to: row.recipient,
      ...mail,
      attachments: files,
    }),
  );
}

/** `delivery/send-invoice-sms`: the SMS with the download link. */
export async function runSendInvoiceSms(deps: Deps, channels: BuyerChannels, id: string): Promise<void> {
  const pending = await loadPending(deps, id);
  if (!pending) return;
  const { row, invoice } = pending;
  const text = renderInvoiceSms(await messageFacts(deps, invoice, []));
  await recordSend(deps, row, channels.sms.transport, () =>
    channels.sms.send({ tenantId: row.tenant_id, invoiceId: invoice.id, to: row.recipient, text }),
  );
}
