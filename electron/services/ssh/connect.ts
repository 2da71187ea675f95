// Opens one authenticated ssh2 Client: validates the host record again (main never trusts the form),
// loads credentials, verifies the host key before any credential is sent, and turns failures into
// SshError codes with words.
import ssh2 from 'ssh2';
import type { AlgorithmList, AnyAuthMethod, Client, ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2';
import { describeIssues, HostConnectionSchema, type HostConnection } from '../../../shared/domain/host';
import { classifyConnectError, SshError } from './errors';
import { algorithmsForKeyType, decideHostKey, type HostKeyStore, type HostKeyVerdict, type StoredHostKey } from './hostkeys';
import { loadKeyFile } from './keyfile';
import { loadKnownHosts } from './knownhosts';

export type SecretKind = 'password' | 'passphrase';

export interface ConnectParams {
  hostId: string;
  host: HostConnection;
  getSecret: (kind: SecretKind) => Promise<string | null>;
  hostKeys: HostKeyStore;
  knownHostsFiles: readonly string[];
  agentSocket: string | undefined;
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Called with the key the server presented, whatever the verdict (the UI shows it to accept). */
  onPresentedKey?: (key: StoredHostKey) => void;
}

export function validateHost(hostId: string, raw: unknown): HostConnection {
  const r = HostConnectionSchema.safeParse(raw);
  if (!r.success) {
    throw new SshError('invalid-host', `host ${hostId} has invalid connection settings:\n${describeIssues(r.error)}`, { hostId });
  }
  const h = r.data;
  if (h.auth === 'key' && !h.keyPath) {
    throw new SshError('invalid-host', 'keyPath: choose the private key file for key authentication', { hostId });
  }
  return h;
}

/** Explicit method order: only the chosen method is tried, so a failure means exactly that method failed. */
const methods = (m: AnyAuthMethod[]): AnyAuthMethod[] => m;

async function authConfig(p: ConnectParams): Promise<Partial<ConnectConfig>> {
  const { host, hostId } = p;
  switch (host.auth) {
    case 'key': {
      const passphrase = await p.getSecret('passphrase');
      const key = await loadKeyFile(host.keyPath!, passphrase).catch((e) => {
        if (e instanceof SshError) throw new SshError(e.code, e.message, { hostId });
        throw e;
      });
      return {
        privateKey: key.data,
        ...(passphrase ? { passphrase } : {}),
        authHandler: methods([{ type: 'publickey', username: host.user, key: key.data, ...(passphrase ? { passphrase } : {}) }]),
      };
    }
    case 'agent': {
      if (!p.agentSocket) {
        throw new SshError(
          'agent-unavailable',
          'no ssh-agent is reachable (SSH_AUTH_SOCK is not set for Portico); start an agent and add the key, or use a key file',
          { hostId },
        );
      }
      return { agent: p.agentSocket, authHandler: methods([{ type: 'agent', username: host.user, agent: p.agentSocket }]) };
    }
    case 'password': {
      const password = await p.getSecret('password');
      if (!password) {
        throw new SshError('password-missing', 'password: no password is stored for this host; enter it in the host settings', { hostId });
      }
      return {
        password,
        // Servers set to keyboard-interactive only get the same password for their single prompt.
        authHandler: methods([
          { type: 'password', username: host.user, password },
          {
            type: 'keyboard-interactive',
            username: host.user,
            prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)),
          },
        ]),
      };
    }
  }
}

export async function openClient(p: ConnectParams): Promise<Client> {
  const { host, hostId } = p;
  const where = host.address.includes(':') ? `[${host.address}]:${host.port}` : `${host.address}:${host.port}`;
  const auth = await authConfig(p);
  const stored = await p.hostKeys.get(hostId);
  const known = loadKnownHosts(p.knownHostsFiles);

  let verdict: HostKeyVerdict | null = null;
  const client = new ssh2.Client();
  const cfg: ConnectConfig = {
    host: host.address,
    port: host.port,
    username: host.user,
    readyTimeout: p.readyTimeoutMs,
    keepaliveInterval: p.keepaliveIntervalMs,
    keepaliveCountMax: p.keepaliveCountMax,
    ...auth,
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      try {
        verdict = decideHostKey(key, stored, known, host.address, host.port);
      } catch {
        verify(false);
        return;
      }
      p.onPresentedKey?.(verdict.presented);
      if (verdict.outcome !== 'match') {
        verify(false);
        return;
      }
      // A key honoured from known_hosts is recorded so a later change is caught even if that file changes.
      if (verdict.source === 'known_hosts') {
        Promise.resolve(p.hostKeys.set(hostId, verdict.presented)).then(
          () => verify(true),
          () => verify(true),
        );
      } else {
        verify(true);
      }
    },
  };
  if (stored) {
    // Ask for the key type we hold first, so a host with several keys presents the one we know.
    // (@types/ssh2 wants all of append/prepend/remove; ssh2 itself accepts any subset.)
    const prepend = algorithmsForKeyType(stored.type) as ServerHostKeyAlgorithm[];
    cfg.algorithms = { serverHostKey: { prepend } as unknown as AlgorithmList<ServerHostKeyAlgorithm> };
  }

  try {
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        if (err) reject(err);
        else resolve();
      };
      client.once('ready', () => finish());
      client.on('error', (e) => finish(e));
      client.once('close', () => finish(Object.assign(new Error('connection closed during handshake'), { code: 'ECONNRESET' })));
      client.connect(cfg);
    });
  } catch (err) {
    client.removeAllListeners();
    client.on('error', () => {}); // late socket errors must not crash the process
    client.destroy();
    const v = verdict as HostKeyVerdict | null;
    if (v?.outcome === 'unknown') {
      throw new SshError(
        'hostkey-unknown',
        `first connection to ${where}: the host presents a ${v.presented.type} key with fingerprint ${v.presented.fingerprint}; compare it with the host and accept it to continue`,
        { hostId, hostKey: { type: v.presented.type, fingerprint: v.presented.fingerprint } },
      );
    }
    if (v?.outcome === 'mismatch') {
      const was = v.expected ? `${v.expected.type} ${v.expected.fingerprint}` : 'a key marked @revoked in known_hosts';
      throw new SshError(
        'hostkey-mismatch',
        `WARNING: the host key of ${where} has changed (now ${v.presented.type} ${v.presented.fingerprint}, on record ${was}). ` +
          'Someone may be intercepting the connection, or the host was reinstalled. Nothing will run on this host until ' +
          'you verify the new fingerprint on the host and re-accept it.',
        {
          hostId,
          hostKey: { type: v.presented.type, fingerprint: v.presented.fingerprint },
          ...(v.expected ? { expectedHostKey: v.expected } : {}),
        },
      );
    }
    const { code, reason } = classifyConnectError(err, where, host.address);
    throw new SshError(code, reason, { hostId, cause: err instanceof Error ? new Error(err.message) : undefined });
  }
  client.removeAllListeners('ready');
  // Many tiny request/reply packets: without this, Nagle + delayed ACK cost ~30 ms per command.
  client.setNoDelay(true);
  return client;
}
