import HistoryIcon from '@mui/icons-material/History';
import type { FeatureRoute } from '../route';
import { ActivityPage } from './ActivityPage';

export const activityRoute: FeatureRoute = { id: 'activity', label: 'Activity', icon: <HistoryIcon />, Page: ActivityPage };
