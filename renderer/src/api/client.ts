// The renderer's only door to main: window.portico (preload in Electron, WebSocket in browser mode).
import type { CallInput, CallName, CallOutput, EventName, Events, PorticoApi } from '../../../shared/contract';
import type { ContractError } from '../../../shared/contract-kit';
import { createWsApi, obtainToken } from './ws-client';

declare global {
  interface Window {
    portico?: PorticoApi;
  }
}

/** An answer of {ok:false}: code, words for people, and the field at fault if any. */
export class ApiError extends Error {
  readonly code: string;
  readonly field?: string;
  constructor(readonly error: ContractError) {
    super(error.message);
    this.code = error.code;
    this.field = error.field;
  }
}

export async function initApi(): Promise<PorticoApi> {
  if (window.portico) return window.portico;
  const api = createWsApi(await obtainToken());
  await api.ready;
  window.portico = api;
  return api;
}

function api(): PorticoApi {
  if (!window.portico) throw new Error('Portico API is not initialised');
  return window.portico;
}

export async function call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const env = await api().invoke(name, input);
  if (!env.ok) throw new ApiError(env.error);
  return env.result as CallOutput<N>;
}

export function onEvent<E extends EventName>(event: E, cb: (p: Events[E]) => void): () => void {
  return api().on(event, cb);
}
