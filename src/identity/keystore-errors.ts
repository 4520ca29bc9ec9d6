/**
 * Keystore errors (§2.1, DESIGN.md §4 typed errors). Every keystore failure is one of these five,
 * each with a fixed code. `details` carry a path and a reason, never the password, the derived key
 * or the secret key.
 */
import { BaseError } from '../common/errors.ts';

/** The MAC did not match: the password is wrong (or the ciphertext/MAC was altered). */
export class WrongPasswordError extends BaseError<{ path?: string }> {
  constructor(path?: string) {
    super('KEYSTORE_WRONG_PASSWORD', `wrong password for keystore${path ? ` ${path}` : ''}`, {
      details: path === undefined ? {} : { path },
    });
  }
}

/** The file is not a keystore we can read: malformed, unsupported, over a limit, or inconsistent. */
export class CorruptKeystoreError extends BaseError<{ path?: string; reason: string }> {
  constructor(reason: string, path?: string, cause?: unknown) {
    super('KEYSTORE_CORRUPT', `corrupt or unsupported keystore${path ? ` ${path}` : ''}: ${reason}`, {
      cause,
      details: path === undefined ? { reason } : { path, reason },
    });
  }
}

export class KeystoreNotFoundError extends BaseError<{ path: string }> {
  constructor(path: string) {
    super('KEYSTORE_NOT_FOUND', `keystore not found: ${path}`, { details: { path } });
  }
}

export class KeystoreExistsError extends BaseError<{ path: string }> {
  constructor(path: string) {
    super('KEYSTORE_EXISTS', `keystore already exists: ${path}`, { details: { path } });
  }
}

/** A filesystem failure other than "not found" / "exists" (permissions, missing directory, …). */
export class KeystoreIoError extends BaseError<{ path: string; reason: string }> {
  constructor(path: string, reason: string, cause?: unknown) {
    super('KEYSTORE_IO', `cannot access keystore ${path}: ${reason}`, { cause, details: { path, reason } });
  }
}
