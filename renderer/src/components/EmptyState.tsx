import type { ReactNode } from 'react';
import { Box, Typography } from '@mui/material';

/** What an empty page shows: what this page is for and the one thing to do next. */
export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Box sx={{ border: 1, borderColor: 'divider', borderStyle: 'dashed', borderRadius: 2, p: 5, textAlign: 'center', maxWidth: 720, mx: 'auto', mt: 4 }}>
      <Typography variant="h6" component="h2" gutterBottom>
        {title}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: action ? 3 : 0 }}>
        {children}
      </Typography>
      {action}
    </Box>
  );
}
