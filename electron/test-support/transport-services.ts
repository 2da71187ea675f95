// Test support: the browser host's services reduced to a router of three calls and an event bus,
// enough to test the transport without the service graph.
import { EventBus } from '../services/events';
import { Router } from '../services/router';

export function transportServices() {
  const notFound = () => {
    throw Object.assign(new Error('not found'), { code: 'not-found' });
  };
  const router = new Router({
    'app.info': () => ({ mode: 'browser', version: 'test', secretBackend: { kind: 'passphrase', protected: true, note: '' } }),
    'jobs.get': notFound,
    'hosts.get': notFound,
  } as never);
  return { router, events: new EventBus(), dispose: async () => undefined };
}
