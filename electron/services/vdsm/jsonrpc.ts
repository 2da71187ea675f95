// JSON-RPC 2.0 message shapes as VDSM speaks them (lib/yajsonrpc/__init__.py): named params,
// string ids, responses with result|error, notifications (method without id) for events.
import { randomUUID } from 'node:crypto';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type Params = Record<string, unknown>;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: string;
  method: string;
  params: Params;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
}

export type JsonRpcIncoming =
  | { kind: 'response'; id: string | number | null; result: unknown }
  | { kind: 'error'; id: string | number | null; error: JsonRpcErrorObject }
  | { kind: 'notification'; method: string; params: Params };

export function makeRequest(method: string, params: Params, id: string = randomUUID()): JsonRpcRequest {
  return { jsonrpc: '2.0', id, method, params };
}

/** Parses one MESSAGE body; an array (batch answer) yields several items. Bad input throws. */
export function parseIncoming(text: string): JsonRpcIncoming[] {
  const data: unknown = JSON.parse(text);
  const items = Array.isArray(data) ? data : [data];
  return items.map((raw): JsonRpcIncoming => {
    if (!raw || typeof raw !== 'object') throw new Error('JSON-RPC message is not an object');
    const m = raw as Record<string, unknown>;
    if ('method' in m && !('id' in m && m.id !== null && m.id !== undefined)) {
      return { kind: 'notification', method: String(m.method), params: (m.params as Params) ?? {} };
    }
    const id = (m.id ?? null) as string | number | null;
    if (m.error && typeof m.error === 'object') {
      const er = m.error as Record<string, unknown>;
      return { kind: 'error', id, error: { code: Number(er.code ?? -32603), message: String(er.message ?? '') } };
    }
    if ('result' in m) return { kind: 'response', id, result: m.result };
    throw new Error('JSON-RPC message has neither result, error nor method');
  });
}
