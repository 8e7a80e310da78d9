import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createApiApp, createTenant, createUser } from './modules/auth/index.js';
import { createOrg } from './modules/orgs/index.js';
import { invalidateAfterCommit } from './platform/cache/index.js';
import { DATA_DIR_MODE, DATA_FILE_MODE } from './platform/data-dir.js';
import type { Deps } from './platform/deps.js';
import { randomToken } from './platform/ids.js';
import { bindSandboxSeller } from './sandbox-binding.js';

export const DEMO_TENANT_NAME = '演示租户 (OpenFapiao Demo)';
/** A syntactically valid, fictional USCC (check character computed per GB 32100). */
export const DEMO_SELLER_TAX_ID = '91310115MA1K4Q8R0N';

export interface DemoCredentials {
  tenantId: string;
  appId: string;
  appSecret: string;
  adminUser: string;
  adminPassword: string;
  sellerTaxId: string;
  baseUrl: string;
}

export function demoCredentialsPath(dataDir: string): string {
  return path.join(dataDir, 'demo-credentials.json');
}

/**
 * On the first start of an empty installation, creates a demo tenant with a seller org, an API app and an admin
 * user, binds the seller's sandbox channel account (the credential is used once and never printed or stored), and
 * writes their credentials to DATA_DIR/demo-credentials.json (mode 600). Returns them when created now,
 * or null when the installation already has tenants (a second start creates nothing).
 */
export async function seedDemoTenant(deps: Deps): Promise<DemoCredentials | null> {
  // createOrg invalidates its tenant's org list: held until the transaction committed.
  const created = await invalidateAfterCommit(deps.db.kysely, async (trx) => {
    // Several processes may start at once against one PostgreSQL: serialise the check-then-create.
    if (deps.db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(7201001)`.execute(trx);
    const existing = await trx.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
    if (existing) return null;
    const ctx = { db: trx, clock: deps.clock };
    const tenant = await createTenant(ctx, { name: DEMO_TENANT_NAME, isDemo: true });
    await createOrg(ctx, tenant.id, {
      taxId: DEMO_SELLER_TAX_ID,
      name: '上海开源发票演示有限公司',
      address: '上海市浦东新区张江路88号',
      phone: '021-50000000',
      bankName: '中国工商银行上海张江支行',
      bankAccount: '1001234509876543210',
    });
    const { app, appSecret } = await createApiApp(ctx, { tenantId: tenant.id, name: '演示应用' });
    const adminPassword = randomToken(72);
    await createUser(ctx, {
      tenantId: tenant.id,
      username: 'admin',
      password: adminPassword,
      role: 'admin',
      displayName: '管理员',
    });
    return {
      tenantId: tenant.id,
      appId: app.app_id,
      appSecret,
      adminUser: 'admin',
      adminPassword,
      sellerTaxId: DEMO_SELLER_TAX_ID,
      baseUrl: deps.config.http.publicUrl,
    } satisfies DemoCredentials;
  });
  if (created) {
    await bindSandboxSeller(deps, created.tenantId, created.sellerTaxId);
    fs.mkdirSync(deps.config.dataDir, { recursive: true, mode: DATA_DIR_MODE });
    const file = demoCredentialsPath(deps.config.dataDir);
    fs.writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: DATA_FILE_MODE });
    fs.chmodSync(file, DATA_FILE_MODE);
  }
  return created;
}

export function readDemoCredentials(dataDir: string): DemoCredentials | null {
  try {
    return JSON.parse(fs.readFileSync(demoCredentialsPath(dataDir), 'utf8')) as DemoCredentials;
  } catch {
    return null;
  }
}

/**
 * The "what next" text printed at start. The secret and the admin password are printed only by the start that
 * created them (`createdNow`); every later start names the credentials file and how to read it, never the secrets.
 */
export function formatWelcome(
  baseUrl: string,
  creds: DemoCredentials | null,
  credsFile: string,
  createdNow: boolean,
  apiDocs = true,
): string {
  const lines = [
    '',
    `OpenFapiao is running at ${baseUrl}`,
    `  Console:      ${baseUrl}/console/  (user admin; password in the demo credentials)`,
    ...(apiDocs ? [`  API docs:     ${baseUrl}/api/docs`] : []),
    `  OpenAPI:      ${baseUrl}/api/openapi.json`,
    `  Health:       ${baseUrl}/readyz`,
  ];
  if (creds && createdNow) {
    lines.push(
      '',
      `Demo tenant created; credentials written to ${credsFile} (mode 600).`,
      'They are shown this once: later starts print only where they are.',
      `  tenantId     ${creds.tenantId}`,
      `  appId        ${creds.appId}`,
      `  appSecret    ${creds.appSecret}`,
      `  admin user   ${creds.adminUser} / ${creds.adminPassword}`,
      `  seller       ${creds.sellerTaxId}`,
    );
  } else if (creds) {
    lines.push(
      '',
      `Demo credentials (appId ${creds.appId}, secret and admin password) are in ${credsFile} (mode 600):`,
      `  cat ${shellQuote(credsFile)}`,
    );
  }
  if (creds) {
    const read = (field: keyof DemoCredentials) =>
      `$(node -p "require(process.argv[1]).${field}" ${shellQuote(credsFile)})`;
    lines.push(
      '',
      'Try it:',
      `  APP_ID=${read('appId')}`,
      `  APP_SECRET=${read('appSecret')}`,
      `  TOKEN=$(curl -s -X POST ${baseUrl}/api/v1/auth/token -H 'content-type: application/json' \\`,
      `    -d "{\\"appId\\":\\"$APP_ID\\",\\"appSecret\\":\\"$APP_SECRET\\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')`,
      `  curl -s ${baseUrl}/api/v1/orgs -H "authorization: Bearer $TOKEN"`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** Quotes a path for a POSIX shell when it needs quoting. */
function shellQuote(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
