// The hosts table: inventory rows, accepted host keys, last probed capabilities. Implements the
// SSH pool's HostResolver and HostKeyStore so the pool reads settings and secrets from here.
import { randomUUID } from 'node:crypto';
import type { Capabilities, HostInput } from '../../../shared/domain/host';
import type { HostView } from '../../../shared/features/hosts';
import { PorticoError } from '../../../shared/contract-kit';
import type { Db } from '../db';
import type { SecretStore } from '../secrets';
import type { HostResolver, ResolvedHost } from '../ssh/pool';
import type { HostKeyStore, StoredHostKey } from '../ssh/hostkeys';
import type { SecretKind } from '../ssh/connect';

/** A host row as stored; the contract's HostView adds the live connection state. */
export type HostRecord = Omit<HostView, 'connection'>;

interface Row {
  id: string; name: string; address: string; port: number; user: string; auth_kind: string; key_path: string | null; sudo: number;
  roles: string; group_id: string | null; hostkey_type: string | null; hostkey_fingerprint: string | null; hostkey_blob: string | null;
  capabilities: string | null; created_at: string;
}

const secretName = (hostId: string, kind: SecretKind) => `host:${hostId}:${kind}`;

export class HostRepo implements HostResolver {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
  ) {}

  private toRecord(r: Row): HostRecord {
    return {
      id: r.id, name: r.name, address: r.address, port: r.port, user: r.user, authKind: r.auth_kind as HostRecord['authKind'],
      keyPath: r.key_path, sudo: !!r.sudo, roles: JSON.parse(r.roles), group: r.group_id ? this.groupName(r.group_id) : null,
      hostKey: r.hostkey_fingerprint ? { type: r.hostkey_type!, fingerprint: r.hostkey_fingerprint } : null,
      capabilities: r.capabilities ? JSON.parse(r.capabilities) : null, createdAt: r.created_at,
    };
  }

  private groupName(id: string): string | null {
    return (this.db.prepare('SELECT name FROM groups WHERE id = ?').get(id) as { name: string } | undefined)?.name ?? null;
  }

  private groupId(name: string | undefined): string | null {
    if (!name) return null;
    const row = this.db.prepare('SELECT id FROM groups WHERE name = ?').get(name) as { id: string } | undefined;
    if (row) return row.id;
    const id = randomUUID();
    this.db.prepare('INSERT INTO groups (id, name) VALUES (?, ?)').run(id, name);
    return id;
  }

  list(): HostRecord[] {
    return (this.db.prepare('SELECT * FROM hosts ORDER BY name').all() as Row[]).map((r) => this.toRecord(r));
  }

  find(id: string): HostRecord | null {
    const r = this.db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as Row | undefined;
    return r ? this.toRecord(r) : null;
  }

  get(id: string): HostRecord {
    const h = this.find(id);
    if (!h) throw new PorticoError('not-found', `No host with id ${id}: it may have been removed.`, 'hostId');
    return h;
  }

  private checkUnique(input: HostInput, exceptId?: string): void {
    const byName = this.db.prepare('SELECT id FROM hosts WHERE name = ? AND id IS NOT ?').get(input.name, exceptId ?? null);
    if (byName) throw new PorticoError('duplicate', `name: a host named "${input.name}" already exists; choose another name.`, 'name');
    const byAddr = this.db.prepare('SELECT name FROM hosts WHERE address = ? AND port = ? AND user = ? AND id IS NOT ?').get(input.address, input.port, input.user, exceptId ?? null) as { name: string } | undefined;
    if (byAddr) throw new PorticoError('duplicate', `address: ${input.user}@${input.address}:${input.port} is already added as "${byAddr.name}".`, 'address');
  }

  /** Inserts the row and stores its secrets, in one transaction (nothing half-saved). */
  add(input: HostInput): HostRecord {
    this.checkUnique(input);
    const id = randomUUID();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO hosts (id, name, address, port, user, auth_kind, key_path, sudo, roles, group_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.name, input.address, input.port, input.user, input.auth.kind, input.auth.kind === 'key' ? input.auth.keyPath : null, input.sudo ? 1 : 0, JSON.stringify(input.roles), this.groupId(input.group), new Date().toISOString());
      this.storeSecrets(id, input);
    })();
    return this.get(id);
  }

  update(id: string, input: HostInput): HostRecord {
    this.get(id);
    this.checkUnique(input, id);
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE hosts SET name=?, address=?, port=?, user=?, auth_kind=?, key_path=?, sudo=?, roles=?, group_id=? WHERE id=?')
        .run(input.name, input.address, input.port, input.user, input.auth.kind, input.auth.kind === 'key' ? input.auth.keyPath : null, input.sudo ? 1 : 0, JSON.stringify(input.roles), this.groupId(input.group), id);
      // The accepted key stays with the host when its address or port changes: a moved host presents it
      // again, and another machine (or someone in between) at the new endpoint is blocked, not trusted anew.
      this.secrets.deletePrefix(`host:${id}:`);
      this.storeSecrets(id, input);
    })();
    return this.get(id);
  }

  private storeSecrets(id: string, input: HostInput): void {
    if (input.auth.kind === 'password') this.secrets.set(secretName(id, 'password'), input.auth.password);
    if (input.auth.kind === 'key' && input.auth.passphrase) this.secrets.set(secretName(id, 'passphrase'), input.auth.passphrase);
  }

  remove(id: string): void {
    this.db.transaction(() => {
      this.secrets.deletePrefix(`host:${id}:`);
      this.db.prepare('DELETE FROM hosts WHERE id = ?').run(id);
    })();
  }

  setCapabilities(id: string, c: Capabilities): void {
    this.db.prepare('UPDATE hosts SET capabilities = ? WHERE id = ?').run(JSON.stringify(c), id);
  }

  // ---- HostResolver ----
  getHost(hostId: string): ResolvedHost | null {
    const h = this.find(hostId);
    return h ? { name: h.name, address: h.address, port: h.port, user: h.user, auth: h.authKind, keyPath: h.keyPath ?? undefined, sudo: h.sudo } : null;
  }

  getSecret(hostId: string, kind: SecretKind): string | null {
    return this.secrets.get(secretName(hostId, kind));
  }

  // ---- HostKeyStore ----
  getKey(hostId: string): StoredHostKey | null {
    const r = this.db.prepare('SELECT hostkey_type, hostkey_fingerprint, hostkey_blob FROM hosts WHERE id = ?').get(hostId) as Pick<Row, 'hostkey_type' | 'hostkey_fingerprint' | 'hostkey_blob'> | undefined;
    return r?.hostkey_blob ? { type: r.hostkey_type!, fingerprint: r.hostkey_fingerprint!, keyBase64: r.hostkey_blob } : null;
  }

  set(hostId: string, key: StoredHostKey): void {
    this.db.prepare('UPDATE hosts SET hostkey_type=?, hostkey_fingerprint=?, hostkey_blob=? WHERE id=?').run(key.type, key.fingerprint, key.keyBase64, hostId);
  }
}

/** HostKeyStore view of the repo (its get() is the inventory lookup, so the key lookup is separate). */
export function hostKeyStore(repo: HostRepo): HostKeyStore {
  return { get: (id) => repo.getKey(id), set: (id, k) => repo.set(id, k) };
}
