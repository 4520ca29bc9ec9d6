import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { EmptyPasswordError, PasswordMismatchError, PromptAbortedError, promptHidden, readPassword, type PromptStreams } from './password.ts';
import { UsageError, type CliIo } from './io.ts';

/** A fake terminal: records raw-mode switches and everything written; keys are fed by `type`. */
function fakeTerminal(lines: string[]) {
  const input = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const rawModes: boolean[] = [];
  let written = '';
  Object.assign(input, {
    isTTY: true,
    setRawMode: (mode: boolean) => rawModes.push(mode),
    setEncoding: () => {},
    pause: () => {},
    // Each resume (one per prompt) delivers the next scripted chunk asynchronously, as a terminal would.
    resume: () => {
      const next = lines.shift();
      if (next !== undefined) setImmediate(() => input.emit('data', next));
    },
  });
  const streams: PromptStreams = { input: input as never, write: (t) => void (written += t) };
  return { streams, rawModes, written: () => written };
}

const io = (env: Record<string, string | undefined>, interactive: boolean): CliIo => ({
  stdout: () => {},
  stderr: () => {},
  env,
  interactive,
});

test('promptHidden reads a line in raw mode, handles backspace and Ctrl-U, and never echoes', async () => {
  const t = fakeTerminal(['junk\u0015hunx\u007fter2\r']);
  const password = await promptHidden('Password: ', t.streams);
  assert.equal(password, 'hunter2');
  assert.deepEqual(t.rawModes, [true, false]);
  assert.equal(t.written(), 'Password: \n');
});

test('promptHidden accepts multi-byte characters typed or pasted', async () => {
  const t = fakeTerminal(['pässwörd 🔑\n']);
  assert.equal(await promptHidden('? ', t.streams), 'pässwörd 🔑');
});

test('promptHidden: Ctrl-C aborts and restores the terminal', async () => {
  const t = fakeTerminal(['abc\u0003']);
  await assert.rejects(promptHidden('? ', t.streams), PromptAbortedError);
  assert.deepEqual(t.rawModes, [true, false]);
});

test('readPassword takes HYPERSPACE_PASSWORD first, without prompting', async () => {
  const t = fakeTerminal([]);
  const pw = await readPassword(io({ HYPERSPACE_PASSWORD: 's3cret' }, true), { purpose: 'create', keystorePath: 'k', streams: t.streams });
  assert.equal(pw, 's3cret');
  assert.equal(t.written(), '');
});

test('readPassword refuses an empty password on create but accepts it on unlock', async () => {
  await assert.rejects(readPassword(io({ HYPERSPACE_PASSWORD: '' }, false), { purpose: 'create', keystorePath: 'k' }), EmptyPasswordError);
  assert.equal(await readPassword(io({ HYPERSPACE_PASSWORD: '' }, false), { purpose: 'unlock', keystorePath: 'k' }), '');
  const t = fakeTerminal(['\r']);
  await assert.rejects(readPassword(io({}, true), { purpose: 'create', keystorePath: 'k', streams: t.streams }), EmptyPasswordError);
});

test('readPassword without env and without a terminal is a usage error naming HYPERSPACE_PASSWORD', async () => {
  await assert.rejects(readPassword(io({}, false), { purpose: 'unlock', keystorePath: 'k' }), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /HYPERSPACE_PASSWORD/);
    return true;
  });
});

test('readPassword on create asks twice and rejects a mismatch', async () => {
  const ok = fakeTerminal(['abc\r', 'abc\r']);
  assert.equal(await readPassword(io({}, true), { purpose: 'create', keystorePath: 'node.json', streams: ok.streams }), 'abc');
  assert.match(ok.written(), /New password for node\.json: \nRepeat the password: \n/);
  const bad = fakeTerminal(['abc\r', 'abd\r']);
  await assert.rejects(readPassword(io({}, true), { purpose: 'create', keystorePath: 'k', streams: bad.streams }), PasswordMismatchError);
});

test('readPassword on unlock asks once', async () => {
  const t = fakeTerminal(['pw\r']);
  assert.equal(await readPassword(io({}, true), { purpose: 'unlock', keystorePath: 'k.json', streams: t.streams }), 'pw');
  assert.equal(t.written(), 'Password for k.json: \n');
});
