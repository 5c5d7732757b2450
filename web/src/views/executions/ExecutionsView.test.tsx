import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { ExecutionsView, filtersFrom, toLocalInput } from './ExecutionsView';

vi.mock('../../api/stream', () => ({ listen: () => () => undefined }));

function execution(id: number, over: Record<string, unknown> = {}) {
  return {
    id,
    action_ref: 'core.echo',
    attempt: 1,
    created: '2026-01-01T00:00:00Z',
    started: '2026-01-01T00:00:01Z',
    finished: '2026-01-01T00:00:02Z',
    updated: '2026-01-01T00:00:02Z',
    parameters: {},
    status: 'completed',
    ...over,
  };
}

function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.search}</output>;
}

function serve(total: number) {
  const asked: URLSearchParams[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    asked.push(url.searchParams);
    const page = Number(url.searchParams.get('page'));
    const size = Number(url.searchParams.get('page_size'));
    const first = total - (page - 1) * size;
    const rows = Array.from({ length: Math.max(0, Math.min(size, first)) }, (_, i) =>
      execution(first - i, first - i === 3 ? { rule_ref: 'core.on_tick', trigger_ref: 'core.timer', status: 'failed' } : {}),
    );
    return new Response(JSON.stringify({ data: rows, pagination: { page, page_size: size, total } }), {
      headers: { 'content-type': 'application/json' },
    });
  });
  return asked;
}

function page(path: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <ExecutionsView />
        <Where />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('ExecutionsView', () => {
  it('sends the filters of the URL and shows them in the form', async () => {
    const asked = serve(3);
    page('/executions?status=running,failed&action_ref=core.echo&parent=2');
    expect(await screen.findByRole('link', { name: 'Execution 3' })).toHaveAttribute('href', '/executions/3');
    const query = asked[0]!;
    expect(query.get('status')).toBe('running,failed');
    expect(query.get('action_ref')).toBe('core.echo');
    expect(query.get('parent')).toBe('2');
    expect(query.get('page')).toBe('1');
    expect(screen.getByLabelText('Action')).toHaveValue('core.echo');
    expect(screen.getByRole('checkbox', { name: 'running' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'completed' })).not.toBeChecked();
    expect(screen.getByText('Tasks of')).toBeInTheDocument();
    // The origin of a rule's execution links to the rule.
    expect(screen.getByRole('link', { name: 'core.on_tick' })).toHaveAttribute('href', '/rules/core.on_tick');
  });

  it('puts a changed filter in the URL', async () => {
    serve(1);
    page('/executions');
    await screen.findByRole('link', { name: 'Execution 1' });
    fireEvent.click(screen.getByRole('checkbox', { name: 'failed' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'running' }));
    expect(screen.getByTestId('where').textContent).toBe('?status=running%2Cfailed');
    // A click elsewhere closes the status menu.
    const menu = screen.getByText('Status:').closest('details')!;
    menu.open = true;
    fireEvent.click(document.body);
    expect(menu.open).toBe(false);
    fireEvent.change(screen.getByLabelText('Rule'), { target: { value: 'core.on_tick' } });
    await waitFor(() => expect(screen.getByTestId('where').textContent).toContain('rule=core.on_tick'));
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(screen.getByTestId('where').textContent).toBe('');
    expect(screen.getByLabelText('Rule')).toHaveValue('');
  });

  it('renders a window of a long list and loads the next page at its end', async () => {
    const asked = serve(250);
    const { container } = page('/executions');
    await screen.findByRole('link', { name: 'Execution 250' });
    expect(container.querySelectorAll('tr.ex-row').length).toBeLessThan(40);
    expect(screen.getByText('Showing the newest 100 of 250 executions.')).toBeInTheDocument();
    const region = screen.getByRole('region', { name: 'Execution list' });
    region.scrollTop = 100 * 44;
    fireEvent.scroll(region);
    await waitFor(() => expect(asked.some((q) => q.get('page') === '2')).toBe(true));
    await screen.findByText('Showing the newest 200 of 250 executions.');
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText('250 executions.');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('says when nothing matches', async () => {
    serve(0);
    page('/executions?status=timeout');
    expect(await screen.findByText('No executions match these filters.')).toBeInTheDocument();
  });
});

describe('filters', () => {
  it('keep only what is set and valid', () => {
    expect(filtersFrom(new URLSearchParams('status=,running,&action_ref=%20&parent=x&since=2026-01-01T00:00:00Z'))).toEqual({
      status: 'running',
      since: '2026-01-01T00:00:00Z',
    });
    expect(toLocalInput('not a time')).toBe('');
    expect(toLocalInput(new Date(2026, 0, 2, 3, 4).toISOString())).toBe('2026-01-02T03:04');
  });
});
