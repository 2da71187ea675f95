import CallSplitIcon from '@mui/icons-material/CallSplit';
import type { FeatureRoute } from '../route';
import { BondsPage } from './BondsPage';

export const bondsRoute: FeatureRoute = { id: 'bonds', label: 'Bonds', icon: <CallSplitIcon />, Page: BondsPage };
