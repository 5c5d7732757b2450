import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, page, profile, renderAt, serve } from '../../test-support';
import { RuleEditView } from './RuleEditView';
import { RulesView } from './RulesView';

afterEach(() => vi.unstubAllGlobals());

const trigger = {
  id: 4,
  ref: 'core.webhook',
  label: 'Webhook',
  description: 'Fires when a request is posted.',
  enabled: true,
  pack: 1,
  pack_ref: 'core',
  param_schema: { name: { type: 'string', description: 'Only fire for this webhook name' } },
  payload_schema: { type: 'object', properties: { body: {} } },
  created: '2026-01-01T00:00:00Z',
  updated: '2026-01-01T00:00:00Z',
};

const action = {
  id: 2,
  ref: 'core.echo',
  label: 'Echo',
  pack: 1,
  pack_ref: 'core',
  runner_type: 'shell',
  param_schema: { message: { type: 'string', required: true } },
  created: '2026-01-01T00:00:00Z',
  updated: '2026-01-01T00:00:00Z',
};

function rule(ref: string, enabled: boolean) {
  return {
    id: 1,
    ref,
    label: ref.split('.')[1],
    description: null,
    enabled,
    pack: 1,
    pack_ref: ref.split('.')[0],
    trigger_ref: 'core.webhook',
    trigger_params: { name: 'alerts' },
    criteria: {},
    action_ref: 'core.echo',
    action_params: { message: '{{ event.payload.body.text }}' },
    created: '2026-01-01T00:00:00Z',
    updated: '2026-01-01T00:00:00Z',
  };
}

describe('the rule form', () => {
  function api(post: () => unknown) {
    return serve({
      'GET /api/v1/auth/me': profile('ada', ['*:view,create,modify,delete,execute']),
      'GET /api/v1/triggers': () => page([trigger]),
      'GET /api/v1/actions': () => page([action]),
      'POST /api/v1/rules': post,
    });
  }

  it('catches a JSON mistake before sending anything', async () => {
    const sent = api(() => json(201, { data: rule('core.x', true) }));
    renderAt('/rules/new?trigger=core.webhook', { '/rules/new': <RuleEditView /> });
    await screen.findByRole('heading', { name: 'Parameters of core.webhook' });
    fireEvent.change(screen.getByLabelText('Ref'), { target: { value: 'core.x' } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'core.echo' } });
    fireEvent.change(screen.getByLabelText('Criteria (JSON)'), { target: { value: '{"trigger.body.level": ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    const criteria = screen.getByLabelText('Criteria (JSON)');
    expect(criteria).toHaveAttribute('aria-invalid', 'true');
    expect(criteria).toHaveAccessibleDescription(expect.stringMatching(/Not valid JSON/));
    expect(sent.filter((s) => s.method === 'POST')).toEqual([]);
  });

  it('sends the rule in the API shape and opens its page', async () => {
    const sent = api(() => json(201, { data: rule('core.x', true) }));
    renderAt('/rules/new?trigger=core.webhook&trigger_parameters=%7B%22name%22%3A%22alerts%22%7D', { '/rules/new': <RuleEditView /> });
    await screen.findByRole('heading', { name: 'Parameters of core.webhook' });
    expect(screen.getByLabelText('Trigger parameters (JSON)')).toHaveValue('{"name":"alerts"}');
    fireEvent.change(screen.getByLabelText('Ref'), { target: { value: ' core.x ' } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'core.echo' } });
    await screen.findByRole('heading', { name: 'Parameters of core.echo' });
    fireEvent.click(screen.getByRole('button', { name: 'Insert the parameter names' }));
    expect(screen.getByLabelText('Action parameters (JSON)')).toHaveValue('{\n  "message": ""\n}');
    fireEvent.change(screen.getByLabelText('Action parameters (JSON)'), {
      target: { value: '{"message": "{{ event.payload.body.text }}"}' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/rules/core.x'));
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({
      ref: 'core.x',
      label: null,
      description: null,
      trigger: 'core.webhook',
      trigger_parameters: { name: 'alerts' },
      criteria: {},
      action: 'core.echo',
      parameters: { message: '{{ event.payload.body.text }}' },
      enabled: true,
    });
  });

  it("shows the server's refusal next to the fields it names", async () => {
    api(() =>
      json(422, {
        error: {
          code: 'validation_failed',
          message: 'invalid rule',
          details: { fields: [{ field: 'trigger_parameters', message: 'colour: unknown parameter' }] },
        },
      }),
    );
    renderAt('/rules/new?trigger=core.webhook&action=core.echo&ref=core.x', { '/rules/new': <RuleEditView /> });
    await screen.findByRole('heading', { name: 'Parameters of core.echo' });
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    const field = screen.getByLabelText('Trigger parameters (JSON)');
    await waitFor(() => expect(field).toHaveAttribute('aria-invalid', 'true'));
    expect(field).toHaveAccessibleDescription(expect.stringContaining('colour: unknown parameter'));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('the rules list', () => {
  it('toggles a rule for a caller who may modify rules, and shows none to one who may not', async () => {
    let enabled = true;
    const sent = serve({
      'GET /api/v1/auth/me': profile('olga', ['*:view', 'rule@core:modify']),
      'GET /api/v1/rules': () => page([rule('core.a', enabled), rule('other.b', true)]),
      'POST /api/v1/rules/core.a/disable': () => {
        enabled = false;
        return { data: rule('core.a', false) };
      },
    });
    renderAt('/rules?enabled=true', { '/rules': <RulesView /> });
    const row = (await screen.findByRole('link', { name: 'core.a' })).closest('tr')!;
    await userEvent.click(await within(row as HTMLElement).findByRole('button', { name: 'Disable rule core.a' }));
    await screen.findByText('Rule core.a disabled.');
    await waitFor(() => expect(within(row as HTMLElement).getByText('disabled')).toBeInTheDocument());
    // Only in its pack; and no "New rule" without create.
    expect(screen.queryByRole('button', { name: 'Disable rule other.b' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'New rule' })).toBeNull();
    expect(sent.find((s) => s.path === '/api/v1/rules')?.query.get('enabled')).toBe('true');
  });
});
