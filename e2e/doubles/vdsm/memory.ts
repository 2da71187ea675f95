// TEST DOUBLE support: the double's STOMP broker over in-memory streams, so unit tests exercise
// the real client bytes without sockets or TLS.
import { Duplex } from 'node:stream';
import { StompBroker, type BrokerOptions } from './broker';

/** Two connected Duplex ends (what one writes, the other reads). Node 20 has no duplexPair. */
export function duplexPair(): [Duplex, Duplex] {
  const mk = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const p = peer();
        if (!p.destroyed) p.push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
      destroy(err, cb) {
        const p = peer();
        if (!p.destroyed) p.destroy();
        cb(err);
      },
    });
  // Each end finds its peer lazily, so the closures may name the later one.
  const a: Duplex = mk(() => b);
  const b: Duplex = mk(() => a);
  return [a, b];
}

export interface MemoryDouble {
  broker: StompBroker;
  /** Give this to VdsmClient as `connect`. */
  connect: () => Promise<Duplex>;
  /** Raw bytes the client wrote, per connection (frame-order assertions). */
  clientBytes: Buffer[][];
  /** Test knob: refuse new connections. */
  refuse: boolean;
}

export function memoryDouble(o: BrokerOptions): MemoryDouble {
  const broker = new StompBroker(o);
  const md: MemoryDouble = {
    broker,
    clientBytes: [],
    refuse: false,
    async connect() {
      if (md.refuse) throw new Error('connection refused');
      const [client, server] = duplexPair();
      const bytes: Buffer[] = [];
      md.clientBytes.push(bytes);
      server.on('data', (b: Buffer) => bytes.push(b));
      broker.attach(server);
      return client;
    },
  };
  return md;
}
