import CloudQueueIcon from '@mui/icons-material/CloudQueue';
import type { FeatureRoute } from '../route';
import { lazyPage } from '../lazy-page';

const Page = lazyPage('Hosted engine', () => import('./HostedEnginePage').then((m) => m.HostedEnginePage));

export const hostedEngineRoute: FeatureRoute = { id: 'hosted-engine', label: 'Hosted engine', icon: <CloudQueueIcon />, Page };
