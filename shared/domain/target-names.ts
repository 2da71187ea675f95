// iSCSI names: IQN/EUI/NAA rules (RFC 3720/3722, what tgtd accepts), target names, proposed IQNs.
import { boundedText } from './target-fields';

/** Characters that break tgtadm's comma-packed wire string or the Config::General conf file. */
export const CONF_UNSAFE = /[,#\s\p{Cc}"'`$\\;&|<>]/u;

const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
// RFC 3720 3.2.6.3.1 "iqn." + yyyy-mm + "." + reversed domain [ ":" unique ]; RFC 3722 lowercases,
// and tgtd itself accepts only alnum, ":", "." and "-" in target names.
const IQN_RE = new RegExp(`^iqn\\.(\\d{4})-(\\d{2})\\.${LABEL}(?:\\.${LABEL})*(?::[a-z0-9.:-]*[a-z0-9])?$`);
const EUI_RE = /^eui\.[0-9A-F]{16}$/;
const NAA_RE = /^naa\.(?:[0-9A-F]{16}|[0-9A-F]{32})$/;

/** Returns null when `v` is a valid iSCSI name, else what is wrong. */
export function iscsiNameProblem(v: string, field: string, allowEuiNaa: boolean): string | null {
  if (v === '') return `${field}: enter an iSCSI name such as iqn.2002-08.info.netmanager:xenserver`;
  if (new TextEncoder().encode(v).length > 223) return `${field}: iSCSI names are at most 223 bytes long (RFC 3720)`;
  if (v.startsWith('eui.') || v.startsWith('naa.')) {
    if (!allowEuiNaa) return `${field}: target names here must be iqn. names`;
    if (EUI_RE.test(v) || NAA_RE.test(v)) return null;
    return `${field}: "${v}" is not valid: eui. takes 16 upper-case hex digits, naa. 16 or 32`;
  }
  if (!v.startsWith('iqn.')) return `${field}: "${v}" must start with iqn. (or eui./naa. for initiators)`;
  if (v !== v.toLowerCase()) return `${field}: "${v}" has upper-case letters; iqn. names are lower case (RFC 3722)`;
  const m = IQN_RE.exec(v);
  if (!m) return `${field}: "${v}" does not follow iqn.YYYY-MM.reversed.domain[:name]; only a-z, 0-9, "-", "." and ":" are allowed`;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return `${field}: "${v}" has month ${m[2]}; the date part is YYYY-MM with a month 01-12`;
  return null;
}

export const targetIqnSchema = boundedText('IQN', 255).superRefine((v, ctx) => {
  const p = iscsiNameProblem(v, 'IQN', false);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});
export const initiatorNameSchema = boundedText('Allowed initiator', 255).superRefine((v, ctx) => {
  const p = iscsiNameProblem(v, 'Allowed initiator', true);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});

/** Short target name: conf file name, default backing file name and IQN suffix (NetManager's [section]). */
export const targetNameSchema = boundedText('Name', 64).superRefine((v, ctx) => {
  if (!/^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/.test(v) || v.includes('..')) {
    ctx.addIssue({ code: 'custom', message: `Name: "${v}" is not allowed; use 1-64 lower-case letters, digits, "-" or "." (not at the ends, no "..")` });
  }
});

/**
 * Naming authority of a proposed base IQN when the server's domain is unknown: the reversal of
 * set-your-domain.invalid (.invalid is reserved, RFC 6761, so it can never be anyone's real
 * authority), shown as a placeholder until the admin puts in a domain the site owns.
 */
export const PLACEHOLDER_AUTHORITY = 'invalid.set-your-domain';
export const isPlaceholderIqn = (iqn: string) => /^iqn\.\d{4}-\d{2}\.invalid\.set-your-domain(?::|$)/.test(iqn);

/** IQN the wizard proposes: server base IQN + ":" + name. */
export function buildIqn(baseIqn: string, name: string): string {
  return `${baseIqn}:${name}`;
}
