// The actions, inquiries and packs views against a fake API.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useParams } from 'react-router-dom';
import { json, page, profile, renderAt, serve } from '../test-support';
import { ActionsView, ActionView } from './ActionsView';
import { InquiriesView, InquiryView } from './InquiriesView';
import { PackView } from './PacksView';

const now = new Date().toISOString();
const VIEWER = ['*:view'];
const OPERATOR = ['*:view', 'action:execute', 'inquiry:respond'];

function action(ref: string, extra: object = {}) {
  return {
    id: 1,
    ref,
    pack: 1,
    pack_ref: ref.split('.')[0],
    label: 'Echo',
    description: 'Prints a message.',
    runner_type: 'shell',
    entry_point: 'echo.sh',
    param_schema: { message: { type: 'string', required: true }, times: { type: 'integer', minimum: 1 } },
    output_format: 'text',
    limits: {},
    secrets: [],
    allowed_hosts: [],
    idempotent: false,
    timeout_s: 10,
    created: now,
    updated: now,
    ...extra,
  };
}

function ExecutionStub() {
  const { id } = useParams();
  return <h1>Execution {id}</h1>;
}

const routes = {
  '/actions': <ActionsView />,
  '/actions/:ref': <ActionView />,
  '/executions/:id': <ExecutionStub />,
  '/inquiries': <InquiriesView />,
  '/inquiries/:id': <InquiryView />,
  '/packs/:ref': <PackView />,
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('actions', () => {
  it('are listed by the pack in the URL', async () => {
    const calls = serve({
      '/api/v1/packs': () => page([{ ref: 'core' }, { ref: 'tools' }]),
      '/api/v1/actions': () => page([action('tools.echo')]),
    });
    renderAt('/actions?pack=tools', routes);
    expect(await screen.findByRole('link', { name: 'tools.echo' })).toHaveAttribute('href', '/actions/tools.echo');
    expect(calls.find((c) => c.path === '/api/v1/actions')?.query.get('pack')).toBe('tools');
    expect(screen.getByLabelText('Pack')).toHaveValue('tools');
  });

  it('show a viewer what an action is, and no Run button', async () => {
    serve({
      '/api/v1/auth/me': profile('ann', VIEWER),
      '/api/v1/actions/tools.echo': () => ({ data: action('tools.echo') }),
      '/api/v1/executions': () => page([]),
    });
    renderAt('/actions/tools.echo', routes);
    expect(await screen.findByText('You may view this action but not run it.', { exact: false })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Run' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'tools.echo', level: 1 })).toBeInTheDocument();
    expect(within(screen.getByRole('table', { name: 'Parameters of tools.echo' })).getByText('message')).toBeInTheDocument();
    expect(screen.getByText('echo.sh')).toBeInTheDocument();
  });

  it('run with the typed parameters and open the new execution', async () => {
    const user = userEvent.setup();
    const calls = serve({
      '/api/v1/auth/me': profile('ann', OPERATOR),
      '/api/v1/actions/tools.echo': () => ({ data: action('tools.echo') }),
      '/api/v1/executions': () => page([]),
      'POST /api/v1/actions/tools.echo/execute': () => json(201, { data: { id: 42, action_ref: 'tools.echo', status: 'requested' } }),
    });
    renderAt('/actions/tools.echo', routes);
    await user.type(await screen.findByLabelText('message'), 'hi');
    await user.type(screen.getByLabelText('times'), '3');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByRole('heading', { name: 'Execution 42' })).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ parameters: { message: 'hi', times: 3 } });
  });

  it("show the server's 422 on the fields it names", async () => {
    const user = userEvent.setup();
    serve({
      '/api/v1/auth/me': profile('ann', OPERATOR),
      '/api/v1/actions/tools.echo': () => ({ data: action('tools.echo') }),
      '/api/v1/executions': () => page([]),
      'POST /api/v1/actions/tools.echo/execute': () =>
        json(422, {
          error: {
            code: 'validation_failed',
            message: 'invalid parameters',
            details: { fields: [{ field: 'message', message: 'value is too long' }] },
          },
        }),
    });
    renderAt('/actions/tools.echo', routes);
    const message = await screen.findByLabelText('message');
    await user.type(message, 'hi');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByText('value is too long')).toHaveClass('field-error');
    expect(message).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('heading', { name: 'tools.echo', level: 1 })).toBeInTheDocument();
  });

  it('explain a refusal to run', async () => {
    const user = userEvent.setup();
    serve({
      '/api/v1/auth/me': profile('ann', OPERATOR),
      '/api/v1/actions/tools.echo': () => ({ data: action('tools.echo', { param_schema: {} }) }),
      '/api/v1/executions': () => page([]),
      'POST /api/v1/actions/tools.echo/execute': () =>
        json(403, { error: { code: 'forbidden', message: 'needs execute on action in pack tools' } }),
    });
    renderAt('/actions/tools.echo', routes);
    expect(await screen.findByText('This action takes no parameters.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Not allowed to run this action');
  });

  it('link a workflow action to its workflow', async () => {
    serve({
      '/api/v1/auth/me': profile('ann', VIEWER),
      '/api/v1/actions/tools.flow': () => ({ data: action('tools.flow', { runner_type: 'workflow', entry_point: null }) }),
      '/api/v1/executions': () => page([]),
    });
    renderAt('/actions/tools.flow', routes);
    expect(await screen.findByRole('link', { name: 'View the workflow' })).toHaveAttribute('href', '/workflows/tools.flow');
  });
});

function inquiry(extra: object = {}) {
  return {
    id: 5,
    prompt: 'Ship it?',
    response_schema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] },
    assignees: { identities: [], permission_sets: [] },
    status: 'pending',
    execution: 9,
    pack_ref: 'core',
    created: now,
    updated: now,
    ...extra,
  };
}

describe('inquiries', () => {
  it('are listed pending first, with the status in the URL', async () => {
    const calls = serve({ '/api/v1/inquiries': () => page([inquiry()]) });
    renderAt('/inquiries', routes);
    expect(await screen.findByRole('link', { name: '#5' })).toHaveAttribute('href', '/inquiries/5');
    expect(screen.getByRole('link', { name: 'Execution 9' })).toHaveAttribute('href', '/executions/9');
    expect(calls.find((c) => c.path === '/api/v1/inquiries')?.query.get('status')).toBe('pending');
  });

  it('list every status when asked', async () => {
    const calls = serve({ '/api/v1/inquiries': () => page([]) });
    renderAt('/inquiries?status=all', routes);
    expect(await screen.findByText('No inquiries.')).toBeInTheDocument();
    expect(calls.find((c) => c.path === '/api/v1/inquiries')?.query.has('status')).toBe(false);
  });

  it('are answered through a form built from their schema', async () => {
    const user = userEvent.setup();
    let answered = false;
    const calls = serve({
      '/api/v1/auth/me': profile('ann', OPERATOR),
      '/api/v1/inquiries/5': () => ({ data: answered ? inquiry({ status: 'responded', response: { approved: true }, responded_by: 'ann' }) : inquiry() }),
      '/api/v1/executions/9': () => ({ data: { id: 9, action_ref: 'core.ask', status: answered ? 'completed' : 'pending', parameters: {} } }),
      'POST /api/v1/inquiries/5/respond': () => {
        answered = true;
        return { data: inquiry({ status: 'responded', response: { approved: true }, responded_by: 'ann' }) };
      },
    });
    renderAt('/inquiries/5', routes);
    expect(await screen.findByText('Ship it?')).toBeInTheDocument();
    expect(screen.getByText('anyone who may respond to inquiries of core')).toBeInTheDocument();
    await user.click(await screen.findByLabelText('approved'));
    await user.click(screen.getByRole('button', { name: 'Respond' }));
    expect(await screen.findByText('Answered by')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ response: { approved: true } });
    expect(screen.queryByRole('button', { name: 'Respond' })).toBeNull();
  });

  it('let an assignee answer without a respond grant, and no one else', async () => {
    serve({
      '/api/v1/auth/me': profile('bob', VIEWER, ['approvers']),
      '/api/v1/inquiries/5': () => ({ data: inquiry({ assignees: { identities: ['cy'], permission_sets: ['approvers'] } }) }),
      '/api/v1/inquiries/6': () => ({ data: inquiry({ id: 6, assignees: { identities: ['cy'], permission_sets: [] } }) }),
      '/api/v1/executions/9': () => ({ data: { id: 9, action_ref: 'core.ask', status: 'pending', parameters: {} } }),
    });
    const first = renderAt('/inquiries/5', routes);
    expect(await screen.findByRole('button', { name: 'Respond' })).toBeInTheDocument();
    first.unmount();
    renderAt('/inquiries/6', routes);
    expect(await screen.findByText(/You may view this inquiry but not answer it/)).toHaveTextContent('assigned to cy');
    expect(screen.queryByRole('button', { name: 'Respond' })).toBeNull();
  });

  it('show the reason an answer was refused', async () => {
    const user = userEvent.setup();
    serve({
      '/api/v1/auth/me': profile('ann', OPERATOR),
      '/api/v1/inquiries/5': () => ({ data: inquiry() }),
      '/api/v1/executions/9': () => ({ data: { id: 9, action_ref: 'core.ask', status: 'pending', parameters: {} } }),
      'POST /api/v1/inquiries/5/respond': () =>
        json(422, {
          error: {
            code: 'validation_failed',
            message: 'the answer does not fit the schema',
            details: { fields: [{ field: '/approved', message: 'true was expected' }] },
          },
        }),
    });
    renderAt('/inquiries/5', routes);
    await user.click(await screen.findByRole('button', { name: 'Respond' }));
    expect(await screen.findByText('true was expected')).toHaveClass('field-error');
    expect(screen.getByLabelText('approved')).toHaveAttribute('aria-invalid', 'true');
  });
});

describe('a pack', () => {
  it('lists its components, each linking to its page', async () => {
    const calls = serve({
      '/api/v1/auth/me': profile('ann', VIEWER),
      '/api/v1/packs/tools': () => ({
        data: { id: 1, ref: 'tools', label: 'Tools', version: '1.2.0', config: {}, config_schema: {}, runtime_deps: [], tags: [], is_standard: false, created: now, updated: now },
      }),
      '/api/v1/actions': () => page([action('tools.echo')]),
      '/api/v1/triggers': () => page([{ ref: 'tools.tick', label: 'Tick' }]),
      '/api/v1/sensors': () => page([{ ref: 'tools.ticker', label: 'Ticker', enabled: true, status: 'running' }]),
      '/api/v1/rules': () => page([{ ref: 'tools.on_tick', label: 'On tick', trigger_ref: 'tools.tick', action_ref: 'tools.echo', enabled: false }]),
      '/api/v1/workflows': () => page([{ ref: 'tools.flow', label: 'Flow' }]),
      '/api/v1/packs/tools/versions': () => ({ data: [{ id: 1, pack_ref: 'tools', version: '1.2.0', digest: 'sha256:abc', size: 2048, manifest: {}, created: now }] }),
    });
    renderAt('/packs/tools', routes);
    expect(await screen.findByRole('link', { name: 'tools.echo' })).toHaveAttribute('href', '/actions/tools.echo');
    expect(await screen.findByRole('link', { name: 'tools.on_tick' })).toHaveAttribute('href', '/rules/tools.on_tick');
    expect(await screen.findByRole('link', { name: 'tools.flow' })).toHaveAttribute('href', '/workflows/tools.flow');
    expect(await screen.findByRole('link', { name: 'tools.tick' })).toHaveAttribute('href', '/triggers?ref=tools.tick');
    expect(await screen.findByRole('link', { name: 'tools.ticker' })).toHaveAttribute('href', '/sensors?pack=tools');
    expect(await screen.findByRole('table', { name: 'Versions of tools' })).toHaveTextContent('sha256:abc');
    for (const path of ['/api/v1/actions', '/api/v1/triggers', '/api/v1/sensors', '/api/v1/rules', '/api/v1/workflows']) {
      expect(calls.find((c) => c.path === path)?.query.get('pack')).toBe('tools');
    }
  });
});
