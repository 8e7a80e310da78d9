import type { AssistantTables } from '../../modules/assistant/assistant.tables.js';
import type { DeductionTables } from '../../modules/assistant/deduction/deduction.tables.js';
import type { AuditTables } from '../../modules/audit/audit.tables.js';
import type { AuthTables } from '../../modules/auth/auth.tables.js';
import type { CatalogueTables } from '../../modules/catalogue/catalogue.tables.js';
import type { ChannelTables } from '../../modules/channels/channels.tables.js';
import type { SandboxDeductionTables } from '../../modules/channels/sandbox-deduction.tables.js';
import type { CollectionTables } from '../../modules/collection/collection.tables.js';
import type { ComplianceTables } from '../../modules/collection/compliance/compliance.tables.js';
import type { MailTables } from '../../modules/collection/mail/mail.tables.js';
import type { ReceivedVerificationTables } from '../../modules/collection/verification/verification.tables.js';
import type { CounterTables } from '../../modules/counter/counter.tables.js';
import type { DeliveryTables } from '../../modules/delivery/delivery.tables.js';
import type { DocumentsTables } from '../../modules/documents/documents.tables.js';
import type { InvoicingTables } from '../../modules/invoicing/invoicing.tables.js';
import type { BusinessSystemTables } from '../../modules/orgs/business-systems.tables.js';
import type { OrgTables } from '../../modules/orgs/orgs.tables.js';
import type { ScanTables } from '../../modules/scan/scan.tables.js';
import type { JobTables } from '../jobs/jobs.tables.js';

/**
 * The whole schema as Kysely sees it. Each module declares its tables in its own `*.tables.ts`; this interface
 * only composes them. Columns are snake_case; money is integer fen or decimal strings; time is epoch ms.
 */
export interface Database
  extends AuditTables,
    AssistantTables,
    AuthTables,
    OrgTables,
    JobTables,
    ChannelTables,
    InvoicingTables,
    DocumentsTables,
    BusinessSystemTables,
    DeliveryTables,
    ScanTables,
    CollectionTables,
    ReceivedVerificationTables,
    ComplianceTables,
    MailTables,
    CatalogueTables,
    CounterTables,
    DeductionTables,
    SandboxDeductionTables {}

/** Booleans are stored as 0/1 integers on both dialects. */
export type DbBool = 0 | 1;
