import DashboardIcon from '@mui/icons-material/Dashboard';
import AssistantIcon from '@mui/icons-material/AssistantDirection';
import type { FeatureRoute } from '../route';
import { lazyPage } from '../lazy-page';

const Dashboard = lazyPage('Dashboard', () => import('./DashboardPage').then((m) => m.DashboardPage));
const Setup = lazyPage('Setup', () => import('./SetupPage').then((m) => m.SetupPage));

export const dashboardRoute: FeatureRoute = { id: 'dashboard', label: 'Dashboard', icon: <DashboardIcon />, Page: Dashboard };
export const setupRoute: FeatureRoute = { id: 'setup', label: 'Setup assistant', icon: <AssistantIcon />, Page: Setup, nav: false };
