// The Bonds page: data centers (hosts in them), then for the open one its logical networks, the
// NIC of each host on each, its storage connections and its bonds. Deep links:
// #/bonds/<dcId>, #/bonds/<dcId>/new, #/bonds/<dcId>/edit/<bondId>, #/bonds/<dcId>/matrix/<bondId>.
import { Alert, Box, Button, CircularProgress, Stack, Typography } from '@mui/material';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { pageHref, useRouteParams } from '../../app/routes';
import { useHosts } from '../hosts/api';
import { useOverview, useRefreshOverview } from './api';
import { DataCentersSection } from './DataCenters';
import { HostInterfacesSection, NetworksSection } from './Networks';
import { ConnectionsSection } from './Connections';
import { BondsSection } from './BondsList';
import { BondWizard } from './BondWizard';
import { PathMatrix } from './PathMatrix';

const go = (...params: string[]) => (window.location.hash = pageHref('bonds', ...params));

export function BondsPage() {
  const overview = useOverview();
  const hosts = useHosts();
  const refresh = useRefreshOverview();
  const [dcParam, sub, bondId] = useRouteParams();
  const header = <PageHeader title="Bonds" subtitle="iSCSI multipath: every host of a data center reaches every target of a bond through every network of it." />;
  if (overview.isPending) return <>{header}<CircularProgress aria-label="Loading" /></>;
  if (overview.isError) return <>{header}<Alert severity="error">{overview.error.message}</Alert></>;
  const o = overview.data;
  const dc = o.dataCenters.find((d) => d.id === dcParam) ?? (o.dataCenters.length === 1 ? o.dataCenters[0] : undefined);
  const bond = bondId ? o.bonds.find((b) => b.id === bondId) : undefined;

  if (dc && (sub === 'new' || (sub === 'edit' && bond))) {
    return (
      <>
        {header}
        <BondWizard key={`${sub}-${bondId ?? ''}`} o={o} dc={dc} bond={sub === 'edit' ? bond! : null} onClose={() => { void refresh(); go(dc.id); }} />
      </>
    );
  }
  if (dc && sub === 'matrix' && bond) {
    return (
      <>
        {header}
        <Box sx={{ mb: 2 }}><Button href={pageHref('bonds', dc.id)}>← Data center {dc.name}</Button></Box>
        <PathMatrix o={o} bondId={bond.id} />
      </>
    );
  }
  if (o.hosts.length === 0 && o.dataCenters.length === 0) {
    return (
      <>
        {header}
        <EmptyState title="Add hypervisors on two storage networks first" action={<Button variant="contained" href={pageHref('hosts')}>Go to Hosts</Button>}>
          A bond makes every host reach every target over every network in it. Add your hypervisor hosts on the Hosts page, then group them in a data center here.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      {header}
      <Stack spacing={2}>
        <DataCentersSection o={o} selected={dc?.id ?? null} onOpen={(id) => go(id)} onChanged={() => void refresh()} />
        {dc && (
          <>
            <Typography variant="h5" component="h2" sx={{ pt: 1 }}>Data center {dc.name}</Typography>
            <NetworksSection o={o} dc={dc} onChanged={() => void refresh()} />
            <HostInterfacesSection o={o} dc={dc} hosts={hosts.data ?? []} onChanged={() => void refresh()} />
            <ConnectionsSection o={o} dc={dc} hosts={hosts.data ?? []} onChanged={() => void refresh()} />
            <BondsSection o={o} dc={dc} onChanged={() => void refresh()} />
          </>
        )}
      </Stack>
    </>
  );
}
