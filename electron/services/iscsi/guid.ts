// Device GUID (multipath WWID) from VPD page 0x83 the way Linux derives it, which is what oVirt
// shows as the LUN GUID. Primary: systemd scsi_id (ID_SERIAL from 60-persistent-storage.rules).
// Alternates: sg3_utils 55-scsi-sg3_id.rules and multipath's own vpd_pg83 fallback, shown as
// "also known as" because hosts with different tooling can see a different string.
import { Association, CodeSet, DesignatorType, type Designator } from './scsi';
import type { IscsiGuidSighting, IscsiGuidWarning } from '../../../shared/domain/iscsi';

export interface GuidInput {
  designators: Designator[];
  /** Space-padded vendor (8) and product (16) from standard INQUIRY. */
  vendorRaw: string;
  productRaw: string;
  /** VPD 0x80 serial, trimmed. */
  serial?: string;
  /** The raw VPD 0x83 page, to detect pre-SPC-3 formats (optional). */
  rawPage?: Buffer;
}

export interface GuidResult {
  /** systemd scsi_id ID_SERIAL (what current oVirt hosts see); undefined when nothing usable. */
  guid?: string;
  /** Other spellings (sg3_utils rules, multipath fallback) when they differ from guid. */
  alsoKnownAs: string[];
}

/** udev_replace_whitespace + udev_replace_chars: trim, runs of whitespace -> '_', odd chars -> '_'. */
export function udevSanitize(s: string): string {
  const collapsed = s.trim().replace(/\s+/g, '_');
  return collapsed.replace(/[^0-9A-Za-z#+\-.:=@_\u0080-\uffff]/g, '_');
}

function isLu(d: Designator): boolean {
  return d.association === Association.LogicalUnit;
}

function format(d: Designator, vendorRaw: string, productRaw: string): string {
  const prefix = d.type.toString(16);
  if (d.codeSet === CodeSet.Binary) return udevSanitize(prefix + (d.type === DesignatorType.VendorSpecific ? vendorRaw.padEnd(8).slice(0, 8) + productRaw.padEnd(16).slice(0, 16) : '') + d.value.toString('hex'));
  const vp = d.type === DesignatorType.VendorSpecific ? vendorRaw.padEnd(8).slice(0, 8) + productRaw.padEnd(16).slice(0, 16) : '';
  return udevSanitize(prefix + vp + d.text);
}

/** systemd scsi_id search order (id_search_list). */
function scsiIdGuid(ds: Designator[], vendorRaw: string, productRaw: string): string | undefined {
  const isNaa = (d: Designator, naa: number | 'other' | 'any') =>
    d.type === DesignatorType.Naa && (naa === 'any' || (naa === 'other' ? d.naaType !== 6 && d.naaType !== 5 : d.naaType === naa));
  const order: Array<(d: Designator) => boolean> = [
    (d) => isNaa(d, 6) && d.codeSet === CodeSet.Binary,
    (d) => isNaa(d, 6) && d.codeSet === CodeSet.Ascii,
    (d) => isNaa(d, 5) && d.codeSet === CodeSet.Binary,
    (d) => isNaa(d, 5) && d.codeSet === CodeSet.Ascii,
    (d) => isNaa(d, 'other') && d.codeSet === CodeSet.Binary,
    (d) => isNaa(d, 'any') && d.codeSet === CodeSet.Ascii,
    (d) => d.type === DesignatorType.Eui64 && d.codeSet === CodeSet.Binary,
    (d) => d.type === DesignatorType.Eui64 && d.codeSet === CodeSet.Ascii,
    (d) => d.type === DesignatorType.T10 && d.codeSet === CodeSet.Binary,
    (d) => d.type === DesignatorType.T10 && d.codeSet === CodeSet.Ascii,
    (d) => d.type === DesignatorType.VendorSpecific && d.codeSet === CodeSet.Binary,
    (d) => d.type === DesignatorType.VendorSpecific && d.codeSet === CodeSet.Ascii,
  ];
  const lu = ds.filter(isLu);
  for (const test of order) {
    const hit = lu.find(test);
    if (hit && hit.value.length > 0) return format(hit, vendorRaw, productRaw);
  }
  return undefined;
}

function naaLengthOk(d: Designator): boolean {
  return d.naaType === 6 ? d.value.length === 16 : d.value.length === 8;
}

/** multipath-tools parse_vpd_pg83 priorities. */
function multipathGuid(ds: Designator[], vendorRaw: string, productRaw: string): string | undefined {
  const prio = (d: Designator): number => {
    switch (d.type) {
      case DesignatorType.Naa:
        if (!naaLengthOk(d)) return 0;
        return d.naaType === 6 ? 8 : d.naaType === 5 ? 7 : d.naaType === 2 ? 6 : d.naaType === 3 ? 1 : 0;
      case DesignatorType.Eui64:
        return 4;
      case DesignatorType.ScsiName:
        return 3;
      case DesignatorType.T10:
        return 2;
      default:
        return 0;
    }
  };
  let best: Designator | undefined;
  for (const d of ds.filter(isLu)) if (prio(d) > 0 && (!best || prio(d) > prio(best))) best = d;
  return best ? format(best, vendorRaw, productRaw) : undefined;
}

/** sg3_utils rules, default settings: NAA 6, 5, 2, EUI-64, SCSI name, T10, NAA 3, then "S" + serial. */
function sg3Guid(ds: Designator[], vendorRaw: string, productRaw: string, serial?: string): string | undefined {
  const lu = ds.filter(isLu);
  const tests: Array<(d: Designator) => boolean> = [
    (d) => d.type === DesignatorType.Naa && d.naaType === 6,
    (d) => d.type === DesignatorType.Naa && d.naaType === 5,
    (d) => d.type === DesignatorType.Naa && d.naaType === 2,
    (d) => d.type === DesignatorType.Eui64,
    (d) => d.type === DesignatorType.ScsiName,
    (d) => d.type === DesignatorType.T10,
    (d) => d.type === DesignatorType.Naa && d.naaType === 3,
  ];
  for (const t of tests) {
    const hit = lu.find(t);
    if (hit) return format(hit, vendorRaw, productRaw);
  }
  if (serial) return udevSanitize(`S${vendorRaw.padEnd(8).slice(0, 8)}${productRaw.padEnd(16).slice(0, 16)}${serial}`);
  return undefined;
}

export function deriveGuid(input: GuidInput): GuidResult {
  const { designators, vendorRaw, productRaw, serial, rawPage } = input;
  let guid: string | undefined;
  // Pre-SPC-3 page layout (byte 6 non-zero): scsi_id hexes the whole identifier.
  if (rawPage && rawPage.length > 6 && rawPage[6] !== 0) {
    guid = `3${rawPage.subarray(4, 4 + rawPage[3]).toString('hex')}`;
  } else {
    guid = scsiIdGuid(designators, vendorRaw, productRaw);
  }
  if (!guid && serial) guid = udevSanitize(`S${vendorRaw.padEnd(8).slice(0, 8)}${productRaw.padEnd(16).slice(0, 16)}${serial}`);
  const alsoKnownAs: string[] = [];
  for (const alt of [sg3Guid(designators, vendorRaw, productRaw, serial), multipathGuid(designators, vendorRaw, productRaw)]) {
    if (alt && alt !== guid && !alsoKnownAs.includes(alt)) alsoKnownAs.push(alt);
  }
  return { guid, alsoKnownAs };
}

// ---- duplicate GUID warnings -------------------------------------------------------------------

export type GuidSighting = IscsiGuidSighting;
export type GuidWarning = IscsiGuidWarning;

/**
 * The same GUID on two different targets, or on two different servers, means multipath would merge
 * unrelated LUNs (tgtd defaults derive the GUID from tid/LUN only). The same target and LUN seen
 * through several portals of one server is ordinary multipathing and is not flagged.
 */
export function duplicateGuidWarnings(sightings: GuidSighting[]): GuidWarning[] {
  const byGuid = new Map<string, GuidSighting[]>();
  for (const s of sightings) {
    if (!s.guid) continue;
    const list = byGuid.get(s.guid) ?? [];
    list.push(s);
    byGuid.set(s.guid, list);
  }
  const out: GuidWarning[] = [];
  for (const [guid, list] of byGuid) {
    const targets = new Set(list.map((s) => s.targetName));
    const servers = new Set(list.filter((s) => s.server !== undefined).map((s) => s.server));
    const luns = new Set(list.map((s) => `${s.targetName}\u0000${s.lun}`));
    if (targets.size > 1 || servers.size > 1 || luns.size > 1) {
      // One entry per distinct LUN (server, target, LUN), with every portal it was seen through.
      const lunsSeen = new Map<string, { s: GuidSighting; portals: string[] }>();
      for (const x of list) {
        const k = `${x.server ?? ''}\u0000${x.targetName}\u0000${x.lun}`;
        const e = lunsSeen.get(k) ?? { s: x, portals: [] };
        if (!e.portals.includes(x.portal)) e.portals.push(x.portal);
        lunsSeen.set(k, e);
      }
      const where = [...lunsSeen.values()].map(({ s, portals }) => `${s.targetName} LUN ${s.lun} (${s.server ? `${s.server}, ` : ''}via ${portals.join(', ')})`);
      out.push({
        code: 'duplicate-guid',
        guid,
        sightings: list,
        message: `GUID ${guid} is reported by ${where.length} different LUNs: ${where.join('; ')}. Multipath would merge them into one device; give each LUN a unique scsi_id and scsi_sn on the target.`,
      });
    }
  }
  return out;
}
