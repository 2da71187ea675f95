import HistoryIcon from '@mui/icons-material/History';
import type { FeatureRoute } from '../route';
import { lazyPage } from '../lazy-page';

const Page = lazyPage('Activity', () => import('./ActivityPage').then((m) => m.ActivityPage));

export const activityRoute: FeatureRoute = { id: 'activity', label: 'Activity', icon: <HistoryIcon />, Page };
