// Rules: the list (filters in the URL, enable/disable in place), one rule (its trigger,
// criteria, action and templates, with its executions and enforcements kept live), and the
// form that creates or replaces one. The server checks a rule as it would a pack file; its
// `validation_failed` fields are shown next to the form's fields.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useCan } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { JsonView } from '../components/JsonView';
import { Page } from '../components/Page';
import { StatusBadge } from '../components/StatusBadge';
import { Time, duration } from '../components/Time';
import {
  ConfirmButton,
  EnforcementExecution,
  Field,
  FieldError,
  ParamList,
  Pager,
  RefSelect,
  describedBy,
  formErrors,
  parseObject,
  preview,
  schemaParams,
  usePage,
  useParam,
  useRefs,
} from './automation';

type Rule = Schemas['Rule'];
type RuleInput = Schemas['RuleInput'];

/** The pack part of a ref (`core` of `core.echo`). */
export function packOf(ref: string): string {
  const dot = ref.indexOf('.');
  return dot > 0 ? ref.slice(0, dot) : ref;
}

/** What the caller may do to a rule of `pack` running `action`. */
function useRuleGrants() {
  const can = useCan();
  return {
    toggle: (rule: Rule) => can('rule', 'modify', rule.pack_ref),
    // Replacing a rule writes a new one: create and modify in its pack, and running its action.
    edit: (rule: Rule) =>
      can('rule', 'create', rule.pack_ref) &&
      can('rule', 'modify', rule.pack_ref) &&
      can('action', 'execute', packOf(rule.action_ref)),
    remove: (rule: Rule) => can('rule', 'delete', rule.pack_ref),
    create: () => can('rule', 'create'),
  };
}

/** Enables or disables a rule, refreshing what shows it; `announce` says what happened. */
function useToggle(announce: (text: string) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ref, enable }: { ref: string; enable: boolean }) =>
      unwrap(
        enable
          ? api.POST('/api/v1/rules/{rule_ref}/enable', { params: { path: { rule_ref: ref } } })
          : api.POST('/api/v1/rules/{rule_ref}/disable', { params: { path: { rule_ref: ref } } }),
      ),
    onSuccess: (answer) => {
      client.setQueryData(['rule', answer.data.ref], answer);
      void client.invalidateQueries({ queryKey: ['rules'] });
      announce(`Rule ${answer.data.ref} ${answer.data.enabled ? 'enabled' : 'disabled'}.`);
    },
  });
}

function ToggleButton({ rule, toggle }: { rule: Rule; toggle: ReturnType<typeof useToggle> }) {
  const busy = toggle.isPending && toggle.variables?.ref === rule.ref;
  const verb = rule.enabled ? 'Disable' : 'Enable';
  return (
    <button
      type="button"
      disabled={busy}
      aria-label={`${verb} rule ${rule.ref}`}
      onClick={() => toggle.mutate({ ref: rule.ref, enable: !rule.enabled })}
    >
      {busy ? `${verb.slice(0, -1)}ing…` : verb}
    </button>
  );
}

export function RulesView() {
  const can = useCan();
  const grants = useRuleGrants();
  const [pack, setPack] = useParam('pack');
  const [trigger, setTrigger] = useParam('trigger');
  const [action, setAction] = useParam('action');
  const [enabled, setEnabled] = useParam('enabled');
  const [page, setPage] = usePage();
  const [announcement, setAnnouncement] = useState('');
  const toggle = useToggle(setAnnouncement);
  const packs = useRefs('packs', can('pack', 'view'));
  const triggers = useRefs('triggers', can('trigger', 'view'));
  const actions = useRefs('actions', can('action', 'view'));
  const filters = { pack, trigger, action, enabled, page };
  const rules = useQuery({
    queryKey: ['rules', filters],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/rules', {
          params: {
            query: {
              pack: pack || undefined,
              trigger: trigger || undefined,
              action: action || undefined,
              enabled: enabled === 'true' ? true : enabled === 'false' ? false : undefined,
              page,
            },
          },
        }),
      ),
  });

  const columns: Column<Rule>[] = [
    { header: 'Rule', cell: (rule) => rule.ref },
    { header: 'Trigger', cell: (rule) => <Link to={`/triggers?ref=${encodeURIComponent(rule.trigger_ref)}`}>{rule.trigger_ref}</Link> },
    { header: 'Action', cell: (rule) => <Link to={`/actions/${encodeURIComponent(rule.action_ref)}`}>{rule.action_ref}</Link> },
    { header: 'Description', cell: (rule) => rule.description ?? <span className="muted">—</span>, wide: true },
    {
      header: 'State',
      cell: (rule) => (
        <span className="row-actions">
          <StatusBadge status={rule.enabled ? 'enabled' : 'disabled'} />
          {grants.toggle(rule) && <ToggleButton rule={rule} toggle={toggle} />}
        </span>
      ),
    },
  ];

  return (
    <Page
      title="Rules"
      actions={
        grants.create() && (
          <Link className="button primary" to="/rules/new">
            New rule
          </Link>
        )
      }
    >
      <div className="filters" role="search" aria-label="Filter rules">
        {can('pack', 'view') ? (
          <RefSelect label="Pack" value={pack} onChange={setPack} options={packs} any="All packs" />
        ) : (
          <label>
            Pack
            <input value={pack} onChange={(event) => setPack(event.target.value.trim())} />
          </label>
        )}
        <RefSelect label="Trigger" value={trigger} onChange={setTrigger} options={triggers} any="Any trigger" />
        <RefSelect label="Action" value={action} onChange={setAction} options={actions} any="Any action" />
        <label>
          State
          <select value={enabled} onChange={(event) => setEnabled(event.target.value)}>
            <option value="">Enabled or disabled</option>
            <option value="true">Enabled</option>
            <option value="false">Disabled</option>
          </select>
        </label>
      </div>
      <p role="status" className="muted">
        {announcement}
      </p>
      <ErrorNotice error={toggle.error} what="change the rule" />
      <ErrorNotice error={rules.error} what="list the rules" />
      {!rules.error && (
        <DataTable
          caption="Rules"
          rows={rules.data?.data}
          columns={columns}
          rowKey={(rule) => rule.ref}
          rowLink={(rule) => `/rules/${encodeURIComponent(rule.ref)}`}
          empty={pack || trigger || action || enabled ? 'No rule matches these filters.' : 'No rules yet.'}
        />
      )}
      <Pager pagination={rules.data?.pagination} onPage={setPage} label="Rules" />
    </Page>
  );
}

/** A rule's criteria (`path: {type, pattern}`) as a table, or as JSON when shaped otherwise. */
function Criteria({ criteria }: { criteria: unknown }) {
  if (!criteria || typeof criteria !== 'object' || Array.isArray(criteria)) {
    return criteria == null ? <p className="muted">None: every event of the trigger matches.</p> : <JsonView value={criteria} label="Criteria" />;
  }
  const entries = Object.entries(criteria as Record<string, unknown>);
  if (entries.length === 0) return <p className="muted">None: every event of the trigger matches.</p>;
  const shaped = entries.every(([, c]) => c !== null && typeof c === 'object' && 'type' in (c as object));
  if (!shaped) return <JsonView value={criteria} label="Criteria" />;
  return (
    <div className="table-scroll" tabIndex={0}>
      <table className="data-table criteria-table">
        <caption className="muted">All must match</caption>
        <thead>
          <tr>
            <th scope="col">Path</th>
            <th scope="col">Operator</th>
            <th scope="col">Pattern</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([path, condition]) => {
            const { type, pattern } = condition as { type: unknown; pattern?: unknown };
            return (
              <tr key={path}>
                <td>
                  <code className="name">{path}</code>
                </td>
                <td>{String(type)}</td>
                <td>{pattern === undefined ? <span className="muted">—</span> : <code>{preview(pattern, 200)}</code>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Name → value pairs (templates are strings) as a table. */
function Parameters({ values, empty, caption }: { values: unknown; empty: string; caption: string }) {
  if (!values || typeof values !== 'object' || Array.isArray(values)) {
    return values == null ? <p className="muted">{empty}</p> : <JsonView value={values} label={caption} />;
  }
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="table-scroll" tabIndex={0}>
      <table className="data-table">
        <caption className="muted">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([name, value]) => (
            <tr key={name}>
              <td>
                <code className="name">{name}</code>
              </td>
              <td>
                <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RuleView() {
  const { ref = '' } = useParams();
  const grants = useRuleGrants();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [announcement, setAnnouncement] = useState('');
  const toggle = useToggle(setAnnouncement);
  const rule = useQuery({
    queryKey: ['rule', ref],
    queryFn: () => unwrap(api.GET('/api/v1/rules/{rule_ref}', { params: { path: { rule_ref: ref } } })),
  });
  const executions = useQuery({
    queryKey: ['executions', { rule: ref }],
    queryFn: () => unwrap(api.GET('/api/v1/executions', { params: { query: { rule: ref, page_size: 20 } } })),
  });
  const enforcements = useQuery({
    queryKey: ['enforcements', { rule: ref }],
    queryFn: () => unwrap(api.GET('/api/v1/enforcements', { params: { query: { rule: ref, page_size: 20 } } })),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/rules/{rule_ref}', { params: { path: { rule_ref: ref } } })),
    onSuccess: () => {
      client.removeQueries({ queryKey: ['rule', ref] });
      void client.invalidateQueries({ queryKey: ['rules'] });
      void client.invalidateQueries({ queryKey: ['refs', 'rules'] });
      navigate('/rules');
    },
  });

  const data = rule.data?.data;
  if (!data) {
    return (
      <Page title={ref}>
        <ErrorNotice error={rule.error} what={`show rule ${ref}`} />
        {!rule.error && <p className="muted">Loading…</p>}
      </Page>
    );
  }

  const executionColumns: Column<Schemas['Execution']>[] = [
    { header: 'Execution', cell: (e) => `#${e.id}` },
    { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
    { header: 'Action', cell: (e) => e.action_ref, wide: true },
    { header: 'Requested', cell: (e) => <Time at={e.created} /> },
    {
      header: 'Took',
      cell: (e) =>
        e.started && e.finished ? duration(Date.parse(e.finished) - Date.parse(e.started)) : <span className="muted">—</span>,
      wide: true,
    },
  ];
  const enforcementColumns: Column<Schemas['Enforcement']>[] = [
    { header: 'Enforcement', cell: (e) => `#${e.id}` },
    {
      header: 'Event',
      cell: (e) => (e.event != null ? <Link to={`/events?selected=${e.event}`}>#{e.event}</Link> : <span className="muted">deleted</span>),
    },
    { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
    { header: 'Execution', cell: (e) => <EnforcementExecution enforcement={e} /> },
    { header: 'When', cell: (e) => <Time at={e.created} />, wide: true },
  ];

  return (
    <Page
      title={data.ref}
      actions={
        <>
          {grants.toggle(data) && <ToggleButton rule={data} toggle={toggle} />}
          {grants.edit(data) && (
            <Link className="button" to={`/rules/${encodeURIComponent(data.ref)}/edit`}>
              Edit
            </Link>
          )}
          {grants.remove(data) && (
            <ConfirmButton
              label="Delete"
              accessibleLabel={`Delete rule ${data.ref}`}
              question={`Delete rule ${data.ref}?`}
              confirmLabel="Yes, delete it"
              busy={remove.isPending}
              onConfirm={() => remove.mutate()}
            />
          )}
        </>
      }
    >
      <p role="status" className="muted">
        {announcement}
      </p>
      <ErrorNotice error={toggle.error} what="change the rule" />
      <ErrorNotice error={remove.error} what="delete the rule" />
      <div className="card">
        <dl className="facts">
          <dt>Ref</dt>
          <dd>
            <code>{data.ref}</code>
          </dd>
          {data.label && data.label !== data.ref.slice(data.ref.indexOf('.') + 1) && (
            <>
              <dt>Label</dt>
              <dd>{data.label}</dd>
            </>
          )}
          <dt>State</dt>
          <dd>
            <StatusBadge status={data.enabled ? 'enabled' : 'disabled'} />
          </dd>
          {data.description && (
            <>
              <dt>Description</dt>
              <dd>{data.description}</dd>
            </>
          )}
          <dt>Pack</dt>
          <dd>
            <Link to={`/packs/${encodeURIComponent(data.pack_ref)}`}>{data.pack_ref}</Link>
          </dd>
          <dt>Trigger</dt>
          <dd>
            <Link to={`/triggers?ref=${encodeURIComponent(data.trigger_ref)}`}>{data.trigger_ref}</Link>
            {data.trigger == null && <span className="muted"> (deleted)</span>}
          </dd>
          <dt>Action</dt>
          <dd>
            <Link to={`/actions/${encodeURIComponent(data.action_ref)}`}>{data.action_ref}</Link>
            {data.action == null && <span className="muted"> (deleted)</span>}
          </dd>
          <dt>Created</dt>
          <dd>
            <Time at={data.created} />
          </dd>
          <dt>Changed</dt>
          <dd>
            <Time at={data.updated} />
          </dd>
        </dl>
      </div>
      <div className="grid">
        <section className="card rule-section" aria-labelledby="trigger-parameters">
          <h2 id="trigger-parameters">Trigger parameters</h2>
          <Parameters values={data.trigger_params} empty="None." caption="Trigger parameters" />
        </section>
        <section className="card rule-section" aria-labelledby="criteria">
          <h2 id="criteria">Criteria</h2>
          <Criteria criteria={data.criteria} />
        </section>
        <section className="card rule-section" aria-labelledby="action-parameters">
          <h2 id="action-parameters">Action parameters</h2>
          <Parameters values={data.action_params} empty="None: the action's defaults apply." caption="Templates over the event" />
        </section>
      </div>
      <section className="card" aria-labelledby="rule-executions">
        <div className="section-header">
          <h2 id="rule-executions">Recent executions</h2>
          {executions.data && <span className="muted">{executions.data.pagination.total} in all</span>}
        </div>
        <ErrorNotice error={executions.error} what="list its executions" />
        {!executions.error && (
          <DataTable
            caption="Executions this rule started, newest first"
            rows={executions.data?.data}
            columns={executionColumns}
            rowKey={(e) => e.id}
            rowLink={(e) => `/executions/${e.id}`}
            empty="No executions yet: none of the trigger's events has matched."
          />
        )}
      </section>
      <section className="card" aria-labelledby="rule-enforcements">
        <div className="section-header">
          <h2 id="rule-enforcements">Enforcements</h2>
          <Link to={`/enforcements?rule=${encodeURIComponent(data.ref)}`}>All of this rule's enforcements</Link>
        </div>
        <ErrorNotice error={enforcements.error} what="list its enforcements" />
        {!enforcements.error && (
          <DataTable
            caption="The rule's matches of events, newest first"
            rows={enforcements.data?.data}
            columns={enforcementColumns}
            rowKey={(e) => e.id}
            empty="No enforcements yet."
          />
        )}
      </section>
    </Page>
  );
}

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

function json(value: unknown): string {
  return value && typeof value === 'object' && Object.keys(value).length > 0 ? JSON.stringify(value, null, 2) : '{}';
}

function draftOf(rule: Rule): RuleDraft {
  return {
    ref: rule.ref,
    label: rule.label && rule.label !== rule.ref.slice(rule.ref.indexOf('.') + 1) ? rule.label : '',
    description: rule.description ?? '',
    trigger: rule.trigger_ref,
    triggerParameters: json(rule.trigger_params),
    criteria: json(rule.criteria),
    action: rule.action_ref,
    parameters: json(rule.action_params),
    enabled: rule.enabled,
  };
}

export function RuleEditView() {
  const { ref } = useParams();
  const [search] = useSearchParams();
  const rule = useQuery({
    queryKey: ['rule', ref ?? ''],
    queryFn: () => unwrap(api.GET('/api/v1/rules/{rule_ref}', { params: { path: { rule_ref: ref ?? '' } } })),
    enabled: ref !== undefined,
  });
  if (ref === undefined) {
    const draft: RuleDraft = {
      ref: search.get('ref') ?? '',
      label: '',
      description: '',
      trigger: search.get('trigger') ?? '',
      triggerParameters: search.get('trigger_parameters') ?? '{}',
      criteria: '{}',
      action: search.get('action') ?? '',
      parameters: '{}',
      enabled: true,
    };
    return (
      <Page title="New rule">
        <RuleForm initial={draft} editing={false} />
      </Page>
    );
  }
  return (
    <Page title={`Edit rule ${ref}`}>
      <ErrorNotice error={rule.error} what={`load rule ${ref}`} />
      {rule.data ? (
        <RuleForm key={ref} initial={draftOf(rule.data.data)} editing />
      ) : (
        !rule.error && <p className="muted">Loading…</p>
      )}
    </Page>
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
  const set = <K extends keyof RuleDraft>(name: K, value: RuleDraft[K]) => setDraft((d) => ({ ...d, [name]: value }));

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

  const save = useMutation({
    mutationFn: (body: RuleInput) =>
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
    const body: RuleInput = {
      ref: editing ? initial.ref : draft.ref.trim(),
      label: draft.label.trim() || null,
      description: draft.description.trim() || null,
      trigger: draft.trigger,
      trigger_parameters: parsed.trigger_parameters,
      criteria: parsed.criteria,
      action: draft.action,
      parameters: parsed.parameters,
      enabled: draft.enabled,
    };
    save.mutate(body);
  };

  /** Adds the action's parameter names missing from the parameters, as empty templates. */
  const insertNames = () => {
    const result = parseObject(draft.parameters);
    if ('error' in result) {
      setLocalErrors((e) => ({ ...e, parameters: result.error }));
      return;
    }
    const filled = { ...result.value };
    for (const param of schemaParams(action?.param_schema)) if (!(param.name in filled)) filled[param.name] = '';
    set('parameters', JSON.stringify(filled, null, 2));
  };

  const triggerRefs = triggers.data?.data.map((t) => t.ref) ?? [];
  if (draft.trigger && !triggerRefs.includes(draft.trigger)) triggerRefs.unshift(draft.trigger);
  const actionRefs = actions.data?.data.map((a) => a.ref) ?? [];
  if (draft.action && !actionRefs.includes(draft.action)) actionRefs.unshift(draft.action);
  const actionParams = schemaParams(action?.param_schema);

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
                  onChange={(event) => set('ref', event.target.value)}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </Field>
          )}
          <Field id="rule-label" label="Label" hint="Optional; the name part of the ref by default." error={errors.label}>
            {(control) => <input {...control} name="label" value={draft.label} onChange={(event) => set('label', event.target.value)} />}
          </Field>
          <Field id="rule-description" label="Description" error={errors.description}>
            {(control) => (
              <input {...control} name="description" value={draft.description} onChange={(event) => set('description', event.target.value)} />
            )}
          </Field>
          <Field id="rule-trigger" label="Trigger" error={errors.trigger}>
            {(control) => (
              <select {...control} name="trigger" required value={draft.trigger} onChange={(event) => set('trigger', event.target.value)}>
                <option value="">Choose a trigger…</option>
                {triggerRefs.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="trigger-parameters" label="Trigger parameters (JSON)" error={errors.trigger_parameters} help="trigger-parameters-help">
            {(control) => (
              <textarea
                {...control}
                name="trigger_parameters"
                value={draft.triggerParameters}
                onChange={(event) => set('triggerParameters', event.target.value)}
                spellCheck={false}
                rows={4}
              />
            )}
          </Field>
          <div className="help" id="trigger-parameters-help">
            <h3>{trigger ? `Parameters of ${trigger.ref}` : 'Trigger parameters'}</h3>
            {trigger ? (
              <>
                {trigger.description && <p>{trigger.description}</p>}
                <ParamList schema={trigger.param_schema} empty="This trigger takes no parameters: leave {}." />
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
                onChange={(event) => set('enabled', event.target.checked)}
                aria-describedby={describedBy(errors.enabled && 'rule-enabled-error')}
              />
              Enabled
            </label>
            <FieldError id="rule-enabled-error" message={errors.enabled} />
          </div>
        </div>
        <div>
          <Field id="criteria" label="Criteria (JSON)" error={errors.criteria} help="criteria-help">
            {(control) => (
              <textarea
                {...control}
                name="criteria"
                value={draft.criteria}
                onChange={(event) => set('criteria', event.target.value)}
                spellCheck={false}
                rows={6}
              />
            )}
          </Field>
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
          <Field id="rule-action" label="Action" error={errors.action}>
            {(control) => (
              <select {...control} name="action" required value={draft.action} onChange={(event) => set('action', event.target.value)}>
                <option value="">Choose an action…</option>
                {actionRefs.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="parameters" label="Action parameters (JSON)" error={errors.parameters} help="parameters-help">
            {(control) => (
              <textarea
                {...control}
                name="parameters"
                value={draft.parameters}
                onChange={(event) => set('parameters', event.target.value)}
                spellCheck={false}
                rows={6}
              />
            )}
          </Field>
          <div className="help" id="parameters-help">
            <h3>{action ? `Parameters of ${action.ref}` : 'Action parameters'}</h3>
            {action ? (
              <ParamList schema={action.param_schema} empty="This action takes no parameters: leave {}." />
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
