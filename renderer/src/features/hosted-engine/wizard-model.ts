// The wizard's steps, its form and which step each error key belongs to (pure, no React).

export const HE_STEPS = ['Host', 'Storage', 'Portals', 'Target', 'LUN', 'Review', 'Apply', 'Result'] as const;
export const [HOST, STORAGE, PORTALS, TARGET, LUN, REVIEW, APPLY, RESULT] = [0, 1, 2, 3, 4, 5, 6, 7];

export type StorageType = 'iscsi' | 'nfs3' | 'nfs4';
export interface PortalRow { address: string; port: string }
export interface Form {
  hostId: string;
  storageType: StorageType;
  domainName: string;
  server: string;
  exportPath: string;
  portals: PortalRow[];
  discoveryUser: string; discoveryPassword: string;
  loginUser: string; loginPassword: string;
  targetIndex: number | null;
  lunGuid: string;
  diskSizeGiB: string;
  forceUsedLun: boolean;
  forceConfirmation: string;
  writeConf: boolean;
}

/** Which step a field path belongs to, to send the admin back to it. */
export function stepOf(path: string): number {
  const p = path.replace(/^storage\./, '');
  if (p === 'hostId') return HOST;
  if (/^(storageType|server|exportPath|domainName|poolName)/.test(p)) return STORAGE;
  if (/^(portals|discoveryChap|loginChap)/.test(p)) return PORTALS;
  if (p.startsWith('target')) return TARGET;
  if (/^(lunGuid|forceConfirmation|forceUsedLun|diskSizeGiB)/.test(p)) return LUN;
  return -1;
}

/** Error keys a field displays itself; other keys of a step show as an alert on it. */
export const SHOWN_IN_FIELDS = /^(hostId|server|exportPath|domainName|portals\.\d+\.(address|port)|(discoveryChap|loginChap)\.(user|password)|forceConfirmation|diskSizeGiB)$/;

/** Form fields -> the error keys (schema paths) they display. */
export const FIELD_KEYS: Record<string, string[]> = {
  discoveryUser: ['discoveryChap.user', 'discoveryChap.password'],
  discoveryPassword: ['discoveryChap.user', 'discoveryChap.password'],
  loginUser: ['loginChap.user', 'loginChap.password'],
  loginPassword: ['loginChap.user', 'loginChap.password'],
  forceUsedLun: ['forceConfirmation'],
};

export const keyOf = (path: string) => path.replace(/^storage\./, '');
