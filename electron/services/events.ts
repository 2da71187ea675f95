// Typed push events from services to every connected renderer (IPC windows, WebSocket clients).
import { EventEmitter } from 'node:events';
import type { EventName, Events } from '../../shared/contract';

export class EventBus {
  private readonly ee = new EventEmitter();

  constructor() {
    this.ee.setMaxListeners(100);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.ee.emit('event', event, payload);
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(fn: (event: EventName, payload: unknown) => void): () => void {
    this.ee.on('event', fn);
    return () => this.ee.off('event', fn);
  }
}
