/**
 * A small JSON-RPC 2.0 server over node:http (DESIGN.md §2): it puts the in-process EVM behind a real HTTP URL,
 * so every caller — tests, CLI, nodes — talks to the embedded chain and to any external node through the same
 * viem `http` transport.
 *
 * Boundary checks: POST only, body at most `maxBodyBytes`, a JSON value that is one request object or a
 * non-empty batch of at most `maxBatchSize`; each request must have `jsonrpc: "2.0"`, a string `method` and, if
 * present, an array or object `params` (missing `params` becomes `[]`, which EDR requires) and a string, number
 * or null `id`. Violations answer with the standard JSON-RPC error codes; notifications (no `id`) get no answer.
 * Batches run in order, one after another, so a batch behaves like the same calls sent in sequence.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonRpcServerOptions {
  /** Interface to bind: loopback only by default, a dev chain must not be reachable from the network. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Largest request body (bytes): 16 MiB fits a batch of contract deployments (24 KiB each, hex-doubled) with room. */
  maxBodyBytes: number;
  /** Most requests in one batch: bounds the work one HTTP request can queue. */
  maxBatchSize: number;
}

export const DEFAULTS: JsonRpcServerOptions = {
  host: '127.0.0.1',
  port: 0,
  maxBodyBytes: 16 * 1024 * 1024,
  maxBatchSize: 1_000,
};

/** A validated request as the backend receives it (`params` always present). */
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id?: string | number | null;
  method: string;
  params: unknown[] | Record<string, unknown>;
}

/** What the backend answers for one request: a result or an error, without `jsonrpc` and `id`. */
export type JsonRpcOutcome = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

export type JsonRpcBackend = (request: JsonRpcRequest) => Promise<JsonRpcOutcome>;

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INTERNAL_ERROR = -32603;

/** Longest method name accepted (characters); real ones are under 50. */
const MAX_METHOD_LENGTH = 128;

export interface RunningJsonRpcServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Reply = { jsonrpc: '2.0'; id: string | number | null } & JsonRpcOutcome;

function errorReply(id: string | number | null, code: number, message: string): Reply {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** Validates one request object; returns the normalised request or an error reply. */
export function validateRequest(value: unknown): JsonRpcRequest | Reply {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return errorReply(null, INVALID_REQUEST, 'request must be an object');
  const r = value as Record<string, unknown>;
  const id = r.id;
  const idOk = id === undefined || id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  const safeId = idOk && id !== undefined ? (id as string | number | null) : null;
  if (!idOk) return errorReply(null, INVALID_REQUEST, 'id must be a string, a number or null');
  if (r.jsonrpc !== '2.0') return errorReply(safeId, INVALID_REQUEST, 'jsonrpc must be "2.0"');
  if (typeof r.method !== 'string' || r.method.length === 0 || r.method.length > MAX_METHOD_LENGTH) {
    return errorReply(safeId, INVALID_REQUEST, `method must be a string of 1..${MAX_METHOD_LENGTH} characters`);
  }
  const params = r.params === undefined ? [] : r.params;
  if (params === null || typeof params !== 'object') return errorReply(safeId, INVALID_REQUEST, 'params must be an array or an object');
  const request: JsonRpcRequest = { jsonrpc: '2.0', method: r.method, params: params as JsonRpcRequest['params'] };
  if (id !== undefined) request.id = id as string | number | null;
  return request;
}

async function answer(backend: JsonRpcBackend, value: unknown): Promise<Reply | undefined> {
  const checked = validateRequest(value);
  if ('error' in checked || 'result' in checked) return checked as Reply;
  const request = checked as JsonRpcRequest;
  let outcome: JsonRpcOutcome;
  try {
    outcome = await backend(request);
  } catch (error) {
    outcome = { error: { code: INTERNAL_ERROR, message: error instanceof Error ? error.message : String(error) } };
  }
  if (request.id === undefined) return undefined; // notification
  return { jsonrpc: '2.0', id: request.id, ...outcome };
}

/** Answers one HTTP body (already size-checked): a reply, a batch of replies, or nothing. */
export async function handleJsonRpcBody(backend: JsonRpcBackend, body: string, maxBatchSize = DEFAULTS.maxBatchSize): Promise<Reply | Reply[] | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return errorReply(null, PARSE_ERROR, 'parse error: body is not JSON');
  }
  if (!Array.isArray(parsed)) return answer(backend, parsed);
  if (parsed.length === 0) return errorReply(null, INVALID_REQUEST, 'empty batch');
  if (parsed.length > maxBatchSize) return errorReply(null, INVALID_REQUEST, `batch of ${parsed.length} exceeds ${maxBatchSize}`);
  const replies: Reply[] = [];
  for (const item of parsed) {
    const reply = await answer(backend, item);
    if (reply) replies.push(reply);
  }
  return replies.length > 0 ? replies : undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Serves `backend` on http://host:port/ until `close()`. */
export async function startJsonRpcServer(backend: JsonRpcBackend, options: Partial<JsonRpcServerOptions> = {}): Promise<RunningJsonRpcServer> {
  const opts = { ...DEFAULTS, ...options };
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, errorReply(null, INVALID_REQUEST, 'use POST'));
    }
    readBody(req, opts.maxBodyBytes).then(
      async (body) => {
        if (body === undefined) return send(res, 413, errorReply(null, INVALID_REQUEST, `body exceeds ${opts.maxBodyBytes} bytes`));
        const reply = await handleJsonRpcBody(backend, body, opts.maxBatchSize);
        if (reply === undefined) return send(res, 204, undefined);
        send(res, 200, reply);
      },
      () => {
        if (!res.headersSent) send(res, 400, errorReply(null, INVALID_REQUEST, 'request body could not be read'));
      },
    );
  });
  server.keepAliveTimeout = 5_000; // ms: viem reuses connections; a dev server need not hold idle ones longer
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
