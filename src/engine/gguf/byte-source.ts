/**
 * Random-access reads from an untrusted model file without loading it whole (whitepaper §2.2.6: nodes import files
 * of up to GiBs; reading only what is needed keeps memory at the size of one tensor).
 *
 * `ByteSource.read(offset, length)` returns exactly `length` bytes or throws `ImportTruncatedError`; the length a
 * caller may ask for is bounded by the caller (the readers check every declared size against the file size first).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ImportTruncatedError } from './errors.ts';

export interface ByteSource {
  /** Total bytes in the file. */
  readonly size: number;
  /** `length` bytes from `offset`; `what` names the field for the error message. */
  read(offset: number, length: number, what: string): Uint8Array;
  close(): void;
}

function checkRange(offset: number, length: number, size: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new ImportTruncatedError(what, offset, length, size);
  }
}

/** A source over bytes already in memory (tests, small files). Returned arrays are views, not copies. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length, what) {
      checkRange(offset, length, bytes.length, what);
      return bytes.subarray(offset, offset + length);
    },
    close() {},
  };
}

/** A source over a file on disk, read with positioned reads; `close()` releases the descriptor. */
export function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  let open = true;
  return {
    size,
    read(offset, length, what) {
      checkRange(offset, length, size, what);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) throw new ImportTruncatedError(what, offset + done, length - done, size); // file shrank underneath us
        done += n;
      }
      return out;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
