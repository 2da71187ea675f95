import { type ReactNode, useMemo } from 'react';
import { createTheme, CssBaseline, ThemeProvider, useMediaQuery } from '@mui/material';

/** Light and dark follow the system setting. */
export function ThemeRoot({ children }: { children: ReactNode }) {
  const dark = useMediaQuery('(prefers-color-scheme: dark)');
  const theme = useMemo(
    () =>
      createTheme({
        palette: { mode: dark ? 'dark' : 'light', primary: { main: dark ? '#7fb4ff' : '#1f5fbf' }, secondary: { main: '#0f8a7e' } },
        shape: { borderRadius: 6 },
        typography: { fontFamily: 'system-ui, "DejaVu Sans", sans-serif', h5: { fontWeight: 600 } },
        components: { MuiButton: { defaultProps: { disableElevation: true } } },
      }),
    [dark],
  );
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      {children}
    </ThemeProvider>
  );
}
