import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { checkField, fieldsOf, placeServerErrors } from './schemaFields';
import { SchemaForm, type SchemaFormProps } from './SchemaForm';

/** Renders a form; `onSubmit` records what it was given. */
function renderForm(props: Partial<SchemaFormProps> & { schema: unknown }) {
  const onSubmit = vi.fn();
  const utils = render(<SchemaForm submitLabel="Run" onSubmit={onSubmit} {...props} />);
  return { onSubmit, user: userEvent.setup(), ...utils };
}

/** The error text linked to a control by aria-describedby, if any. */
function errorOf(control: HTMLElement): string | null {
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  for (const id of ids) {
    const element = document.getElementById(id);
    if (element?.classList.contains('field-error')) return element.textContent;
  }
  return null;
}

const FLAT = {
  message: { type: 'string', required: true, description: 'What to say' },
  count: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
  ratio: { type: 'number' },
  loud: { type: 'boolean', default: true },
  color: { type: 'string', enum: ['red', 'green'], default: 'green' },
  token: { type: 'string', secret: true },
  tags: { type: 'array', items: { type: 'string' } },
  ports: { type: 'array', items: { type: 'integer' } },
  headers: { type: 'object', default: { a: 1 } },
  rows: { type: 'array', items: { type: 'object' } },
  anything: { description: 'Any JSON' },
};

describe('SchemaForm fields', () => {
  it('renders a control per type, with labels, required marks and hints', () => {
    renderForm({ schema: FLAT });
    const message = screen.getByLabelText('message');
    expect(message).toHaveAttribute('type', 'text');
    expect(message).toHaveAttribute('aria-required', 'true');
    expect(message).toHaveAccessibleDescription('What to say.');
    expect(screen.getByText('*')).toHaveAttribute('aria-hidden', 'true');

    const count = screen.getByLabelText('count');
    expect(count).toHaveAttribute('type', 'number');
    expect(count).toHaveAttribute('min', '1');
    expect(count).toHaveAttribute('max', '10');
    expect(count).toHaveAttribute('step', '1');
    expect(count).not.toHaveAttribute('aria-required');
    expect(screen.getByLabelText('ratio')).toHaveAttribute('step', 'any');

    expect(screen.getByLabelText('loud')).toHaveAttribute('type', 'checkbox');
    expect(screen.getByLabelText('color').tagName).toBe('SELECT');
    expect(screen.getByLabelText('token')).toHaveAttribute('type', 'password');
    expect(screen.getByLabelText('tags').tagName).toBe('TEXTAREA');
    expect(screen.getByLabelText('tags')).toHaveAccessibleDescription('One item per line.');
    expect(screen.getByLabelText('headers')).toHaveAccessibleDescription('A JSON object.');
    expect(screen.getByLabelText('rows')).toHaveAccessibleDescription('A JSON array.');
    expect(screen.getByLabelText('anything')).toHaveAccessibleDescription('Any JSON. A JSON value.');
  });

  it('lists required fields first', () => {
    renderForm({ schema: { b: { type: 'string' }, a: { type: 'string', required: true } } });
    const labels = screen.getAllByRole('textbox').map((box) => box.getAttribute('name'));
    expect(labels).toEqual(['a', 'b']);
  });

  it('prefills defaults', () => {
    renderForm({ schema: { ...FLAT, hosts: { type: 'array', items: { type: 'string' }, default: ['web-1', 'db-1'] } } });
    expect(screen.getByLabelText('count')).toHaveValue(3);
    expect(screen.getByLabelText('loud')).toBeChecked();
    expect(screen.getByLabelText('color')).toHaveDisplayValue('green');
    expect(screen.getByLabelText('headers')).toHaveValue(JSON.stringify({ a: 1 }, null, 2));
    expect(screen.getByLabelText('hosts')).toHaveValue('web-1\ndb-1');
    expect(screen.getByLabelText('message')).toHaveValue('');
  });

  it('offers the values of an enum, with a blank choice only when one may leave it blank', () => {
    renderForm({
      schema: {
        method: { type: 'string', enum: ['GET', 'POST'], default: 'GET', required: true },
        style: { type: 'string', enum: ['grid', 'plain'] },
        level: { type: 'integer', enum: [1, 2, 3], required: true },
      },
    });
    const method = within(screen.getByLabelText('method')).getAllByRole('option');
    expect(method.map((o) => o.textContent)).toEqual(['GET', 'POST']);
    const style = within(screen.getByLabelText('style')).getAllByRole('option');
    expect(style.map((o) => o.textContent)).toEqual(['(none)', 'grid', 'plain']);
    const level = within(screen.getByLabelText('level')).getAllByRole('option');
    expect(level.map((o) => o.textContent)).toEqual(['Choose…', '1', '2', '3']);
  });

  it('never prefills a secret, and says an empty one keeps the default', () => {
    renderForm({ schema: { password: { type: 'string', secret: true, default: 'hunter2' } } });
    const password = screen.getByLabelText('password');
    expect(password).toHaveAttribute('type', 'password');
    expect(password).toHaveValue('');
    expect(password).toHaveAccessibleDescription('Leave empty to use the default.');
  });

  it('uses a textarea for long strings and shows titles with the name', () => {
    renderForm({ schema: { body: { type: 'string', multiline: true, title: 'Body text' } } });
    const body = screen.getByLabelText(/Body text/);
    expect(body.tagName).toBe('TEXTAREA');
    expect(screen.getByText('body')).toHaveClass('schema-field-name');
  });

  it('reads a JSON Schema object: properties and its required list', () => {
    renderForm({
      schema: {
        type: 'object',
        properties: { approved: { type: 'boolean' }, note: { type: 'string', description: 'Why' } },
        required: ['note'],
      },
    });
    expect(screen.getByLabelText('approved')).toHaveAttribute('type', 'checkbox');
    expect(screen.getByLabelText('note')).toHaveAttribute('aria-required', 'true');
  });

  it('tells a flat schema with a parameter named "type" from a JSON Schema', () => {
    expect(fieldsOf({ type: { type: 'string' }, properties: { type: 'object' } }).map((f) => f.name)).toEqual(['type', 'properties']);
    expect(fieldsOf({ properties: { type: { type: 'string' } } }).map((f) => f.name)).toEqual(['type']);
    expect(fieldsOf({ type: 'object' })).toEqual([]);
    expect(fieldsOf(null)).toEqual([]);
  });

  it('says so when there is nothing to fill in, and submits no values', async () => {
    const { onSubmit, user } = renderForm({ schema: {}, emptyText: 'This action takes no parameters.' });
    expect(screen.getByText('This action takes no parameters.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(onSubmit).toHaveBeenCalledWith({});
  });
});

describe('SchemaForm values', () => {
  it('produces typed values and omits empty optional fields', async () => {
    const { onSubmit, user } = renderForm({ schema: FLAT });
    await user.type(screen.getByLabelText('message'), 'hello');
    await user.clear(screen.getByLabelText('count'));
    await user.type(screen.getByLabelText('count'), '7');
    await user.type(screen.getByLabelText('ratio'), '0.5');
    await user.click(screen.getByLabelText('loud'));
    await user.selectOptions(screen.getByLabelText('color'), 'red');
    await user.type(screen.getByLabelText('tags'), 'a{enter}{enter}b');
    await user.type(screen.getByLabelText('ports'), '80{enter}443');
    await user.clear(screen.getByLabelText('rows'));
    await user.type(screen.getByLabelText('rows'), '[[{{"x": 1}]');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit).toHaveBeenCalledWith({
      message: 'hello',
      count: 7,
      ratio: 0.5,
      loud: false,
      color: 'red',
      tags: ['a', 'b'],
      ports: [80, 443],
      headers: { a: 1 },
      rows: [{ x: 1 }],
    });
  });

  it('sends enum values of any type as declared', async () => {
    const { onSubmit, user } = renderForm({ schema: { level: { type: 'integer', enum: [1, 2, 3], required: true } } });
    await user.selectOptions(screen.getByLabelText('level'), '2');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(onSubmit).toHaveBeenCalledWith({ level: 2 });
  });

  it('sends a boolean whether checked or not', async () => {
    const { onSubmit, user } = renderForm({
      schema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] },
      submitLabel: 'Respond',
    });
    await user.click(screen.getByRole('button', { name: 'Respond' }));
    expect(onSubmit).toHaveBeenLastCalledWith({ approved: false });
    await user.click(screen.getByLabelText('approved'));
    await user.click(screen.getByRole('button', { name: 'Respond' }));
    expect(onSubmit).toHaveBeenLastCalledWith({ approved: true });
  });
});

describe('SchemaForm validation', () => {
  it('shows each problem next to its field and submits nothing', async () => {
    const { onSubmit, user } = renderForm({
      schema: {
        message: { type: 'string', required: true },
        count: { type: 'integer', minimum: 1, maximum: 10 },
        name: { type: 'string', minLength: 3, pattern: '^[a-z]+$' },
        payload: { type: 'object' },
      },
    });
    await user.type(screen.getByLabelText('count'), '2.5');
    await user.type(screen.getByLabelText('name'), 'ab');
    await user.type(screen.getByLabelText('payload'), '{{"a": ');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(onSubmit).not.toHaveBeenCalled();

    const message = screen.getByLabelText('message');
    expect(message).toHaveAttribute('aria-invalid', 'true');
    expect(errorOf(message)).toBe('Required.');
    expect(message).toHaveFocus();
    expect(errorOf(screen.getByLabelText('count'))).toBe('Must be a whole number.');
    expect(errorOf(screen.getByLabelText('name'))).toBe('Must be at least 3 characters long.');
    expect(errorOf(screen.getByLabelText('payload'))).toMatch(/^Not valid JSON/);
    expect(screen.getByRole('alert')).toHaveTextContent('4 fields need attention.');
  });

  it('follows what is typed once the errors are shown', async () => {
    const { onSubmit, user } = renderForm({ schema: { count: { type: 'integer', minimum: 1, maximum: 10, required: true } } });
    await user.type(screen.getByLabelText('count'), '11');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(errorOf(screen.getByLabelText('count'))).toBe('Must be at most 10.');
    await user.clear(screen.getByLabelText('count'));
    await user.type(screen.getByLabelText('count'), '0');
    expect(errorOf(screen.getByLabelText('count'))).toBe('Must be at least 1.');
    await user.clear(screen.getByLabelText('count'));
    await user.type(screen.getByLabelText('count'), '4');
    expect(errorOf(screen.getByLabelText('count'))).toBeNull();
    expect(screen.getByLabelText('count')).not.toHaveAttribute('aria-invalid');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(onSubmit).toHaveBeenCalledWith({ count: 4 });
  });

  it('checks every rule of a field', () => {
    const [field] = fieldsOf({ x: { type: 'string', maxLength: 2 } });
    expect(checkField(field!, 'abc').error).toBe('Must be at most 2 characters long.');
    expect(checkField(field!, '').error).toBeUndefined();
    const [pattern] = fieldsOf({ x: { type: 'string', pattern: '^\\d+$' } });
    expect(checkField(pattern!, '12a').error).toBe('Must match the pattern ^\\d+$.');
    expect(checkField(pattern!, '12').value).toBe('12');
    const [number] = fieldsOf({ x: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.5 } });
    expect(checkField(number!, '0').error).toBe('Must be more than 0.');
    expect(checkField(number!, '0.7').error).toBe('Must be a multiple of 0.5.');
    expect(checkField(number!, '1.5').value).toBe(1.5);
    expect(checkField(number!, '', true).error).toBe('Must be a number.');
    const [object] = fieldsOf({ x: { type: 'object', required: true } });
    expect(checkField(object!, '[1]').error).toBe('Must be a JSON object, not an array.');
    expect(checkField(object!, '  ').error).toBe('Required.');
    const [list] = fieldsOf({ x: { type: 'array', items: { type: 'integer' }, maxItems: 2 } });
    expect(checkField(list!, '1\nx').error).toBe('Line 2: Must be a whole number.');
    expect(checkField(list!, '1\n2\n3').error).toBe('Takes at most 2 items.');
    const [choices] = fieldsOf({ x: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } } });
    expect(checkField(choices!, 'a\nc').error).toBe('Line 2: must be one of a, b.');
    const [rows] = fieldsOf({ x: { type: 'array', items: { type: 'object' }, minItems: 1 } });
    expect(checkField(rows!, '[]').error).toBe('Needs at least 1 item.');
  });
});

describe('SchemaForm server errors', () => {
  it('shows a 422 fields inline, and the rest above the button', () => {
    renderForm({
      schema: { rows: { type: 'array', items: { type: 'object' }, required: true }, style: { type: 'string' } },
      serverErrors: { rows: ['value is not of type "object"'], x: ['unknown parameter'] },
    });
    const rows = screen.getByLabelText('rows');
    expect(rows).toHaveAttribute('aria-invalid', 'true');
    expect(errorOf(rows)).toBe('value is not of type "object"');
    expect(screen.getByLabelText('style')).not.toHaveAttribute('aria-invalid');
    expect(screen.getByRole('alert')).toHaveTextContent('x: unknown parameter');
  });

  it('places JSON pointers on their field and clears an error once its field is edited', async () => {
    const { user } = renderForm({
      schema: { type: 'object', properties: { note: { type: 'string' } } },
      serverErrors: { '/note': ['too short'], '/': ['"approved" is a required property'] },
    });
    const note = screen.getByLabelText('note');
    expect(errorOf(note)).toBe('too short');
    expect(screen.getByRole('alert')).toHaveTextContent('"approved" is a required property');
    await user.type(note, 'x');
    expect(errorOf(note)).toBeNull();
  });

  it('are split between fields and the form', () => {
    expect(placeServerErrors({ a: ['1'], '/b/0': ['2'], '/c': ['3'], '': ['4'] }, ['a', 'b'])).toEqual({
      byField: { a: ['1'], b: ['2'] },
      general: ['/c: 3', '4'],
    });
  });

  it('disables the button while busy', () => {
    renderForm({ schema: {}, busy: true });
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
  });
});
