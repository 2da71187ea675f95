import StorageIcon from '@mui/icons-material/Storage';
import type { FeatureRoute } from '../route';
import { lazyPage } from '../lazy-page';

const Page = lazyPage('Targets', () => import('./TargetsPage').then((m) => m.TargetsPage));

export const targetsRoute: FeatureRoute = { id: 'targets', label: 'Targets', icon: <StorageIcon />, Page };
