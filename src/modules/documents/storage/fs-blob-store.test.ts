import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from './blob-store.js';
import { createFsBlobStore, putBlobFileSync } from './fs-blob-store.js';

describe('filesystem blob store', () => {
  const roots: string[] = [];
  const tempRoot = () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-blobs-'));
    roots.push(root);
    return root;
  };
  afterEach(() => {
    for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
  });

  it('stores a blob once under ab/<sha256> and reads it back', async () => {
    const root = tempRoot();
    const store = createFsBlobStore(root);
    const bytes = Buffer.from('%PDF-1.7 发票');
    const sha = sha256Hex(bytes);
    expect(await store.put(bytes)).toEqual({ sha256: sha, size: bytes.length });
    expect(await store.put(bytes)).toEqual({ sha256: sha, size: bytes.length });
    expect(fs.readdirSync(path.join(root, sha.slice(0, 2)))).toEqual([sha]);
    expect((await store.get(sha))?.equals(bytes)).toBe(true);
    expect(await store.get('0'.repeat(64))).toBeNull();
    expect(await store.get('../../etc/passwd')).toBeNull();
  });

  it('writes from another thread the same way (putBlobFileSync), readable through the store', async () => {
    const root = tempRoot();
    const bytes = Buffer.from('<?xml version="1.0"?><EInvoice/>');
    const stored = putBlobFileSync(root, bytes);
    expect(putBlobFileSync(root, bytes)).toEqual(stored);
    expect(stored.sha256).toBe(sha256Hex(bytes));
    expect(fs.readdirSync(path.join(root, stored.sha256.slice(0, 2)))).toEqual([stored.sha256]);
    expect((await createFsBlobStore(root).get(stored.sha256))?.equals(bytes)).toBe(true);
  });

  it('still reads blobs of the first layout (ab/cd/<sha256>)', async () => {
    const root = tempRoot();
    const bytes = Buffer.from('older file');
    const sha = sha256Hex(bytes);
    fs.mkdirSync(path.join(root, sha.slice(0, 2), sha.slice(2, 4)), { recursive: true });
    fs.writeFileSync(path.join(root, sha.slice(0, 2), sha.slice(2, 4), sha), bytes);
    expect((await createFsBlobStore(root).get(sha))?.equals(bytes)).toBe(true);
  });
});
