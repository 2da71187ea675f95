import AccountTreeIcon from '@mui/icons-material/AccountTree';
import type { FeatureRoute } from '../route';
import { lazyPage } from '../lazy-page';

const Page = lazyPage('Datastores', () => import('./DatastoresPage').then((m) => m.DatastoresPage));

export const datastoresRoute: FeatureRoute = { id: 'datastores', label: 'Datastores', icon: <AccountTreeIcon />, Page };
