import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { initApi } from './api/client';
import { App } from './app/App';
import { ThemeRoot } from './app/theme';
import { StartupError } from './app/StartupError';

const root = createRoot(document.getElementById('root')!);
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 } } });

initApi()
  .then(() =>
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <ThemeRoot>
            <App />
          </ThemeRoot>
        </QueryClientProvider>
      </StrictMode>,
    ),
  )
  .catch((e: unknown) =>
    root.render(
      <ThemeRoot>
        <StartupError message={e instanceof Error ? e.message : String(e)} />
      </ThemeRoot>,
    ),
  );
