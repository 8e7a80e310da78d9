/**
 * A throw-away Dovecot IMAP server for the mail intake tests: its own config in a temp dir, one user, maildir in
 * the temp dir, listening on 127.0.0.1 only. Needs Debian's `dovecot-imapd` (.ci/run installs it); without it the
 * IMAP tests are skipped with a message.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const DOVECOT = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => fs.existsSync(p)) ?? null;

/** Why the IMAP tests cannot run here, or null. */
export const dovecotMissing: string | null = DOVECOT
  ? null
  : 'dovecot is not installed (apt-get install -y dovecot-imapd): the IMAP intake tests are skipped';

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('data', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`dovecot did not answer on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts Dovecot in the foreground on a free loopback port with one user (`invoices` / a random password). */
export async function startDovecot(): Promise<Dovecot> {
  if (!DOVECOT) throw new Error(dovecotMissing ?? 'no dovecot');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-dovecot-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const user = 'invoices';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const uid = process.getuid?.() ?? 0;
  // Dovecot never accesses mail as root: as root, the mail belongs to its own `dovecot` system user.
  const owner = uid === 0 ? execFileSync('id', ['-u', 'dovecot']).toString().trim() : String(uid);
  const group = uid === 0 ? execFileSync('id', ['-g', 'dovecot']).toString().trim() : String(process.getgid?.() ?? 0);
  const mail = path.join(dir, 'mail');
  fs.mkdirSync(mail);
  fs.chownSync(mail, Number(owner), Number(group));
  fs.writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}:${owner}:${group}::${mail}/${user}\n`);
  const me = os.userInfo().username;
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:${mail}/%u
default_login_user = ${uid === 0 ? 'dovenull' : me}
default_internal_user = ${uid === 0 ? 'dovecot' : me}
${uid === 0 ? '' : `default_internal_group = ${execFileSync('id', ['-gn']).toString().trim()}`}
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = passwd-file
  args = ${dir}/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
namespace inbox {
  inbox = yes
  separator = /
}
`;
  fs.writeFileSync(path.join(dir, 'dovecot.conf'), config);
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    await waitForPort(port, 15_000);
  } catch (err) {
    child.kill('SIGKILL');
    const log = fs.existsSync(path.join(dir, 'dovecot.log'))
      ? fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8')
      : '';
    throw new Error(`${(err as Error).message}\n${stderr}\n${log}`);
  }
  return {
    port,
    user,
    password,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
