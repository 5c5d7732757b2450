// The rules list: filtered by pack, trigger, action and state (kept in the URL), each rule
// enabled or disabled in place by those who may.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useCan } from '../../api/access';
import { api, unwrap, type Schemas } from '../../api/client';
import { DataTable, type Column } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Page } from '../../components/Page';
import { Pager, usePage } from '../../components/Pager';
import { PackFilter, RefSelect, useRefs } from '../../components/RefSelect';
import { EnabledBadge } from '../../components/StatusBadge';
import { useParam } from '../../components/useParam';
import { useRuleGrants } from './rule';
import { ToggleButton, useToggle } from './ToggleButton';
import '../automation.css';

type Rule = Schemas['Rule'];

export function RulesView() {
  const can = useCan();
  const grants = useRuleGrants();
  const [pack, setPack] = useParam('pack');
  const [trigger, setTrigger] = useParam('trigger');
  const [action, setAction] = useParam('action');
  const [enabled, setEnabled] = useParam('enabled');
  const page = usePage();
  const [announcement, setAnnouncement] = useState('');
  const toggle = useToggle(setAnnouncement);
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
          <EnabledBadge enabled={rule.enabled} />
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
        <PackFilter value={pack} onChange={setPack} />
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
      <Pager pagination={rules.data?.pagination} label="Pages of rules" />
    </Page>
  );
}
