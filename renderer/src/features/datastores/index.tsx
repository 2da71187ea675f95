import AccountTreeIcon from '@mui/icons-material/AccountTree';
import type { FeatureRoute } from '../route';
import { DatastoresPage } from './DatastoresPage';

export const datastoresRoute: FeatureRoute = { id: 'datastores', label: 'Datastores', icon: <AccountTreeIcon />, Page: DatastoresPage };
