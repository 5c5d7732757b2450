// One rule: its trigger, criteria, action and templates, with the executions it started and
// its enforcements (kept live by the stream); enable, disable, edit and delete for those who
// may.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DataTable, type Column } from '../../components/DataTable';
import { enforcementColumns } from '../../components/enforcementColumns';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Fact } from '../../components/Fact';
import { isRecord, preview } from '../../components/json';
import { JsonView } from '../../components/JsonView';
import { Page } from '../../components/Page';
import { ScrollTable } from '../../components/ScrollTable';
import { EnabledBadge, StatusBadge } from '../../components/StatusBadge';
import { elapsed, Time } from '../../components/Time';
import { ownLabel, useRuleGrants } from './rule';
import { ToggleButton, useToggle } from './ToggleButton';
import '../automation.css';

/** A rule's criteria (`path: {type, pattern}`) as a table, or as JSON when shaped otherwise. */
function Criteria({ criteria }: { criteria: unknown }) {
  if (!isRecord(criteria)) {
    return criteria == null ? <p className="muted">None: every event of the trigger matches.</p> : <JsonView value={criteria} label="Criteria" />;
  }
  const entries = Object.entries(criteria);
  if (entries.length === 0) return <p className="muted">None: every event of the trigger matches.</p>;
  const shaped = entries.every(([, c]) => isRecord(c) && 'type' in c);
  if (!shaped) return <JsonView value={criteria} label="Criteria" />;
  return (
    <ScrollTable>
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
    </ScrollTable>
  );
}

/** Name → value pairs (templates are strings) as a table. */
function Parameters({ values, empty, caption }: { values: unknown; empty: string; caption: string }) {
  if (!isRecord(values)) {
    return values == null ? <p className="muted">{empty}</p> : <JsonView value={values} label={caption} />;
  }
  const entries = Object.entries(values);
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ScrollTable>
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
    </ScrollTable>
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

  const label = ownLabel(data);
  const executionColumns: Column<Schemas['Execution']>[] = [
    { header: 'Execution', cell: (e) => `#${e.id}` },
    { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
    { header: 'Action', cell: (e) => e.action_ref, wide: true },
    { header: 'Requested', cell: (e) => <Time at={e.created} /> },
    { header: 'Took', cell: (e) => elapsed(e.started, e.finished) ?? <span className="muted">—</span>, wide: true },
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
          <Fact label="Ref">
            <code>{data.ref}</code>
          </Fact>
          {label && <Fact label="Label">{label}</Fact>}
          <Fact label="State">
            <EnabledBadge enabled={data.enabled} />
          </Fact>
          {data.description && <Fact label="Description">{data.description}</Fact>}
          <Fact label="Pack">
            <Link to={`/packs/${encodeURIComponent(data.pack_ref)}`}>{data.pack_ref}</Link>
          </Fact>
          <Fact label="Trigger">
            <Link to={`/triggers?ref=${encodeURIComponent(data.trigger_ref)}`}>{data.trigger_ref}</Link>
            {data.trigger == null && <span className="muted"> (deleted)</span>}
          </Fact>
          <Fact label="Action">
            <Link to={`/actions/${encodeURIComponent(data.action_ref)}`}>{data.action_ref}</Link>
            {data.action == null && <span className="muted"> (deleted)</span>}
          </Fact>
          <Fact label="Created">
            <Time at={data.created} />
          </Fact>
          <Fact label="Changed">
            <Time at={data.updated} />
          </Fact>
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
            columns={enforcementColumns(false, true)}
            rowKey={(e) => e.id}
            empty="No enforcements yet."
          />
        )}
      </section>
    </Page>
  );
}
