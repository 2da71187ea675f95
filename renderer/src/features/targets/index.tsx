import StorageIcon from '@mui/icons-material/Storage';
import type { FeatureRoute } from '../route';
import { TargetsPage } from './TargetsPage';

export const targetsRoute: FeatureRoute = { id: 'targets', label: 'Targets', icon: <StorageIcon />, Page: TargetsPage };
