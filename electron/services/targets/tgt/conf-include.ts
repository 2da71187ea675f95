// tgt-admin reads only targets.conf at start; the conf.d files Portico writes count only when
// targets.conf includes them (Debian's and Ubuntu's do: `include /etc/tgt/conf.d/*.conf`; older
// RHEL files had only a commented example, and admins trim the file). Without the include every
// target Portico persisted is gone after a restart of tgt, so a plan that writes a conf.d file
// first adds the include line, as a step of its own with its undo.
import type { Check, PlanStep } from '../../jobs/operation';
import { filePut, type FileState } from '../../remote/files';
import { FILES_UNCHANGED, sha256 } from './checks';
import type { TargetDriver } from './driver';

const globRe = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);

/** The paths or globs targets.conf includes (`include X`, Config::General's `<<include X>>`), comments skipped. */
export function includedGlobs(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const m = /^include\s+(\S+)$/i.exec(line) ?? /^<<\s*include\s+(\S+)\s*>>$/i.exec(line);
    if (m) out.push(m[1].replace(/^["']|["']$/g, ''));
  }
  return out;
}

/** Does targets.conf make tgt-admin read a file `<confDir>/<name>.conf`? */
export function includesConfDir(text: string, confDir: string): boolean {
  const probe = `${confDir.replace(/\/+$/, '')}/portico-probe.conf`;
  return includedGlobs(text).some((g) => globRe(g).test(probe));
}

export function withConfDirInclude(text: string | null, confDir: string): string {
  const line = `# Added by Portico: tgt-admin reads the targets in ${confDir} only through this line.\ninclude ${confDir}/*.conf\n`;
  if (text === null || text === '') return line;
  return `${text}${text.endsWith('\n') ? '' : '\n'}${line}`;
}

/** The step (with its warning and fresh check) that adds the include, or null when targets.conf has it. */
export async function confIncludeStep(host: string, d: Pick<TargetDriver, 'readFileStates' | 'targetsConf' | 'confDir' | 'label'>): Promise<{ step: PlanStep; warning: string; fresh: Check } | null> {
  const pre: FileState = (await d.readFileStates([d.targetsConf])).get(d.targetsConf) ?? { content: null, mode: null, owner: null };
  if (pre.content !== null && includesConfDir(pre.content, d.confDir)) return null;
  return {
    step: {
      title: `Make ${d.targetsConf} include ${d.confDir}/*.conf (tgt reads the targets Portico writes at start only through it)`,
      ops: [filePut(host, d.targetsConf, withConfDirInclude(pre.content, d.confDir), pre, { mode: pre.mode ?? '644' })],
    },
    warning: `${d.targetsConf} on ${d.label} ${pre.content === null ? 'does not exist' : `does not include ${d.confDir}`}: without an include line tgt forgets these targets at its next start. The plan adds \`include ${d.confDir}/*.conf\` to it (undone with the rest).`,
    fresh: { kind: FILES_UNCHANGED, host, params: { files: [{ path: d.targetsConf, sha256: pre.content === null ? null : sha256(pre.content) }] } },
  };
}
