import CloudQueueIcon from '@mui/icons-material/CloudQueue';
import type { FeatureRoute } from '../route';
import { HostedEnginePage } from './HostedEnginePage';

export const hostedEngineRoute: FeatureRoute = { id: 'hosted-engine', label: 'Hosted engine', icon: <CloudQueueIcon />, Page: HostedEnginePage };
