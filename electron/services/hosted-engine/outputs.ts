// Pure builders for the two files the wizard produces:
// - an otopi answer file for `hosted-engine --deploy --config-append=FILE` (reference 4.3): every
//   answer except the CHAP passwords, which hosted-engine setup itself never saves;
// - the hosted-engine.conf storage keys (reference 4.4). oVirt's HA agent reads the CHAP password
//   from that file in clear text; we say so in the file and in the wizard.
import { ZERO_UUID } from '../vdsm/api';

export interface HeStorageFacts {
  storageType: 'iscsi' | 'nfs3' | 'nfs4';
  domainName: string;
  sdUUID: string;
  spUUID: string;
  vgUUID?: string;
  connectionUUID: string;
  // iSCSI
  portals?: { address: string; port: number }[];
  iqn?: string;
  tpgt?: string;
  lunGuid?: string;
  loginUser?: string;
  loginPassword?: string;
  discoveryUser?: string;
  discardSupport?: boolean;
  // NFS
  server?: string;
  exportPath?: string;
}

export const CLEAR_TEXT_PASSWORD_NOTE =
  'oVirt keeps the iSCSI login CHAP password in clear text in /etc/ovirt-hosted-engine/hosted-engine.conf (the HA agent reads it from there); the file is readable by root and the vdsm group only.';

type OtopiValue = { type: 'str' | 'bool' | 'int' | 'none'; value: string };
const str = (v: string): OtopiValue => ({ type: 'str', value: v });
const bool = (v: boolean): OtopiValue => ({ type: 'bool', value: v ? 'True' : 'False' });

function assertOneLine(key: string, v: string): string {
  // Values are single INI lines; a newline would inject keys.
  if (/[\r\n]/.test(v)) throw new Error(`${key}: value must be a single line`);
  return v;
}

/** Answer file lines in `[environment:default]`, `KEY=type:value`. Never includes passwords. */
export function buildAnswerFile(f: HeStorageFacts): string {
  const entries: [string, OtopiValue][] = [['OVEHOSTED_STORAGE/domainType', str(f.storageType)]];
  if (f.storageType === 'iscsi') {
    const portals = f.portals ?? [];
    const ips = portals.map((p) => p.address).join(',');
    entries.push(
      ['OVEHOSTED_STORAGE/iSCSIPortalIPAddress', str(ips)],
      ['OVEHOSTED_STORAGE/iSCSIPortalPort', str(portals.map((p) => String(p.port)).join(','))],
      ['OVEHOSTED_STORAGE/iSCSIPortal', str(f.tpgt ?? '1')],
      ['OVEHOSTED_STORAGE/iSCSITargetName', str(f.iqn ?? '')],
      ['OVEHOSTED_STORAGE/LunID', str(f.lunGuid ?? '')],
      ['OVEHOSTED_STORAGE/iSCSIPortalUser', str(f.loginUser ?? '')],
      ['OVEHOSTED_STORAGE/iSCSIDiscoverUser', str(f.discoveryUser ?? '')],
      ['OVEHOSTED_STORAGE/discardSupport', bool(!!f.discardSupport)],
      ['OVEHOSTED_STORAGE/storageDomainConnection', str(ips)],
    );
    if (f.vgUUID) entries.push(['OVEHOSTED_STORAGE/vgUUID', str(f.vgUUID)]);
  } else {
    entries.push(['OVEHOSTED_STORAGE/storageDomainConnection', str(`${f.server}:${f.exportPath}`)]);
  }
  entries.push(
    ['OVEHOSTED_STORAGE/storageDomainName', str(f.domainName)],
    ['OVEHOSTED_STORAGE/sdUUID', str(f.sdUUID)],
    ['OVEHOSTED_STORAGE/spUUID', str(f.spUUID)],
    ['OVEHOSTED_STORAGE/connectionUUID', str(f.connectionUUID)],
  );
  const lines = [
    '# Hosted-engine storage answers written by Portico.',
    '# Use: hosted-engine --deploy --config-append=<this file>',
    '# CHAP passwords are deliberately not included; hosted-engine setup asks for them.',
    '[environment:default]',
    ...entries.map(([k, v]) => `${k}=${v.type}:${assertOneLine(k, v.value)}`),
  ];
  return lines.join('\n') + '\n';
}

/** Parses an answer file back (tests, and reading a file the admin imports). */
export function parseAnswerFile(text: string): Map<string, { type: string; value: string }> {
  const out = new Map<string, { type: string; value: string }>();
  let inSection = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      inSection = line === '[environment:default]';
      continue;
    }
    if (!inSection) continue;
    const eq = line.indexOf('=');
    const colon = line.indexOf(':', eq);
    if (eq < 0 || colon < 0) continue;
    out.set(line.slice(0, eq), { type: line.slice(eq + 1, colon), value: line.slice(colon + 1) });
  }
  return out;
}

export interface HeConfOptions {
  /** Include the real password (only when writing to the host); otherwise ****** is shown. */
  includePassword: boolean;
  mask: string;
}

/** The storage keys of hosted-engine.conf as `key=value` lines. */
export function buildHostedEngineConfKeys(f: HeStorageFacts, o: HeConfOptions): [string, string][] {
  const keys: [string, string][] = [['domainType', f.storageType]];
  if (f.storageType === 'iscsi') {
    const portals = f.portals ?? [];
    const pw = f.loginPassword ?? '';
    keys.push(
      ['storage', portals.map((p) => p.address).join(',')],
      ['port', portals.map((p) => String(p.port)).join(',')],
      ['iqn', f.iqn ?? ''],
      ['portal', f.tpgt ?? '1'],
      ['user', f.loginUser ?? ''],
      ['password', pw === '' ? '' : o.includePassword ? pw : o.mask],
    );
  } else {
    keys.push(['storage', `${f.server}:${f.exportPath}`]);
  }
  keys.push(['sdUUID', f.sdUUID], ['spUUID', ZERO_UUID], ['connectionUUID', f.connectionUUID], ['vdsm_use_ssl', 'true']);
  for (const [k, v] of keys) assertOneLine(k, v);
  return keys;
}

export function buildHostedEngineConf(f: HeStorageFacts, o: HeConfOptions): string {
  const lines = ['# Storage keys for /etc/ovirt-hosted-engine/hosted-engine.conf (written by Portico).'];
  if (f.storageType === 'iscsi') lines.push(`# Note: ${CLEAR_TEXT_PASSWORD_NOTE}`);
  for (const [k, v] of buildHostedEngineConfKeys(f, o)) lines.push(`${k}=${v}`);
  return lines.join('\n') + '\n';
}

/**
 * Merges our storage keys into an existing hosted-engine.conf: keys we own are replaced in
 * place, others (host_id, metadata ids, ...) are kept, missing ones appended.
 */
export function mergeHostedEngineConf(existing: string, keys: [string, string][]): string {
  const want = new Map(keys);
  const done = new Set<string>();
  const out: string[] = [];
  for (const line of existing.split('\n')) {
    const m = /^\s*([A-Za-z0-9_.]+)\s*=/.exec(line);
    if (m && want.has(m[1])) {
      if (!done.has(m[1])) out.push(`${m[1]}=${want.get(m[1])}`);
      done.add(m[1]);
    } else out.push(line);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  for (const [k, v] of keys) if (!done.has(k)) out.push(`${k}=${v}`);
  return out.join('\n') + '\n';
}
