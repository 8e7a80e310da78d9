import fs from 'node:fs';
import { Command, Option } from 'commander';
import type { Runtime } from './app.js';
import type { UserRole } from './modules/auth/index.js';
import { toIsoCst } from './platform/clock.js';
import { type Config, loadConfig, ROLES, type Role } from './platform/config/load-config.js';
import { restrictProcessUmask } from './platform/data-dir.js';
import { isAppError } from './platform/errors/app-error.js';
import { randomToken } from './platform/ids.js';
import { JOB_STATES, type JobState } from './platform/jobs/jobs.tables.js';

// Each command imports what it runs when it runs (`await import`), so `openfapiao migrate` or `--help` does not load
// the whole server (the HTTP app, every module, the document and mail libraries): what the statically imported
// files above pull in is all a process pays before its command starts.
const auth = () => import('./modules/auth/index.js');
const orgs = () => import('./modules/orgs/index.js');
const invoicing = () => import('./modules/invoicing/index.js');

type Out = { json?: boolean };

function print(opts: Out, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** Runs `fn` against a migrated database with a silent logger, then closes it. */
async function withRuntime<T>(config: Config, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const [{ createRuntime }, { default: pino }] = await Promise.all([import('./app.js'), import('pino')]);
  const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }) });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

/**
 * `openfapiao sandbox import-ledger FILE`: validates every row and stores them all, or prints the errors by line and
 * sets a non-zero exit code (nothing stored).
 */
export async function runImportLedger(config: Config, file: string, opts: Out): Promise<void> {
  const { IMPORT_LIMITS } = await import('./modules/channels/index.js');
  const stat = fs.statSync(file);
  if (stat.size > IMPORT_LIMITS.maxBytes) {
    process.exitCode = 1;
    print(
      opts,
      { ok: false, errors: [{ line: 0, message: '文件过大' }] },
      () => `${file}: 文件过大（最多 ${IMPORT_LIMITS.maxBytes} 字节）`,
    );
    return;
  }
  const text = fs.readFileSync(file, 'utf8');
  await withRuntime(config, async ({ sandbox }) => {
    if (!sandbox) throw new Error('the sandbox is not the channel of this installation');
    const result = await sandbox.verification.importLedger({ fileName: file.split(/[\\/]/).pop() ?? file, text });
    if (!result.ok) process.exitCode = 1;
    print(opts, result, () =>
      result.ok
        ? `${result.imported} invoices imported (${result.format}) for the sandbox 查验`
        : ['nothing imported:', ...result.errors.map((e) => `  line ${e.line}: ${e.message}`)].join('\n'),
    );
  });
}

export function buildCli(config: () => Config): Command {
  const program = new Command('openfapiao').description('OpenFapiao 开源发票云').showHelpAfterError();
  const json = new Option('--json', 'machine-readable JSON output');

  program
    .command('serve')
    .description('run the HTTP server and/or job worker')
    .addOption(new Option('--role <role>', 'process role').choices(ROLES))
    .action(async (opts: { role?: Role }) => {
      // The configuration first: a bad variable is refused in a fraction of a second, before the server's modules
      // (the whole app graph, seconds of CPU) load.
      const cfg = config();
      await (await import('./main.js')).serve(cfg, opts.role);
    });

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .addOption(json)
    .action(async (opts: Out) => {
      const [{ createDb }, { migrateToLatest }] = await Promise.all([
        import('./platform/db/create-db.js'),
        import('./platform/db/migrate.js'),
      ]);
      const db = createDb(config().db);
      try {
        const applied = await migrateToLatest(db.kysely);
        print(opts, { applied }, () => (applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date'));
      } finally {
        await db.destroy();
      }
    });

  const tenant = program.command('tenant').description('tenants');
  tenant
    .command('create')
    .requiredOption('--name <name>', 'tenant name')
    .addOption(json)
    .action(async (opts: Out & { name: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { createTenant } = await auth();
        const t = await createTenant({ db: deps.db.kysely, clock: deps.clock }, { name: opts.name });
        print(opts, { tenantId: t.id, name: t.name }, () => `tenant ${t.id} created (${t.name})`);
      }),
    );

  const org = program.command('org').description('seller organisations');
  org
    .command('create')
    .requiredOption('--tenant <tenantId>')
    .requiredOption('--tax-id <taxId>', 'USCC')
    .requiredOption('--name <name>')
    .option('--address <address>')
    .option('--phone <phone>')
    .option('--bank-name <bankName>')
    .option('--bank-account <bankAccount>')
    .option('--region-code <code>')
    .addOption(json)
    .action(async (opts: Out & { tenant: string; taxId: string; name: string } & Record<string, string | undefined>) =>
      withRuntime(config(), async ({ deps }) => {
        const ctx = { db: deps.db.kysely, clock: deps.clock };
        const [{ getTenant }, { createOrg }] = await Promise.all([auth(), orgs()]);
        await getTenant(ctx, opts.tenant);
        const org = await createOrg(ctx, opts.tenant, {
          taxId: opts.taxId,
          name: opts.name,
          address: opts.address ?? null,
          phone: opts.phone ?? null,
          bankName: opts.bankName ?? null,
          bankAccount: opts.bankAccount ?? null,
          regionCode: opts.regionCode ?? null,
        });
        print(
          opts,
          { taxId: org.tax_id, name: org.name, tenantId: org.tenant_id },
          () => `org ${org.tax_id} created (${org.name}); bind its channel account with \`org bind\` before issuing`,
        );
      }),
    );
  org
    .command('bind')
    .description("bind the org's channel account with the credential the tax platform issued (sandbox credential)")
    .requiredOption('--tenant <tenantId>')
    .requiredOption('--tax-id <taxId>', 'USCC')
    .requiredOption('--credential <credential>', 'from `openfapiao sandbox credential`')
    .addOption(json)
    .action(async (opts: Out & { tenant: string; taxId: string; credential: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { bindOrgChannel } = await orgs();
        const { org: o, binding } = await bindOrgChannel(
          { db: deps.db.kysely, clock: deps.clock, channel: deps.channel },
          opts.tenant,
          opts.taxId,
          opts.credential,
        );
        print(
          opts,
          { taxId: o.tax_id, tenantId: o.tenant_id, status: 'bound', boundAt: toIsoCst(binding.bound_at) },
          () => `org ${o.tax_id} bound to ${deps.channel.name} (since ${toIsoCst(binding.bound_at)})`,
        );
      }),
    );
  org
    .command('unbind')
    .description("unbind the org's channel account (the tenant can no longer issue under it)")
    .requiredOption('--tenant <tenantId>')
    .requiredOption('--tax-id <taxId>', 'USCC')
    .addOption(json)
    .action(async (opts: Out & { tenant: string; taxId: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { unbindOrgChannel } = await orgs();
        const o = await unbindOrgChannel({ db: deps.db.kysely }, opts.tenant, opts.taxId);
        print(opts, { taxId: o.tax_id, tenantId: o.tenant_id, status: 'unbound' }, () => `org ${o.tax_id} unbound`);
      }),
    );

  const sandbox = program.command('sandbox').description('the built-in simulated tax platform (operator actions)');
  sandbox
    .command('import-ledger')
    .description(
      'import invoices from elsewhere for the sandbox 查验 (JSON lines or CSV; all rows or none; docs/collection.md#import-format)',
    )
    .argument('<file>', 'a .jsonl or .csv file')
    .addOption(json)
    .action(async (file: string, opts: Out) => runImportLedger(config(), file, opts));
  sandbox
    .command('credential')
    .description("issue a company's sandbox channel credential (replaces any earlier one); printed once, stored hashed")
    .requiredOption('--tax-id <taxId>', 'USCC')
    .addOption(json)
    .action(async (opts: Out & { taxId: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { issueSandboxCredential } = await import('./modules/channels/index.js');
        const credential = await issueSandboxCredential({ db: deps.db.kysely, clock: deps.clock }, opts.taxId);
        const taxId = opts.taxId.toUpperCase();
        print(opts, { taxId, credential }, () =>
          [
            `taxId       ${taxId}`,
            `credential  ${credential}`,
            '(shown once; give it only to the company that owns this tax id — it binds the seller for issuing)',
          ].join('\n'),
        );
      }),
    );

  const app = program.command('app').description('API apps');
  app
    .command('create')
    .requiredOption('--tenant <tenantId>')
    .option('--name <name>', 'app name', 'default')
    .addOption(json)
    .action(async (opts: Out & { tenant: string; name: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { createApiApp } = await auth();
        const { app: a, appSecret } = await createApiApp(
          { db: deps.db.kysely, clock: deps.clock },
          { tenantId: opts.tenant, name: opts.name },
        );
        print(opts, { appId: a.app_id, appSecret, tenantId: a.tenant_id }, () =>
          [`appId      ${a.app_id}`, `appSecret  ${appSecret}`, '(the secret is shown once; store it now)'].join('\n'),
        );
      }),
    );
  app
    .command('rotate-secret')
    .requiredOption('--tenant <tenantId>')
    .requiredOption('--app-id <appId>')
    .option('--overlap-seconds <n>', 'how long the old secret keeps working', '3600')
    .addOption(json)
    .action(async (opts: Out & { tenant: string; appId: string; overlapSeconds: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { rotateAppSecret } = await auth();
        const { appSecret } = await rotateAppSecret(
          { db: deps.db.kysely, clock: deps.clock },
          { tenantId: opts.tenant, appId: opts.appId, overlapSeconds: Number(opts.overlapSeconds) },
        );
        print(
          opts,
          { appId: opts.appId, appSecret },
          () => `appSecret  ${appSecret}\n(the secret is shown once; store it now)`,
        );
      }),
    );

  const user = program.command('user').description('console users');
  // The roles come from the auth module, loaded only when a `user` command with `--role` runs (or shows its help).
  const userRole = new Option('--role <role>').default('clerk');
  user.hook('preSubcommand', async (_user, sub) => {
    if (sub.options.includes(userRole)) userRole.choices((await auth()).USER_ROLES);
  });
  const cliMeta = (tenantId: string) => ({
    tenantId,
    actor: { kind: 'system' as const, id: 'cli', name: 'openfapiao CLI' },
    requestId: null,
    clientAddress: null,
  });
  user
    .command('create')
    .requiredOption('--tenant <tenantId>')
    .requiredOption('--username <username>')
    .option('--password <password>', 'password (generated when omitted)')
    .addOption(userRole)
    .option('--display-name <name>')
    .option('--org <taxId...>', 'seller orgs a clerk works for (repeatable)')
    .addOption(json)
    .action(
      async (
        opts: Out & {
          tenant: string;
          username: string;
          password?: string;
          role: UserRole;
          displayName?: string;
          org?: string[];
        },
      ) =>
        withRuntime(config(), async ({ deps }) => {
          const { createTenantUser, getTenant } = await auth();
          const password = opts.password ?? randomToken(72);
          await getTenant({ db: deps.db.kysely }, opts.tenant);
          const created = await createTenantUser({ db: deps.db.kysely, clock: deps.clock }, cliMeta(opts.tenant), {
            username: opts.username,
            password,
            role: opts.role,
            displayName: opts.displayName,
            orgTaxIds: opts.org ?? null,
          });
          const out = {
            userId: created.id,
            username: created.username,
            role: created.role,
            ...(opts.password ? {} : { password }),
          };
          print(
            opts,
            out,
            () => `user ${created.username} (${created.role}) created${opts.password ? '' : `; password: ${password}`}`,
          );
        }),
    );
  user
    .command('reset-password')
    .description("set a new password (generated when omitted); the user's sessions end")
    .requiredOption('--username <username>')
    .option('--password <password>')
    .addOption(json)
    .action(async (opts: Out & { username: string; password?: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { findUserByName, resetUserPassword } = await auth();
        const ctx = { db: deps.db.kysely, clock: deps.clock };
        const found = await findUserByName(ctx, opts.username);
        const password = opts.password ?? randomToken(72);
        await resetUserPassword(ctx, cliMeta(found.tenant_id), found.id, password);
        print(
          opts,
          { username: opts.username, ...(opts.password ? {} : { password }) },
          () => `password of ${opts.username} reset${opts.password ? '' : `; new password: ${password}`}`,
        );
      }),
    );
  user
    .command('list')
    .option('--tenant <tenantId>')
    .addOption(json)
    .action(async (opts: Out & { tenant?: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { listAllUsers } = await auth();
        const rows = await listAllUsers({ db: deps.db.kysely }, opts.tenant ?? null);
        print(opts, rows, () =>
          rows
            .map(
              (u) =>
                `${u.id}  ${u.tenantId}  ${u.username.padEnd(20)}  ${u.role.padEnd(8)}  ${u.disabled ? 'disabled' : 'active  '}  ${u.orgTaxIds?.join(',') ?? ''}`,
            )
            .join('\n'),
        );
      }),
    );

  const audit = program.command('audit').description('审计日志 (audit log)');
  audit
    .command('verify')
    .description('recompute the hash chains; exit code 1 and the first broken entry when one was changed')
    .option('--tenant <tenantId>')
    .addOption(json)
    .action(async (opts: Out & { tenant?: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { verifyAuditChains } = await import('./modules/audit/index.js');
        const result = await verifyAuditChains({ db: deps.db.kysely }, { tenantId: opts.tenant ?? null });
        print(opts, result, () =>
          result.ok
            ? `audit log OK: ${result.checked} chained entries verified, ${result.unsealed} not chained yet`
            : result.broken
                .map((b) => `BROKEN: tenant ${b.tenantId}, entry ${b.id} (seq ${b.seq}): ${b.reason}`)
                .join('\n'),
        );
        if (!result.ok) process.exitCode = 1;
      }),
    );
  audit
    .command('seal')
    .description('chain the entries not chained yet now (the worker does it every 30 s)')
    .addOption(json)
    .action(async (opts: Out) =>
      withRuntime(config(), async ({ deps }) => {
        const { sealAllChains } = await import('./modules/audit/index.js');
        const sealed = await sealAllChains({ db: deps.db.kysely });
        print(opts, { sealed }, () => `${sealed} entries chained`);
      }),
    );

  program
    .command('seed')
    .description("add realistic invoices to a tenant's pool, in bulk (demos, the console-scale benchmark); additive")
    .requiredOption('--invoices <n>', 'how many invoices to add (1 – 10 000 000)')
    .option('--tenant <tenantId>', 'tenant (default: the demo tenant of DATA_DIR)')
    .option('--seed <n>', 'random seed (same seed, same spread)')
    .addOption(json)
    .action(async (opts: Out & { invoices: string; tenant?: string; seed?: string }) => {
      const count = Number(opts.invoices);
      if (!Number.isInteger(count) || count < 1 || count > 10_000_000) {
        throw new Error('--invoices must be an integer from 1 to 10000000');
      }
      const cfg = config();
      const { readDemoCredentials } = await import('./demo-seed.js');
      const tenantId = opts.tenant ?? readDemoCredentials(cfg.dataDir)?.tenantId;
      if (!tenantId) throw new Error('--tenant is required (no demo tenant in DATA_DIR)');
      await withRuntime(cfg, async ({ deps }) => {
        const [{ getTenant }, { seedInvoices }] = await Promise.all([auth(), invoicing()]);
        if (!(await getTenant({ db: deps.db.kysely }, tenantId))) throw new Error(`tenant ${tenantId} not found`);
        const started = performance.now();
        const bar = progressBar(count);
        const result = await seedInvoices(
          { db: deps.db.kysely, clock: deps.clock },
          {
            tenantId,
            count,
            ...(opts.seed === undefined ? {} : { seed: Number(opts.seed) }),
            onProgress: (done) => bar.update(done),
          },
        );
        bar.done();
        const seconds = (performance.now() - started) / 1000;
        print(opts, { tenantId, ...result, seconds: Number(seconds.toFixed(1)) }, () =>
          [
            `added ${result.inserted} invoices to tenant ${tenantId} in ${seconds.toFixed(1)} s (${Math.round(result.inserted / seconds)}/s)`,
            `  serial numbers ${result.serialPrefix}…, created ${toIsoCst(result.from)} – ${toIsoCst(result.to)}`,
          ].join('\n'),
        );
      });
    });

  program
    .command('tax-codes')
    .description('税收分类编码 (tax classification codes)')
    .command('import')
    .description('import the official code table from a CSV file (code, name, short name, rate …)')
    .argument('<file>', 'CSV file (UTF-8)')
    .addOption(json)
    .action(async (file: string, opts: Out) =>
      withRuntime(config(), async ({ deps }) => {
        const [{ parseTaxCodeCsv }, { importTaxCodes }] = await Promise.all([import('./tax/index.js'), invoicing()]);
        const { entries, errors } = parseTaxCodeCsv(fs.readFileSync(file, 'utf8'));
        const imported = await importTaxCodes(deps.db.kysely, entries, deps.clock.now());
        print(opts, { imported, errors }, () =>
          [`imported ${imported} codes`, ...errors.slice(0, 20).map((e) => `  line ${e.line}: ${e.message}`)].join(
            '\n',
          ),
        );
        if (entries.length === 0) process.exitCode = 1;
      }),
    );

  const jobs = program.command('jobs').description('background jobs');
  jobs
    .command('list')
    .addOption(new Option('--state <state>').choices(JOB_STATES))
    .option('--tenant <tenantId>')
    .option('--limit <n>', 'max rows', '50')
    .addOption(json)
    .action(async (opts: Out & { state?: JobState; tenant?: string; limit: string }) =>
      withRuntime(config(), async ({ deps }) => {
        const { listJobs, publicJobError } = await import('./platform/jobs/index.js');
        const { items } = await listJobs(deps.db.kysely, {
          tenantId: opts.tenant ?? null,
          ...(opts.state ? { state: opts.state } : {}),
          limit: Number(opts.limit),
        });
        const rows = items.map((j) => ({
          id: j.id,
          task: j.task,
          state: j.state,
          attempts: j.attempts,
          maxAttempts: j.max_attempts,
          runAt: toIsoCst(j.run_at),
          lastError: publicJobError(j.last_error),
        }));
        print(opts, rows, () =>
          rows.length === 0
            ? 'no jobs'
            : rows
                .map(
                  (r) =>
                    `${r.id}  ${r.state.padEnd(9)}  ${r.attempts}/${r.maxAttempts}  ${r.task}  ${r.lastError ?? ''}`,
                )
                .join('\n'),
        );
      }),
    );
  jobs
    .command('retry')
    .argument('<id>', 'job id')
    .addOption(json)
    .action(async (id: string, opts: Out) =>
      withRuntime(config(), async ({ deps }) => {
        const { retryJob } = await import('./platform/jobs/index.js');
        const job = await retryJob(deps.db.kysely, { tenantId: null, id, now: deps.clock.now() });
        if (!job) throw new Error(`job ${id} not found or not retryable`);
        print(opts, { id: job.id, state: job.state }, () => `job ${job.id} is ${job.state}`);
      }),
    );
  return program;
}

/** A progress bar on stderr: redrawn in place on a terminal, a line per 10 % otherwise (logs, CI). */
function progressBar(total: number) {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let lastTenth = -1;
  return {
    update(done: number) {
      const ratio = done / total;
      const rate = done / Math.max((performance.now() - started) / 1000, 0.001);
      const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
      const text = `${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}  ${Math.round(rate)}/s  ETA ${eta} s`;
      if (tty) {
        const width = 30;
        const filled = Math.round(ratio * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}   `);
      } else if (Math.floor(ratio * 10) > lastTenth) {
        lastTenth = Math.floor(ratio * 10);
        process.stderr.write(`seed: ${text}\n`);
      }
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

/** Entry point of bin/openfapiao.js. Config is the only reader of process.env. */
export async function runCli(argv: string[]): Promise<void> {
  // Whatever this process creates (SQLite's -wal/-shm, blobs, keys) is for the server's user alone.
  restrictProcessUmask();
  try {
    await buildCli(() => loadConfig(process.env, process.cwd())).parseAsync(argv);
  } catch (err) {
    const message = isAppError(err) ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`openfapiao: ${message}\n`);
    process.exitCode = 1;
  }
}
