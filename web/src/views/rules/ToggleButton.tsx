// Enabling and disabling a rule in place, from the list and from its page: the cached rule
// and lists follow, and the page announces what happened.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';

/** Enables or disables a rule, refreshing what shows it; `announce` says what happened. */
export function useToggle(announce: (text: string) => void) {
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

export function ToggleButton({ rule, toggle }: { rule: Schemas['Rule']; toggle: ReturnType<typeof useToggle> }) {
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
