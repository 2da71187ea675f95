// The one typed contract between renderer and main, composed from the features' fragments
// (shared/features/<feature>.ts). Every call: name -> zod input schema + output type. Every pushed
// event: name -> payload type. Main validates every input with these schemas.
import type { z } from 'zod';
import type { CallMap, Envelope, EventPayloads } from './contract-kit';
import { activityCalls, activityEvents } from './features/activity';
import { hostsCalls, hostsEvents } from './features/hosts';
import { iscsiCalls } from './features/iscsi';
import { targetsCalls } from './features/targets';
import { hostedEngineCalls } from './features/hosted-engine';
import { datastoresCalls } from './features/datastores';
import { bondsCalls } from './features/bonds';
import { dashboardCalls } from './features/dashboard';

export const calls = {
  ...activityCalls,
  ...hostsCalls,
  ...iscsiCalls,
  ...targetsCalls,
  ...hostedEngineCalls,
  ...datastoresCalls,
  ...bondsCalls,
  ...dashboardCalls,
} satisfies CallMap;

export const events = {
  ...activityEvents,
  ...hostsEvents,
};

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
export type CallParsedInput<N extends CallName> = z.output<Calls[N]['input']>;
export type CallOutput<N extends CallName> = NonNullable<Calls[N]['output']>;
export type CallEnvelope<N extends CallName> = Envelope<CallOutput<N>>;

export type Events = EventPayloads<typeof events>;
export type EventName = keyof Events;
export const eventNames = Object.keys(events) as EventName[];

export const callNames = Object.keys(calls) as CallName[];

/** What the renderer sees as window.portico, in Electron (preload) and browser mode (WebSocket). */
export interface PorticoApi {
  invoke<N extends CallName>(name: N, input: CallInput<N>): Promise<CallEnvelope<N>>;
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void;
}
