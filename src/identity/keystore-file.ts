/**
 * Keystore files (§2.1, DESIGN.md §3 identity/): bounded reading of an untrusted keystore file,
 * and atomic mode-0600 writing of a new one. Errors carry the path and a reason (an errno code or
 * a validation reason), never file contents.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, link, rename, unlink, lstat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BaseError } from '../common/errors.ts';
import { CorruptKeystoreError, KeystoreExistsError, KeystoreIoError, KeystoreNotFoundError } from './keystore-errors.ts';
import { DEFAULTS, parseKeystore, type KeystoreOptions, type KeystoreV3 } from './keystore-format.ts';

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Reads and validates a keystore file, refusing files over `maxFileBytes` before reading them. */
export async function readKeystoreFile(path: string, options: Partial<KeystoreOptions> = {}): Promise<KeystoreV3> {
  const o = { ...DEFAULTS, ...options };
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO (or a device) for reading would otherwise block until a writer
    // appears, i.e. forever; without it `--keystore some-fifo` hangs. No effect on regular files.
    handle = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new KeystoreNotFoundError(path);
    throw new KeystoreIoError(path, errnoCode(error) ?? 'open failed', error);
  }
  let text: string;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new CorruptKeystoreError('not a regular file', path);
    if (stat.size > o.maxFileBytes) throw new CorruptKeystoreError(`file is larger than ${o.maxFileBytes} bytes`, path);
    // Read at most maxFileBytes + 1 even if the file grows between stat and read.
    const buffer = Buffer.alloc(o.maxFileBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > o.maxFileBytes) throw new CorruptKeystoreError(`file is larger than ${o.maxFileBytes} bytes`, path);
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead));
  } catch (error) {
    if (error instanceof BaseError) throw error;
    if (error instanceof TypeError) throw new CorruptKeystoreError('not UTF-8 text', path, error);
    throw new KeystoreIoError(path, errnoCode(error) ?? 'read failed', error);
  } finally {
    await handle.close();
  }
  try {
    return parseKeystore(text, o);
  } catch (error) {
    if (error instanceof CorruptKeystoreError) throw new CorruptKeystoreError(error.details.reason, path, error.cause);
    throw error;
  }
}

export interface WriteKeystoreOptions {
  /** Replace an existing file (atomically). Default false: an existing file is an error. */
  force?: boolean;
}

/**
 * Writes a keystore atomically with mode 0600: a temporary file in the same
 * directory is written and fsynced, then linked (refusing to replace an existing
 * file) or, with `force`, renamed over the target. A crash leaves either the old
 * state or the complete new file, never a partial keystore.
 */
export async function writeKeystoreFile(path: string, keystore: KeystoreV3, options: WriteKeystoreOptions = {}): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const data = JSON.stringify(keystore, null, 2) + '\n';
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // in case the umask or filesystem widened it
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw new KeystoreIoError(path, errnoCode(error) ?? 'write failed', error);
  }
  try {
    if (options.force) {
      await rename(temp, target);
    } else {
      try {
        await link(temp, target); // atomic create-if-absent
      } catch (error) {
        if (errnoCode(error) === 'EEXIST') throw new KeystoreExistsError(path);
        // Filesystems without hard links: check, then rename (a small race, only there).
        if (await lstat(target).then(() => true, () => false)) throw new KeystoreExistsError(path);
        await rename(temp, target);
      }
      await unlink(temp).catch(() => {});
    }
  } catch (error) {
    await unlink(temp).catch(() => {});
    if (error instanceof BaseError) throw error;
    throw new KeystoreIoError(path, errnoCode(error) ?? 'rename failed', error);
  }
  // Persist the directory entry too (best effort: not every platform can fsync a directory).
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* ignored */
  }
}
