import { AppBar, Box, Chip, Drawer, List, ListItemButton, ListItemIcon, ListItemText, Toolbar, Tooltip, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { call } from '../api/client';
import { useJobEvents } from '../api/jobs';
import { InterruptedBanner } from '../features/activity/InterruptedBanner';
import { PAGES, usePage } from './routes';
import { useStartPage } from '../features/dashboard/start';

const DRAWER = 220;

export function App() {
  const [page, setPage] = usePage();
  const info = useQuery({ queryKey: ['app.info'], queryFn: () => call('app.info', {}) });
  useJobEvents();
  useStartPage();
  const { Page } = page;
  const backend = info.data?.secretBackend;
  return (
    <Box sx={{ display: 'flex', minHeight: '100vh' }}>
      <AppBar position="fixed" color="default" elevation={0} sx={{ zIndex: (t) => t.zIndex.drawer + 1, borderBottom: 1, borderColor: 'divider' }}>
        <Toolbar variant="dense" sx={{ gap: 2 }}>
          <Typography variant="h6" component="div" sx={{ fontWeight: 700, letterSpacing: 0.5 }}>
            Portico
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }}>
            iSCSI storage console
          </Typography>
          {info.data && <Chip size="small" label={info.data.mode === 'browser' ? 'Browser mode' : 'Desktop'} variant="outlined" />}
          {backend && (
            <Tooltip title={backend.note}>
              <Chip size="small" color={backend.protected ? 'success' : 'warning'} label={backend.protected ? 'Secrets protected' : 'Secrets NOT protected'} />
            </Tooltip>
          )}
        </Toolbar>
      </AppBar>
      <Drawer variant="permanent" sx={{ width: DRAWER, flexShrink: 0, '& .MuiDrawer-paper': { width: DRAWER, boxSizing: 'border-box' } }}>
        <Toolbar variant="dense" />
        <nav aria-label="Main">
          <List>
            {PAGES.filter((p) => p.nav !== false).map((p) => (
              <ListItemButton key={p.id} selected={p.id === page.id} onClick={() => setPage(p.id)} aria-current={p.id === page.id ? 'page' : undefined}>
                <ListItemIcon sx={{ minWidth: 40 }}>{p.icon}</ListItemIcon>
                <ListItemText primary={p.label} />
              </ListItemButton>
            ))}
          </List>
        </nav>
      </Drawer>
      <Box component="main" sx={{ flexGrow: 1, p: 3, minWidth: 0 }}>
        <Toolbar variant="dense" />
        {backend && !backend.protected && (
          <Box role="status" sx={{ mb: 2, p: 1.5, borderRadius: 1, bgcolor: 'warning.main', color: 'warning.contrastText' }}>
            {backend.note}
          </Box>
        )}
        <InterruptedBanner onOpenActivity={() => setPage('activity')} onActivity={page.id === 'activity'} />
        <Page />
      </Box>
    </Box>
  );
}
