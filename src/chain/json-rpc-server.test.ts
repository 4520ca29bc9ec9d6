/**
 * The JSON-RPC HTTP wrapper: validation, batches, notifications, size limits; hostile bodies get JSON-RPC errors
 * and never reach the backend or crash the server. Uses real loopback sockets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { INVALID_REQUEST, PARSE_ERROR, startJsonRpcServer, type JsonRpcRequest, type RunningJsonRpcServer } from './json-rpc-server.ts';

describe('JSON-RPC server over node:http (real loopback socket)', () => {
  let server: RunningJsonRpcServer;
  const seen: JsonRpcRequest[] = [];
  before(async () => {
    server = await startJsonRpcServer(
      async (req) => {
        seen.push(req);
        if (req.method === 'boom') throw new Error('backend failed');
        return { result: { method: req.method, params: req.params } };
      },
      { maxBodyBytes: 4_096, maxBatchSize: 3 },
    );
  });
  after(() => server.close());

  const post = async (body: string | Uint8Array, method = 'POST') => {
    const res = await fetch(server.url, { method, body: method === 'GET' ? undefined : body });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };

  test('binds to loopback and fills missing params with []', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const { json } = await post('{"jsonrpc":"2.0","id":7,"method":"eth_chainId"}');
    assert.deepEqual(json, { jsonrpc: '2.0', id: 7, result: { method: 'eth_chainId', params: [] } });
  });

  test('a batch answers in order; notifications get no answer', async () => {
    const { json } = await post(JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'm1', params: [1] },
      { jsonrpc: '2.0', method: 'note' },
      { jsonrpc: '2.0', id: 2, method: 'm2', params: { x: 1 } },
    ]));
    assert.deepEqual(json.map((r: { id: unknown }) => r.id), ['a', 2]);
    const only = await post('{"jsonrpc":"2.0","method":"note"}');
    assert.equal(only.status, 204);
  });

  test('bad bodies get standard errors and never reach the backend', async () => {
    const before = seen.length;
    const cases: [string, number][] = [
      ['not json', PARSE_ERROR],
      ['{"jsonrpc":"2.0","id":1', PARSE_ERROR],
      ['[]', INVALID_REQUEST],
      ['42', INVALID_REQUEST],
      ['null', INVALID_REQUEST],
      ['{"jsonrpc":"1.0","id":1,"method":"x"}', INVALID_REQUEST],
      ['{"jsonrpc":"2.0","id":1,"method":7}', INVALID_REQUEST],
      ['{"jsonrpc":"2.0","id":1,"method":""}', INVALID_REQUEST],
      [`{"jsonrpc":"2.0","id":1,"method":"${'m'.repeat(200)}"}`, INVALID_REQUEST],
      ['{"jsonrpc":"2.0","id":1,"method":"x","params":"str"}', INVALID_REQUEST],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"x"}', INVALID_REQUEST],
      ['[1,2,3,4]', INVALID_REQUEST], // over maxBatchSize 3
    ];
    for (const [body, code] of cases) {
      const { json } = await post(body);
      assert.equal(json.error.code, code, body);
    }
    const mixed = await post('[{"jsonrpc":"2.0","id":1,"method":"ok"}, 5]');
    assert.equal(mixed.json[0].result.method, 'ok');
    assert.equal(mixed.json[1].error.code, INVALID_REQUEST);
    assert.equal(seen.length, before + 1);
  });

  test('oversized bodies are refused with 413; GET with 405; a throwing backend gives -32603', async () => {
    const big = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: ['a'.repeat(5_000)] }));
    assert.equal(big.status, 413);
    const get = await post('', 'GET');
    assert.equal(get.status, 405);
    const boom = await post('{"jsonrpc":"2.0","id":1,"method":"boom"}');
    assert.equal(boom.json.error.code, -32603);
    const random = new Uint8Array(512).map((_, i) => (i * 97 + 13) & 0xff);
    const r = await post(random);
    assert.equal(r.json.error.code, PARSE_ERROR);
    const ok = await post('{"jsonrpc":"2.0","id":1,"method":"still-alive"}');
    assert.equal(ok.json.result.method, 'still-alive');
  });
});
