// What tgtadm's show outputs parse into, and the error for output that does not fit the grammar.

export interface TgtLun {
  lun: number;
  type: string;
  scsiId: string;
  scsiSn: string;
  /**
   * The LUN's size as tgt reports it, its "MB" times 10^6. tgt's MB is print_disksize's
   * ((b - (b/625 - 974)) / 1950) with b = bytes/512 (usr/target.c; 32 MiB prints as 34 MB, see
   * tgtShownMB), so this is approximate only; sizing uses stat where it can.
   */
  sizeBytes: number;
  blockSize: number;
  online: boolean;
  removable: boolean;
  preventRemoval: boolean;
  readonly: boolean;
  swp: boolean;
  thinProvisioning: boolean;
  bsType: string;
  /** null for "None" (the controller LUN 0). */
  path: string | null;
  bsFlags: string;
  /** Keys a newer tgt prints that this parser does not model, kept verbatim. */
  extra?: Record<string, string>;
}

export interface TgtConnection {
  cid: number;
  address: string;
}

export interface TgtSession {
  /** I_T nexus id (tgt's session id). */
  nexus: number;
  initiator: string;
  alias: string | null;
  connections: TgtConnection[];
}

export interface TgtAccountRef {
  user: string;
  outgoing: boolean;
}

export interface TgtTarget {
  tid: number;
  iqn: string;
  driver: string;
  state: string;
  nopInterval?: number;
  nopCount?: number;
  sessions: TgtSession[];
  /** All LUNs including LUN 0 (controller). */
  luns: TgtLun[];
  accounts: TgtAccountRef[];
  /** Address rules (ALL, IPv4[/n], [IPv6][/n]) in tgt's order. */
  aclAddresses: string[];
  /** Initiator-name rules in tgt's order. */
  aclNames: string[];
}

export interface TgtPortal {
  address: string;
  port: number;
  tpgt: number;
}

export interface TgtSystem {
  state: string;
  llds: Record<string, string>;
  backingStores: string[];
  deviceTypes: string[];
}

export class TgtParseError extends Error {
  constructor(
    readonly what: string,
    readonly lineNo: number,
    readonly lineText: string,
    reason: string,
  ) {
    super(`cannot parse ${what} output at line ${lineNo} (${JSON.stringify(lineText.slice(0, 120))}): ${reason}`);
    this.name = 'TgtParseError';
  }
}

const ADDR_ACL = /^(?:ALL|\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?|\[[0-9A-Fa-f:.]+\](?:\/\d{1,3})?)$/;

/** tgt's ACL section mixes address and name rules; tell them apart by form. */
export function isAddressAcl(entry: string): boolean {
  return ADDR_ACL.test(entry);
}
