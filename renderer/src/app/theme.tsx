import { type ReactNode, useMemo } from 'react';
import { createTheme, CssBaseline, ThemeProvider, useMediaQuery } from '@mui/material';

/**
 * Focus ring (WCAG 2.2 focus appearance, 2.4.13): a solid 3 px outline 2 px off the control, in a
 * colour with at least 3:1 contrast against the page in each scheme (light: #1f5fbf on white is
 * 6.4:1; dark: #9cc6ff on #121212 is 10:1). Text fields keep MUI's own 2 px focused border, which
 * already changes from the 1 px grey one; everything else reached by the keyboard gets the ring.
 */
export function focusRing(dark: boolean) {
  const color = dark ? '#9cc6ff' : '#1f5fbf';
  return { outline: `3px solid ${color}`, outlineOffset: 2 } as const;
}

/** Light and dark follow the system setting. */
export function ThemeRoot({ children }: { children: ReactNode }) {
  const dark = useMediaQuery('(prefers-color-scheme: dark)');
  const theme = useMemo(() => {
    const ring = focusRing(dark);
    return createTheme({
      palette: { mode: dark ? 'dark' : 'light', primary: { main: dark ? '#7fb4ff' : '#1f5fbf' }, secondary: { main: '#0f8a7e' } },
      shape: { borderRadius: 6 },
      typography: { fontFamily: 'system-ui, "DejaVu Sans", sans-serif', h5: { fontWeight: 600 } },
      components: {
        MuiButton: { defaultProps: { disableElevation: true } },
        MuiCssBaseline: {
          styleOverrides: {
            // Links, rows and anything else focusable by the keyboard (inputs have their border).
            '*:focus-visible:not(input):not(textarea)': ring,
          },
        },
        // Buttons, checkboxes, radios, switches, tabs and list items are ButtonBase: MUI marks their
        // keyboard focus with .Mui-focusVisible (a ripple alone is too faint to count).
        MuiButtonBase: { styleOverrides: { root: { '&.Mui-focusVisible': ring } } },
        // A checkbox/radio/switch focuses its hidden input; the ring goes on the visible control.
        MuiCheckbox: { styleOverrides: { root: { '&.Mui-focusVisible': ring } } },
        MuiRadio: { styleOverrides: { root: { '&.Mui-focusVisible': ring } } },
        MuiSwitch: { styleOverrides: { switchBase: { '&.Mui-focusVisible .MuiSwitch-thumb': ring } } },
      },
    });
  }, [dark]);
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      {children}
    </ThemeProvider>
  );
}
