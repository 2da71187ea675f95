// The startup bench's floor: the console's stack (React 19 + MUI with a theme and CssBaseline,
// bundled by the same vite + React plugin), one button, and the same kind of response to its click
// as the Hosts page's "Add host" (an MUI dialog opens). No API, no data.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Button, createTheme, CssBaseline, Dialog, DialogContent, DialogTitle, ThemeProvider } from '@mui/material';

const theme = createTheme({ palette: { primary: { main: '#1f5fbf' } }, components: { MuiButton: { defaultProps: { disableElevation: true } } } });

function Minimal() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="contained" onClick={() => setOpen(true)}>
        Add host
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="minimal-title">
        <DialogTitle id="minimal-title">Add host</DialogTitle>
        <DialogContent>Clicked.</DialogContent>
      </Dialog>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <Minimal />
    </ThemeProvider>
  </StrictMode>,
);
