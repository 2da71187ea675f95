// Exposes exactly window.portico: invoke/on over the contract's allow-listed names. Nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { callNames, eventNames, type PorticoApi } from '../shared/contract';

const allowedCalls = new Set<string>(callNames);
const allowedEvents = new Set<string>(eventNames);

const api: PorticoApi = {
  invoke(name, input) {
    if (!allowedCalls.has(name)) return Promise.resolve({ ok: false, error: { code: 'unknown-call', message: `Unknown call "${String(name)}".` } }) as never;
    return ipcRenderer.invoke('portico:invoke', name, input);
  },
  on(event, cb) {
    if (!allowedEvents.has(event)) throw new Error(`Unknown event "${String(event)}".`);
    const listener = (_e: unknown, name: string, payload: unknown) => {
      if (name === event) cb(payload as never);
    };
    ipcRenderer.on('portico:event', listener);
    return () => ipcRenderer.off('portico:event', listener);
  },
};

contextBridge.exposeInMainWorld('portico', api);
