// `npm run bench -- tgt-parse`: parse `tgtadm --op show` output for 1,000 targets x 4 LUNs.
// The text is built from the layout of a real capture (electron/services/tgt/fixtures/show-target.txt).
import { performance } from 'node:perf_hooks';
import { parseTargetShow } from '../electron/services/tgt/parser';
import { median } from './compare';

function lun(tid: number, n: number): string {
  const ctrl = n === 0;
  return [
    `        LUN: ${n}`,
    `            Type: ${ctrl ? 'controller' : 'disk'}`,
    `            SCSI ID: ${ctrl ? `IET     ${tid.toString(16).padStart(4, '0')}0000` : `portico-${tid.toString(16).padStart(8, '0')}${n}`}`,
    `            SCSI SN: ${ctrl ? `beaf${tid}0` : `${tid.toString(16).padStart(12, '0')}${n}`}`,
    `            Size: ${ctrl ? 0 : 1074 * n} MB, Block size: ${ctrl ? 1 : 512}`,
    '            Online: Yes',
    '            Removable media: No',
    '            Prevent removal: No',
    `            Readonly: ${n === 4 ? 'Yes' : 'No'}`,
    '            SWP: No',
    '            Thin-provisioning: No',
    `            Backing store type: ${ctrl ? 'null' : 'rdwr'}`,
    `            Backing store path: ${ctrl ? 'None' : `/srv/portico/vm-disk-${tid}${n > 1 ? `_${n - 1}` : ''}`}`,
    '            Backing store flags: ',
  ].join('\n');
}

export function syntheticShow(targets: number, lunsPer: number): string {
  const out: string[] = [];
  for (let t = 1; t <= targets; t++) {
    out.push(`Target ${t}: iqn.2024-01.lab.portico:vm-disk-${t}`, '    System information:', '        Driver: iscsi', '        State: ready', '    I_T nexus information:');
    if (t % 10 === 0) {
      out.push(`        I_T nexus: ${t}`, `            Initiator: iqn.1994-05.com.redhat:hv${t % 7} alias: none`, '            Connection: 0', `                IP Address: 192.0.2.${(t % 200) + 20}`);
    }
    out.push('    LUN information:');
    for (let l = 0; l <= lunsPer; l++) out.push(lun(t, l));
    out.push('    Account information:');
    if (t % 5 === 0) out.push(`        chap-${t}`);
    out.push('    ACL information:', `        192.0.2.0/24`, `        iqn.1994-05.com.redhat:hv${t % 7}`);
  }
  return out.join('\n') + '\n';
}

export default async function main(): Promise<void> {
  const text = syntheticShow(1000, 4);
  const lines = text.split('\n').length;
  for (let i = 0; i < 5; i++) parseTargetShow(text); // warm up the JIT
  const times: number[] = [];
  let n = 0;
  for (let i = 0; i < 25; i++) {
    const t0 = performance.now();
    n = parseTargetShow(text).reduce((a, t) => a + t.luns.length - 1, 0);
    times.push(performance.now() - t0);
  }
  console.log(`tgt-parse: 1000 targets x 4 LUNs (${n} LUNs, ${lines} lines, ${(text.length / 1024).toFixed(0)} KiB), 25 runs`);
  console.log(`min: ${Math.min(...times).toFixed(2)} ms, median: ${median(times).toFixed(2)} ms`);
  console.log(`ms: ${median(times).toFixed(2)}`);
}
