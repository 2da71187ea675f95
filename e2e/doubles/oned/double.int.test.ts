// The OnedClient against the oned TEST DOUBLE running inside lab host fe1: directly over the
// management network, and through fe1's SSH connection (ssh2 forwardOut to its loopback), as the
// front-end store wires it for `via: ssh`. A free port, not 2633 (the e2e run's double).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, loadLab, type LabInfo } from '../../lab/labinfo';
import type { LabProcess } from '../../lab/hosts';
import { startOnedDoubleOn } from '../../support/oned-double';
import { labHost, labPool, TableResolver, trustedStore } from '../../../electron/test-support/labkit';
import type { SshPool } from '../../../electron/services/ssh/pool';
import { OnedClient } from '../../../electron/services/opennebula/client';
import { renderTemplateXml } from '../../../electron/services/opennebula/template';

const reason = labSkipReason();
const PORT = 2700 + (process.pid % 90);
const SESSION = 'oneadmin:int-test-pw';

describe.skipIf(reason)('OnedClient against the oned double on fe1', () => {
  let lab: LabInfo;
  let dbl: LabProcess;
  let pool: SshPool;
  beforeAll(async () => {
    lab = loadLab()!;
    dbl = await startOnedDoubleOn(lab.hosts.fe1, PORT, { session: SESSION, logName: `oned-double-int-${PORT}` });
    const r = new TableResolver();
    r.set('fe1', labHost(lab, 'fe1', 'admin'));
    pool = labPool(r, { hostKeys: trustedStore(lab, { fe1: 'fe1' }) });
  });
  afterAll(async () => {
    await pool?.close();
    await dbl?.stop();
  });

  it('answers directly on fe1\'s management address', async () => {
    const one = new OnedClient({ endpoint: `http://${lab.hosts.fe1.addresses.mgmt}:${PORT}/RPC2`, session: () => SESSION });
    expect(await one.version()).toBe('6.10.0');
    expect((await one.hosts()).map((h) => h.name)).toEqual(['hv1', 'hv2']);
    const bad = new OnedClient({ endpoint: `http://${lab.hosts.fe1.addresses.mgmt}:${PORT}/RPC2`, session: () => 'oneadmin:nope' });
    await expect(bad.whoami()).rejects.toMatchObject({ kind: 'authentication' });
  });

  it('answers through the SSH tunnel to fe1\'s loopback, state shared with the direct path', async () => {
    const one = new OnedClient({ endpoint: `http://127.0.0.1:${PORT}/RPC2`, session: () => SESSION, tunnel: (h, p) => pool.forwardOut('fe1', h, p) });
    expect(await one.whoami()).toEqual({ id: 0, name: 'oneadmin' });
    const id = await one.allocateDatastore(renderTemplateXml([['NAME', 'tunnel "ds" <é>'], ['TYPE', 'IMAGE_DS'], ['DS_MAD', 'iscsi_libvirt'], ['TM_MAD', 'iscsi_libvirt'], ['DISK_TYPE', 'ISCSI'], ['ISCSI_HOST', '203.0.113.11']]), 0);
    const direct = new OnedClient({ endpoint: `http://${lab.hosts.fe1.addresses.mgmt}:${PORT}/RPC2`, session: () => SESSION });
    expect((await direct.datastore(id)).name).toBe('tunnel "ds" <é>');
    await one.deleteDatastore(id);
    // A closed port through the tunnel is a transport error in words.
    const closed = new OnedClient({ endpoint: 'http://127.0.0.1:1/RPC2', session: () => SESSION, tunnel: (h, p) => pool.forwardOut('fe1', h, p) });
    await expect(closed.version()).rejects.toThrow();
  });
});
