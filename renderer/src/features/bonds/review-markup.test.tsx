// The wizard's placement check and per-host connection list, rendered to markup.
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { PlacementResult, PreviewHost } from '../../../../shared/domain/bond';
import { PlacementTable } from './Placement';
import { HostConnections } from './HostConnections';
import { errorsByField } from '../../components/FieldList';

const names: Record<string, string> = { na: 'A', nb: 'B' };
/** The markup's text as the admin reads it (entities decoded). */
const text = (html: string) => html.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

describe('placement check', () => {
  it('shows each host’s NIC per network, and for a host missing one, what to do', () => {
    const p: PlacementResult = {
      problems: [],
      hosts: [
        { hostId: 'h1', name: 'hv1', kind: 'vdsm', status: 'bonded', missing: [], networks: [{ networkId: 'na', nic: 'eth1', address: '203.0.113.21' }, { networkId: 'nb', nic: 'eth2', address: '192.0.2.21' }] },
        { hostId: 'h3', name: 'hv3', kind: 'linux', status: 'partial', networks: [{ networkId: 'na', nic: 'ens4', address: null }, { networkId: 'nb', nic: null, address: null }], missing: [{ networkId: 'nb', fix: 'give hv3 an address in 192.0.2.0/24, probe it, or set its NIC by hand' }] },
        { hostId: 'h4', name: 'hv4', kind: 'linux', status: 'default-network', networks: [{ networkId: 'na', nic: null, address: null }, { networkId: 'nb', nic: null, address: null }], missing: [] },
      ],
    };
    const html = text(renderToStaticMarkup(<PlacementTable p={p} networkName={(id) => names[id]} />));
    expect(html).toContain('<code>eth1</code> (203.0.113.21)');
    expect(html).toContain('<code>ens4</code>');
    expect(html).toContain('no NIC on B: give hv3 an address in 192.0.2.0/24, probe it, or set its NIC by hand');
    expect(html).toContain('default route (none of them)');
    expect(html).not.toContain('hv1</strong>');
  });
});

describe('per-host connection list', () => {
  const vdsm: PreviewHost = {
    hostId: 'h1', name: 'hv1', kind: 'vdsm', commands: [],
    paths: [{ hostId: 'h1', networkId: 'na', connectionId: 'c1', nic: 'eth1' }, { hostId: 'h1', networkId: 'nb', connectionId: 'c1', nic: 'eth2' }],
    vdsm: [
      { id: 'c1', connection: '10.10.1.50', port: '3260', iqn: 'iqn.2024-01.lab:t1', tpgt: '1', user: 'u1', password: '******', ifaceName: 'eth2', netIfaceName: 'iscsi-a' },
      { id: 'c1-copy', connection: '10.10.1.50', port: '3260', iqn: 'iqn.2024-01.lab:t1', tpgt: '1', user: 'u1', password: '******', ifaceName: 'eth3', netIfaceName: 'eth3' },
    ],
  };
  const linux: PreviewHost = {
    hostId: 'h2', name: 'hv2', kind: 'linux', vdsm: [], paths: [{ hostId: 'h2', networkId: 'na', connectionId: 'c1', nic: 'eth1' }],
    commands: ['iscsiadm -m iface -I eth1 -o new', 'iscsiadm -m node -T iqn.2024-01.lab:t1 -p 10.10.1.50:3260,1 -I eth1 --login'],
  };

  it('VDSM hosts: one connectStorageServer entry per NIC with ifaceName and netIfaceName, the password as sent (masked)', () => {
    const html = text(renderToStaticMarkup(<HostConnections hosts={[vdsm, linux]} networkName={(id) => names[id ?? ''] ?? 'default route'} connectionName={() => 'iqn.2024-01.lab:t1 10.10.1.50:3260'} />));
    expect(html).toContain('"ifaceName":"eth2","netIfaceName":"iscsi-a"');
    expect(html).toContain('"ifaceName":"eth3","netIfaceName":"eth3"');
    expect(html).toContain('u1 / ******');
    expect(html).toContain('network A via eth1 → iqn.2024-01.lab:t1 10.10.1.50:3260');
    expect(html).toContain('network B via eth2');
    expect(html).toContain('iscsiadm -m node -T iqn.2024-01.lab:t1 -p 10.10.1.50:3260,1 -I eth1 --login');
    expect(html).toContain('plain Linux: iscsiadm');
  });
});

describe('errors by field', () => {
  it('puts a list item’s message under its list field and keeps the others apart', () => {
    const r = errorsByField({ 'networkIds.0': 'networkIds.0: bad id', name: 'name: too long', _form: 'Main refused' }, new Set(['name', 'networkIds']));
    expect(r.fields).toEqual({ networkIds: 'networkIds.0: bad id', name: 'name: too long' });
    expect(r.rest).toEqual(['Main refused']);
  });
});
