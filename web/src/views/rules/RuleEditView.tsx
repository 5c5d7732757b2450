// Creating a rule (`/rules/new`, prefilled from `?ref=`, `?trigger=`, `?trigger_parameters=`
// and `?action=`, as the webhooks and triggers pages link to it) or replacing one
// (`/rules/:ref/edit`, from the rule as it is).
import { useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Page } from '../../components/Page';
import { ownLabel } from './rule';
import { RuleForm, type RuleDraft } from './RuleForm';
import '../automation.css';

/** A JSON object as the form's text (`{}` when empty). */
function json(value: unknown): string {
  return value && typeof value === 'object' && Object.keys(value).length > 0 ? JSON.stringify(value, null, 2) : '{}';
}

/** What the form starts with to replace `rule`. */
function draftOf(rule: Schemas['Rule']): RuleDraft {
  return {
    ref: rule.ref,
    label: ownLabel(rule) ?? '',
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
