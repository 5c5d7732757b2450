import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { Layout } from './Layout';
import { ThemeProvider } from './theme';

function me(grants: unknown[]) {
  return new Response(
    JSON.stringify({
      data: { id: 1, login: 'pat', display_name: 'Pat', enabled: true, attributes: {}, created: '', updated: '', permission_sets: ['runners'], grants },
    }),
    { headers: { 'content-type': 'application/json' } },
  );
}

function renderLayout() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ThemeProvider>
        <MemoryRouter initialEntries={['/actions']}>
          <Routes>
            <Route element={<Layout />}>
              <Route path="actions" element={<p>the page</p>} />
            </Route>
          </Routes>
        </MemoryRouter>
      </ThemeProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

it('shows only the pages the grants allow, and who is signed in', async () => {
  vi.stubGlobal('fetch', vi.fn(async () => me([{ resource: 'action', pack: 'core', verbs: ['view', 'execute'] }])));
  renderLayout();
  const nav = screen.getByRole('navigation', { name: 'Main' });
  expect(await within(nav).findByRole('link', { name: 'Actions' })).toHaveAttribute('aria-current', 'page');
  expect(within(nav).queryByRole('link', { name: 'Rules' })).toBeNull();
  expect(within(nav).queryByRole('link', { name: 'Identities' })).toBeNull();
  expect(screen.getByText('Pat')).toBeInTheDocument();
  expect(screen.getByText('the page')).toBeInTheDocument();
});

it('switches theme and opens the menu from the keyboard', async () => {
  vi.stubGlobal('fetch', vi.fn(async () => me([{ resource: '*', verbs: ['view'] }])));
  const user = userEvent.setup();
  renderLayout();
  const toggle = screen.getByRole('button', { name: /Use the (dark|light) theme/ });
  const before = document.documentElement.dataset.theme;
  await user.click(toggle);
  expect(document.documentElement.dataset.theme).not.toBe(before);
  const menu = screen.getByRole('button', { name: 'Menu' });
  expect(menu).toHaveAttribute('aria-expanded', 'false');
  menu.focus();
  await user.keyboard('{Enter}');
  expect(menu).toHaveAttribute('aria-expanded', 'true');
  expect(await screen.findByRole('link', { name: 'Identities' })).toBeInTheDocument();
});
