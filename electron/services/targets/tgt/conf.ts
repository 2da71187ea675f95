// Pure renderer/parser for the conf.d/<name>.conf files Portico writes, so that `tgt-admin -e` or
// `--update ALL` after a tgtd restart rebuilds exactly the running target (container form, explicit
// lun/scsi_id/scsi_sn, never an implicit "bind ALL").
import { MASK } from '../../../../shared/plan';

export type BackingKind = 'sparse' | 'full' | 'device' | 'lvm';

export interface DesiredLun {
  lun: number;
  path: string;
  scsiId: string;
  scsiSn: string;
  readonly: boolean;
  vendorId?: string;
  productId?: string;
  /** Metadata only (Portico's, not tgt's): how the backing store was made and its size. */
  kind?: BackingKind;
  sizeBytes?: number;
}

export interface ChapAccount {
  user: string;
  password: string;
}

/** A target as it must exist, independent of tid (tgt-admin picks tids). */
export interface DesiredTarget {
  iqn: string;
  name: string;
  comment?: string;
  alias?: string;
  luns: DesiredLun[];
  /** Address ACLs exactly as bound (may include NO_ADDRESS_PLACEHOLDER). */
  addresses: string[];
  names: string[];
  incoming: ChapAccount[];
  outgoing?: ChapAccount;
}

/**
 * tgt-admin binds ALL to a target with no initiator-address line, and tgt >= 1.0.83 ORs address and
 * name rules. A names-only target therefore gets this address, which no TCP peer can have.
 */
export const NO_ADDRESS_PLACEHOLDER = '255.255.255.255';

export const MANAGED_MARK = '# Managed by Portico.';
const META_PREFIX = '# portico-meta ';

export class ConfError extends Error {
  constructor(readonly file: string, readonly lineNo: number, reason: string) {
    super(`${file}${lineNo ? ` line ${lineNo}` : ''}: ${reason}`);
    this.name = 'ConfError';
  }
}

// Config::General splits on whitespace, treats # as a comment and tgt-admin runs values through a shell.
const CONF_VALUE = /^[A-Za-z0-9_.:/@+=[\]-]+$/;

// tgt's own default SCSI ids have spaces ("IET     00010001"): kept exactly, so an adopted LUN keeps
// the device id its hosts know. Config::General takes the rest of the line as the value and
// tgt-admin quotes it (--params scsi_id='...'), so inner spaces survive a restart.
const CONF_ID_VALUE = /^[A-Za-z0-9_.:/@+=[\]-]+(?: +[A-Za-z0-9_.:/@+=[\]-]+)*$/;

function checkValue(what: string, v: string, secret = false, spaces = false): void {
  if (CONF_VALUE.test(v) || (spaces && CONF_ID_VALUE.test(v))) return;
  const shown = secret ? '' : ` "${v.replace(/[^\x20-\x7e]/g, '?')}"`;
  throw new Error(`${what}${shown} cannot be written to a tgt conf file: only letters, digits and _ . : / @ + = [ ] - are safe`);
}

/** The conf.d file content. `mask` replaces CHAP passwords for review and artifacts. */
export function renderTargetConf(t: DesiredTarget, opts: { mask?: boolean } = {}): string {
  const pw = (p: string) => (opts.mask ? MASK : p);
  checkValue('target IQN', t.iqn);
  const meta = {
    name: t.name,
    ...(t.comment ? { comment: t.comment } : {}),
    ...(t.alias ? { alias: t.alias } : {}),
    luns: Object.fromEntries(t.luns.filter((l) => l.kind).map((l) => [String(l.lun), { kind: l.kind, ...(l.sizeBytes !== undefined ? { sizeBytes: l.sizeBytes } : {}) }])),
  };
  const out: string[] = [
    MANAGED_MARK + ' Changes made here are shown as drift in the console.',
    META_PREFIX + JSON.stringify(meta),
    `<target ${t.iqn}>`,
  ];
  for (const l of [...t.luns].sort((a, b) => a.lun - b.lun)) {
    checkValue('backing store path', l.path);
    checkValue('scsi_id', l.scsiId, false, true);
    checkValue('scsi_sn', l.scsiSn, false, true);
    out.push(`    <backing-store ${l.path}>`);
    out.push(`        lun ${l.lun}`);
    out.push(`        scsi_id ${l.scsiId}`);
    out.push(`        scsi_sn ${l.scsiSn}`);
    if (l.vendorId) { checkValue('vendor_id', l.vendorId); out.push(`        vendor_id ${l.vendorId}`); }
    if (l.productId) { checkValue('product_id', l.productId); out.push(`        product_id ${l.productId}`); }
    out.push(`        readonly ${l.readonly ? 1 : 0}`);
    out.push('        block-size 512');
    out.push('    </backing-store>');
  }
  if (t.addresses.length === 0) throw new Error('a target needs at least one initiator-address line, otherwise tgt-admin binds ALL');
  if (t.addresses.includes(NO_ADDRESS_PLACEHOLDER)) {
    out.push('    # Only the initiator names below may log in; this address matches no initiator and stops tgt-admin from binding ALL.');
  }
  for (const a of t.addresses) {
    checkValue('initiator-address', a);
    out.push(`    initiator-address ${a}`);
  }
  for (const n of t.names) {
    checkValue('initiator-name', n);
    out.push(`    initiator-name ${n}`);
  }
  for (const a of t.incoming) {
    checkValue('CHAP user', a.user);
    if (!opts.mask) checkValue('CHAP secret', a.password, true);
    out.push(`    incominguser ${a.user} ${pw(a.password)}`);
  }
  if (t.outgoing) {
    checkValue('mutual CHAP user', t.outgoing.user);
    if (!opts.mask) checkValue('mutual CHAP secret', t.outgoing.password, true);
    out.push(`    outgoinguser ${t.outgoing.user} ${pw(t.outgoing.password)}`);
  }
  out.push('</target>', '');
  return out.join('\n');
}

export function isManagedConf(text: string): boolean {
  return text.startsWith(MANAGED_MARK);
}

/**
 * Parses one conf file. Strict for what Portico writes; files written by others are read for the
 * target names they define (`targets`), anything unusual inside a target is reported.
 */
export function parseTargetConf(text: string, file = 'conf'): DesiredTarget[] {
  const lines = text.split('\n');
  const targets: DesiredTarget[] = [];
  let meta: { name?: string; comment?: string; alias?: string; luns?: Record<string, { kind?: BackingKind; sizeBytes?: number }> } = {};
  let cur: DesiredTarget | null = null;
  let lun: Partial<DesiredLun> & { path?: string } | null = null;
  const err = (i: number, r: string): never => {
    throw new ConfError(file, i + 1, r);
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.trim();
    if (line.startsWith(META_PREFIX.trim())) {
      try {
        meta = JSON.parse(line.slice(META_PREFIX.trim().length).trim());
      } catch {
        err(i, 'portico-meta line is not valid JSON');
      }
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    if (line.includes('#')) err(i, '"#" inside a value (tgt-admin would cut it off)');
    let m: RegExpExecArray | null;
    if ((m = /^<target\s+(\S+)>$/i.exec(line))) {
      if (cur) err(i, 'nested <target>');
      cur = { iqn: m[1], name: meta.name ?? '', comment: meta.comment, alias: meta.alias, luns: [], addresses: [], names: [], incoming: [] };
      continue;
    }
    if (/^<\/target>$/i.test(line)) {
      if (!cur || lun) err(i, 'unbalanced </target>');
      targets.push(cur!);
      cur = null;
      continue;
    }
    if (!cur) {
      if (/^(include|default-driver|ignore-errors|control-port)\b/.test(line)) continue;
      err(i, 'directive outside <target>');
    }
    const t = cur!;
    if ((m = /^<backing-store\s+(\S+)>$/i.exec(line))) {
      if (lun) err(i, 'nested <backing-store>');
      lun = { path: m[1], readonly: false };
      continue;
    }
    if (/^<\/backing-store>$/i.test(line)) {
      if (!lun) err(i, 'unbalanced </backing-store>');
      const l = lun!;
      if (l.lun === undefined) err(i, `backing store ${l.path} has no "lun" line`);
      if (!l.scsiId || !l.scsiSn) err(i, `backing store ${l.path} has no scsi_id/scsi_sn`);
      const lm = meta.luns?.[String(l.lun)];
      t.luns.push({
        lun: l.lun!, path: l.path!, scsiId: l.scsiId!, scsiSn: l.scsiSn!, readonly: !!l.readonly,
        ...(l.vendorId ? { vendorId: l.vendorId } : {}),
        ...(l.productId ? { productId: l.productId } : {}),
        ...(lm?.kind ? { kind: lm.kind } : {}),
        ...(lm?.sizeBytes !== undefined ? { sizeBytes: lm.sizeBytes } : {}),
      });
      lun = null;
      continue;
    }
    const parts = line.split(/\s+/);
    const key = parts[0];
    const args = parts.slice(1);
    const one = () => {
      if (args.length !== 1) err(i, `"${key}" takes one value`);
      return args[0];
    };
    if (lun) {
      switch (key) {
        case 'lun': {
          const v = one();
          if (!/^\d+$/.test(v) || v === '0') err(i, 'lun must be a number >= 1');
          lun.lun = Number(v);
          break;
        }
        case 'scsi_id': case 'scsi_sn': {
          // The whole rest of the line: tgt's default ids have inner spaces.
          const v = line.slice(key.length).replace(/^\s+/, '');
          if (!v) err(i, `"${key}" takes one value`);
          if (key === 'scsi_id') lun.scsiId = v;
          else lun.scsiSn = v;
          break;
        }
        case 'vendor_id': lun.vendorId = one(); break;
        case 'product_id': lun.productId = one(); break;
        case 'readonly': lun.readonly = one() === '1' || one() === 'yes'; break;
        case 'block-size': if (one() !== '512') err(i, 'Portico expects block-size 512'); break;
        case 'bs-type': case 'write-cache': case 'bsoflags': one(); break;
        default: err(i, `unexpected "${key}" inside <backing-store>`);
      }
      continue;
    }
    switch (key) {
      case 'initiator-address': t.addresses.push(one()); break;
      case 'initiator-name': t.names.push(one()); break;
      case 'incominguser':
        if (args.length !== 2) err(i, 'incominguser takes a user and a secret');
        t.incoming.push({ user: args[0], password: args[1] });
        break;
      case 'outgoinguser':
        if (args.length !== 2) err(i, 'outgoinguser takes a user and a secret');
        if (t.outgoing) err(i, 'only one outgoinguser is used by tgt-admin');
        t.outgoing = { user: args[0], password: args[1] };
        break;
      case 'backing-store':
        err(i, 'single-line backing-store (tgt-admin numbers those by sorted path); Portico writes the container form');
        break;
      default:
        err(i, `unexpected directive "${key}"`);
    }
  }
  if (cur || lun) throw new ConfError(file, lines.length, 'file ends inside a block');
  return targets;
}

/** The same file with CHAP secrets replaced by ******, for review and artifacts. */
export function maskConf(text: string): string {
  return text.replace(/^(\s*(?:incominguser|outgoinguser)\s+\S+\s+)\S+/gm, `$1${MASK}`);
}
