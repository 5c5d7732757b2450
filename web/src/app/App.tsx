// The app: query cache, session, live updates and the routes. Every view has a URL of its
// own (filters in the query string), so any page can be shared and reloaded.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router-dom';
import { ApiError } from '../api/errors';
import { AppRoutes } from './routes';
import { ThemeProvider } from './theme';

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live notices invalidate what changed; no interval polling.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
}

export function App() {
  return (
    <QueryClientProvider client={makeQueryClient()}>
      <ThemeProvider>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </ThemeProvider>
    </QueryClientProvider>
  );
}
