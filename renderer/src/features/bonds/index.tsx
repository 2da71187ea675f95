import CallSplitIcon from '@mui/icons-material/CallSplit';
import type { FeatureRoute } from '../route';
import { lazyPage } from '../lazy-page';

const Page = lazyPage('Bonds', () => import('./BondsPage').then((m) => m.BondsPage));

export const bondsRoute: FeatureRoute = { id: 'bonds', label: 'Bonds', icon: <CallSplitIcon />, Page };
