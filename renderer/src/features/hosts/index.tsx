import DnsIcon from '@mui/icons-material/Dns';
import type { FeatureRoute } from '../route';
import { HostsPage } from './HostsPage';

export const hostsRoute: FeatureRoute = { id: 'hosts', label: 'Hosts', icon: <DnsIcon />, Page: HostsPage };
