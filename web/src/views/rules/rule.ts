// A rule as its pages read it: what the caller may do to it (the server decides the same way,
// so the pages show only the buttons that would work), and its label when it has its own.
import { useCan } from '../../api/access';
import type { Schemas } from '../../api/client';
import { packOf } from '../../api/refs';

type Rule = Schemas['Rule'];

/** What the caller may do to rules: toggle, edit and delete one, create one. */
export function useRuleGrants() {
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

/** The rule's label, unless it is the default one (the name part of its ref). */
export function ownLabel(rule: Rule): string | null {
  return rule.label && rule.label !== rule.ref.slice(rule.ref.indexOf('.') + 1) ? rule.label : null;
}
