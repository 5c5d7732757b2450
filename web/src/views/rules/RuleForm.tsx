// The form that creates a rule or replaces one. The server checks a rule as it would a pack
// file; the fields its `validation_failed` answer names are shown beside them. Beside each
// JSON field, help: what the chosen trigger and action take, the criteria's operators, the
// templates the parameters may use.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useCan } from '../../api/access';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { describedBy, Field, FieldError } from '../../components/Field';
import { formErrors } from '../../components/formErrors';
import { parseObject } from '../../components/json';
import { Options } from '../../components/Options';
import { ParameterList } from '../../components/Parameters';
import { withChosen } from '../../components/RefSelect';
import { fieldsOf } from '../../components/schemaFields';
import '../automation.css';

const OPERATORS =
  'equals, nequals, iequals, contains, ncontains, icontains, incontains, startswith, istartswith, endswith, iendswith, ' +
  'lessthan, greaterthan, matchwildcard, regex, iregex, matchregex, timediff_lt, timediff_gt, exists, nexists, inside, ' +
  'ninside, search';

const FIELDS = ['ref', 'label', 'description', 'trigger', 'trigger_parameters', 'criteria', 'action', 'parameters', 'enabled'];

/** What the form starts with. */
export interface RuleDraft {
  ref: string;
  label: string;
  description: string;
  trigger: string;
  triggerParameters: string;
  criteria: string;
  action: string;
  parameters: string;
  enabled: boolean;
}

/** A required select of refs, with a prompt first. */
function RefChoice({
  id,
  name,
  label,
  prompt,
  refs,
  value,
  error,
  onChange,
}: {
  id: string;
  name: string;
  label: string;
  prompt: string;
  refs: string[] | undefined;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label={label} error={error}>
      {(control) => (
        <select {...control} name={name} required value={value} onChange={(event) => onChange(event.target.value)}>
          <option value="">{prompt}</option>
          <Options values={withChosen(refs, value)} />
        </select>
      )}
    </Field>
  );
}

/** A JSON textarea, described by the help (`<id>-help`) beside it. */
function JsonField({
  id,
  name,
  label,
  rows,
  value,
  error,
  onChange,
}: {
  id: string;
  name: string;
  label: string;
  rows: number;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label={label} error={error} help={`${id}-help`}>
      {(control) => (
        <textarea {...control} name={name} value={value} onChange={(event) => onChange(event.target.value)} spellCheck={false} rows={rows} />
      )}
    </Field>
  );
}

/** The form of a new rule (`editing` false) or of an existing one (its ref fixed). */
export function RuleForm({ initial, editing }: { initial: RuleDraft; editing: boolean }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const can = useCan();
  const [draft, setDraft] = useState(initial);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  const set = <K extends keyof RuleDraft>(name: K) => (value: RuleDraft[K]) => setDraft((d) => ({ ...d, [name]: value }));

  const triggers = useQuery({
    queryKey: ['rule-form', 'triggers'],
    queryFn: () => unwrap(api.GET('/api/v1/triggers', { params: { query: { page_size: 1000 } } })),
    enabled: can('trigger', 'view'),
    staleTime: 60_000,
  });
  const actions = useQuery({
    queryKey: ['rule-form', 'actions'],
    queryFn: () => unwrap(api.GET('/api/v1/actions', { params: { query: { page_size: 1000 } } })),
    enabled: can('action', 'view'),
    staleTime: 60_000,
  });
  const trigger = triggers.data?.data.find((t) => t.ref === draft.trigger);
  const action = actions.data?.data.find((a) => a.ref === draft.action);
  const actionParams = fieldsOf(action?.param_schema);

  const save = useMutation({
    mutationFn: (body: Schemas['RuleInput']) =>
      unwrap(
        editing
          ? api.PUT('/api/v1/rules/{rule_ref}', { params: { path: { rule_ref: initial.ref } }, body })
          : api.POST('/api/v1/rules', { body }),
      ),
    onSuccess: (answer) => {
      client.setQueryData(['rule', answer.data.ref], answer);
      void client.invalidateQueries({ queryKey: ['rules'] });
      void client.invalidateQueries({ queryKey: ['refs', 'rules'] });
      navigate(`/rules/${encodeURIComponent(answer.data.ref)}`);
    },
  });
  const server = formErrors(save.error, FIELDS);
  const errors: Record<string, string | undefined> = { ...server.fields, ...localErrors };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    const parsed: Record<string, Record<string, unknown>> = {};
    for (const [field, text] of [
      ['trigger_parameters', draft.triggerParameters],
      ['criteria', draft.criteria],
      ['parameters', draft.parameters],
    ] as const) {
      const result = parseObject(text);
      if ('error' in result) found[field] = result.error;
      else parsed[field] = result.value;
    }
    if (!editing && !draft.ref.trim()) found.ref = 'A ref is needed: pack.name.';
    if (!draft.trigger) found.trigger = 'Choose the trigger the rule listens to.';
    if (!draft.action) found.action = 'Choose the action the rule runs.';
    setLocalErrors(found);
    if (Object.keys(found).length > 0) {
      save.reset();
      // Focus the first field in error once it is marked.
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    save.mutate({
      ref: editing ? initial.ref : draft.ref.trim(),
      label: draft.label.trim() || null,
      description: draft.description.trim() || null,
      trigger: draft.trigger,
      trigger_parameters: parsed.trigger_parameters,
      criteria: parsed.criteria,
      action: draft.action,
      parameters: parsed.parameters,
      enabled: draft.enabled,
    });
  };

  /** Adds the action's parameter names missing from the parameters, as empty templates. */
  const insertNames = () => {
    const result = parseObject(draft.parameters);
    if ('error' in result) {
      setLocalErrors((e) => ({ ...e, parameters: result.error }));
      return;
    }
    const filled = { ...result.value };
    for (const param of actionParams) if (!(param.name in filled)) filled[param.name] = '';
    set('parameters')(JSON.stringify(filled, null, 2));
  };

  return (
    <form ref={formRef} className="card rule-form" onSubmit={submit} noValidate aria-label={editing ? `Edit rule ${initial.ref}` : 'New rule'}>
      <ErrorNotice error={server.general} what="save the rule" />
      <ErrorNotice error={triggers.error} what="list the triggers" />
      <ErrorNotice error={actions.error} what="list the actions" />
      <div className="form-grid">
        <div>
          {!editing && (
            <Field
              id="rule-ref"
              label="Ref"
              hint={
                <>
                  <code>pack.name</code>: the rule belongs to that pack, which must exist.
                </>
              }
              error={errors.ref}
            >
              {(control) => (
                <input
                  {...control}
                  name="ref"
                  required
                  value={draft.ref}
                  onChange={(event) => set('ref')(event.target.value)}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </Field>
          )}
          <Field id="rule-label" label="Label" hint="Optional; the name part of the ref by default." error={errors.label}>
            {(control) => <input {...control} name="label" value={draft.label} onChange={(event) => set('label')(event.target.value)} />}
          </Field>
          <Field id="rule-description" label="Description" error={errors.description}>
            {(control) => (
              <input {...control} name="description" value={draft.description} onChange={(event) => set('description')(event.target.value)} />
            )}
          </Field>
          <RefChoice
            id="rule-trigger"
            name="trigger"
            label="Trigger"
            prompt="Choose a trigger…"
            refs={triggers.data?.data.map((t) => t.ref)}
            value={draft.trigger}
            error={errors.trigger}
            onChange={set('trigger')}
          />
          <JsonField
            id="trigger-parameters"
            name="trigger_parameters"
            label="Trigger parameters (JSON)"
            rows={4}
            value={draft.triggerParameters}
            error={errors.trigger_parameters}
            onChange={set('triggerParameters')}
          />
          <div className="help" id="trigger-parameters-help">
            <h3>{trigger ? `Parameters of ${trigger.ref}` : 'Trigger parameters'}</h3>
            {trigger ? (
              <>
                {trigger.description && <p>{trigger.description}</p>}
                <ParameterList schema={trigger.param_schema} empty="This trigger takes no parameters: leave {}." />
                {trigger.ref === 'core.webhook' && (
                  <p>
                    <code>{'{"name": "alerts"}'}</code> reacts only to posts to <code>/api/v1/webhooks/alerts</code>.
                  </p>
                )}
              </>
            ) : (
              <p>Choose a trigger to see what it takes.</p>
            )}
          </div>
          <div className="field">
            <label className="checkbox">
              <input
                type="checkbox"
                name="enabled"
                checked={draft.enabled}
                onChange={(event) => set('enabled')(event.target.checked)}
                aria-describedby={describedBy(errors.enabled && 'rule-enabled-error')}
              />
              Enabled
            </label>
            <FieldError id="rule-enabled-error" message={errors.enabled} />
          </div>
        </div>
        <div>
          <JsonField
            id="criteria"
            name="criteria"
            label="Criteria (JSON)"
            rows={6}
            value={draft.criteria}
            error={errors.criteria}
            onChange={set('criteria')}
          />
          <div className="help" id="criteria-help">
            <h3>Criteria</h3>
            <p>
              All must match; <code>{'{}'}</code> matches every event. Each key is a dotted path into the event
              (<code>trigger.</code> and <code>event.payload.</code> both address the payload), each value{' '}
              <code>{'{"type": operator, "pattern": value}'}</code>, e.g.{' '}
              <code>{'{"trigger.body.level": {"type": "equals", "pattern": "error"}}'}</code>.
            </p>
            <p>Operators: {OPERATORS}.</p>
          </div>
          <RefChoice
            id="rule-action"
            name="action"
            label="Action"
            prompt="Choose an action…"
            refs={actions.data?.data.map((a) => a.ref)}
            value={draft.action}
            error={errors.action}
            onChange={set('action')}
          />
          <JsonField
            id="parameters"
            name="parameters"
            label="Action parameters (JSON)"
            rows={6}
            value={draft.parameters}
            error={errors.parameters}
            onChange={set('parameters')}
          />
          <div className="help" id="parameters-help">
            <h3>{action ? `Parameters of ${action.ref}` : 'Action parameters'}</h3>
            {action ? (
              <ParameterList schema={action.param_schema} empty="This action takes no parameters: leave {}." />
            ) : (
              <p>Choose an action to see its parameters.</p>
            )}
            <p>
              String values are templates over the event: <code>{'{{ event.payload.body.text }}'}</code>,{' '}
              <code>{'{{ event.id }}'}</code>, <code>{'{{ event.trigger }}'}</code>, <code>{'{{ event.created }}'}</code>,{' '}
              <code>{'{{ pack.config.name }}'}</code>, <code>{'{{ system.timestamp }}'}</code>,{' '}
              <code>{'{{ system.rule.ref }}'}</code>, <code>{'{{ kv("name") }}'}</code>.
            </p>
            {actionParams.length > 0 && (
              <button type="button" onClick={insertNames}>
                Insert the parameter names
              </button>
            )}
          </div>
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : editing ? 'Save rule' : 'Create rule'}
        </button>
        <Link to={editing ? `/rules/${encodeURIComponent(initial.ref)}` : '/rules'}>Cancel</Link>
      </div>
    </form>
  );
}
