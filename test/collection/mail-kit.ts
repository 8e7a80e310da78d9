/** Helpers of the mail intake tests: send through the real receiver, build raw mails, wait for imports. */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { SeededTenant, TestApp } from '../helpers/test-app.js';

/** Sends one mail to the receiver on 127.0.0.1:port; resolves with the server's answer, rejects on refusal. */
export async function sendMail(port: number, mail: Mail.Options) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

/** The raw RFC 5322 bytes of a mail (for IMAP APPEND). */
export async function rawMail(mail: Mail.Options): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await transport.sendMail(mail);
  return info.message as Buffer;
}

/** A mail whose multiparts nest `depth` deep (each level one more container). */
export function nestedMultipartMail(depth: number): Buffer {
  let head = 'From: a@example.test\r\nTo: b@example.test\r\nSubject: nested\r\nMIME-Version: 1.0\r\n';
  head += 'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n';
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n`;
    close = `\r\n--b${i}--\r\n${close}`;
  }
  return Buffer.from(`${head}${open}--b${depth}\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b${depth}--${close}`);
}

export interface MailRow {
  id: string;
  channel: string;
  mailboxId: string | null;
  messageId: string;
  from: string | null;
  subject: string | null;
  outcome: string;
  detail: {
    files: Array<{ origin: string; name: string; result: string; itemIds?: string[]; reason?: string }>;
    duplicateOf?: string | null;
    ignoredLinks?: number;
    error?: string;
  } | null;
}

export async function listMails(t: TestApp, who: SeededTenant, query = ''): Promise<MailRow[]> {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/received-mails${query}`, headers: who.auth });
  if (res.statusCode !== 200) throw new Error(`received-mails: ${res.statusCode} ${res.body}`);
  return res.json<{ items: MailRow[] }>().items;
}

/** Waits until `count` mails of the tenant are no longer pending; answers them newest first. */
export async function waitForMails(t: TestApp, who: SeededTenant, count: number, query = ''): Promise<MailRow[]> {
  const until = Date.now() + 60_000;
  for (;;) {
    const mails = await listMails(t, who, query);
    if (mails.length >= count && mails.every((m) => m.outcome !== 'pending')) return mails;
    if (Date.now() > until) throw new Error(`timed out waiting for ${count} imported mails: ${JSON.stringify(mails)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A loopback HTTP server that serves fixed files by path and records every request path. */
export async function startFileServer(files: Record<string, Buffer>) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, requests, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * A hand-driven SMTP client on 127.0.0.1:port (for what nodemailer cannot do: stop in the middle of DATA). `command`
 * sends a line and resolves with the reply once its code is known; it rejects when the code is not `expect`.
 */
export async function openSmtp(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = '';
  let waiting: ((reply: string) => void) | null = null;
  const replies: string[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffer += text;
    // A reply's last line is `ddd text` (continuation lines are `ddd-text`).
    for (let m = /^(\d{3}) .*\r\n/m.exec(buffer); m; m = /^(\d{3}) .*\r\n/m.exec(buffer)) {
      const end = m.index + m[0].length;
      replies.push(buffer.slice(0, end));
      buffer = buffer.slice(end);
    }
    if (waiting && replies.length > 0) {
      const w = waiting;
      waiting = null;
      w(replies.shift() as string);
    }
  });
  const next = () =>
    new Promise<string>((resolve) => {
      if (replies.length > 0) resolve(replies.shift() as string);
      else waiting = resolve;
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const greeting = await next();
  if (!greeting.startsWith('220')) throw new Error(`unexpected greeting ${greeting}`);
  return {
    write: (text: string) => socket.write(text),
    async command(line: string, expect: string): Promise<string> {
      socket.write(`${line}\r\n`);
      const reply = await next();
      if (!reply.startsWith(expect)) throw new Error(`${line}: expected ${expect}, got ${reply}`);
      return reply;
    },
    close: () => socket.destroy(),
  };
}
