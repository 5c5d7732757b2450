import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useParams } from 'react-router-dom';
import { conditionText, WorkflowGraph, WorkflowTasks, type TaskView } from './WorkflowGraph';

function task(name: string, over: Partial<TaskView>): TaskView {
  return {
    name,
    action: 'examples-wasm.echo',
    inquiry: false,
    next: [],
    retries: 0,
    runs: [],
    start: false,
    with_items: false,
    ...over,
  };
}

const run = (execution: number, status: TaskView['runs'][number]['status'] = 'completed') => ({
  attempts: 1,
  execution,
  id: execution,
  round: 1,
  status,
  started: '2026-01-01T00:00:00Z',
  finished: '2026-01-01T00:00:01Z',
});

const fanOut: TaskView[] = [
  task('both', { join: 'all' as unknown as Record<string, unknown>, state: 'running', runs: [run(6, 'running')] }),
  task('first', {
    start: true,
    state: 'succeeded',
    runs: [run(3)],
    next: [{ when: '{{ succeeded() }}', publish: ['said'], to: ['shout', 'repeat'] }],
  }),
  task('repeat', { state: 'succeeded', runs: [run(4)], next: [{ publish: ['again'], to: ['both'] }] }),
  task('shout', {
    action: 'examples-wasm.upcase',
    state: 'failed',
    runs: [{ ...run(5, 'failed'), attempts: 2 }],
    next: [{ publish: ['loud'], to: ['both'] }],
  }),
];

function Child() {
  const { id } = useParams();
  return <h1>Execution {id}</h1>;
}

function renderGraph(tasks: TaskView[], live: boolean) {
  return render(
    <MemoryRouter initialEntries={['/executions/2']}>
      <Routes>
        <Route path="/executions/2" element={<WorkflowGraph tasks={tasks} run={live} label="Graph" direction="LR" />} />
        <Route path="/executions/:id" element={<Child />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('WorkflowGraph', () => {
  it('draws every task with its state as a link to its child execution', () => {
    renderGraph(fanOut, true);
    const graph = screen.getByRole('group', { name: 'Graph: 4 tasks' });
    const links = within(graph).getAllByRole('link');
    expect(links.map((l) => l.getAttribute('aria-label')).sort()).toEqual([
      'both: running',
      'first: succeeded',
      'repeat: succeeded',
      'shout: failed',
    ]);
    const shout = screen.getByRole('link', { name: 'shout: failed' });
    expect(shout).toHaveClass('wf-tone-bad');
    expect(shout).toHaveAttribute('tabindex', '0');
    // The state word is drawn, not only the colour; retries show.
    expect(within(shout).getByText('failed · 2 attempts')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'first: succeeded' })).toHaveClass('wf-tone-ok');
    // Conditions label their edges, without the template braces.
    expect(screen.getAllByText('succeeded()')).toHaveLength(2);
  });

  it('follows a task to its child execution by click or by keyboard', () => {
    renderGraph(fanOut, true);
    fireEvent.click(screen.getByRole('link', { name: 'repeat: succeeded' }));
    expect(screen.getByRole('heading', { name: 'Execution 4' })).toBeInTheDocument();
  });

  it('follows a task with Enter', () => {
    renderGraph(fanOut, true);
    const shout = screen.getByRole('link', { name: 'shout: failed' });
    shout.focus();
    fireEvent.keyDown(shout, { key: 'Enter' });
    expect(screen.getByRole('heading', { name: 'Execution 5' })).toBeInTheDocument();
  });

  it('shows a definition without states or links', () => {
    const definition = fanOut.map((t) => ({ ...t, state: null, runs: [] }));
    renderGraph(definition, false);
    expect(screen.queryAllByRole('link')).toHaveLength(0);
    expect(screen.getByRole('img', { name: 'shout: examples-wasm.upcase' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'first: examples-wasm.echo' })).toHaveTextContent('start');
    expect(screen.getByRole('img', { name: 'both: examples-wasm.echo' })).toHaveTextContent('join all');
  });

  it('lists the tasks in the order of the graph, with links to their executions', () => {
    render(
      <MemoryRouter>
        <WorkflowTasks tasks={fanOut} run />
      </MemoryRouter>,
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('td')!.textContent)).toEqual(['first', 'shout', 'repeat', 'both']);
    expect(screen.getByRole('link', { name: 'Execution 5 of task shout' })).toHaveAttribute('href', '/executions/5');
  });

  it('says so when there is nothing to draw', () => {
    renderGraph([], true);
    expect(screen.getByText('This workflow has no tasks.')).toBeInTheDocument();
  });
});

describe('conditionText', () => {
  it('drops the template braces', () => {
    expect(conditionText('{{ succeeded() and result().approved }}')).toBe('succeeded() and result().approved');
    expect(conditionText('plain')).toBe('plain');
  });
});
