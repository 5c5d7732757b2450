// Enabling and disabling an identity, from the list and from its page. Disabling revokes
// its sessions and API keys at once, so it is asked first.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';

/** Enables or disables an identity (disabling revokes its tokens and API keys: asked first). */
export function useSetEnabled() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ login, enabled }: { login: string; enabled: boolean }) =>
      unwrap(api.PATCH('/api/v1/identities/{login}', { params: { path: { login } }, body: { enabled } })).then((a) => a.data),
    onSuccess: (identity) => {
      void client.invalidateQueries({ queryKey: ['identities'] });
      void client.invalidateQueries({ queryKey: ['identity', identity.login] });
    },
  });
}

export function EnableToggle({
  identity,
  mutation,
  isSelf,
}: {
  identity: Schemas['IdentityView'];
  mutation: ReturnType<typeof useSetEnabled>;
  isSelf: boolean;
}) {
  const busy = mutation.isPending && mutation.variables?.login === identity.login;
  if (!identity.enabled) {
    return (
      <button
        type="button"
        aria-label={`Enable ${identity.login}`}
        disabled={busy}
        onClick={() => mutation.mutate({ login: identity.login, enabled: true })}
      >
        Enable
      </button>
    );
  }
  return (
    <ConfirmButton
      label="Disable"
      accessibleLabel={`Disable ${identity.login}`}
      question={
        isSelf
          ? 'Disable your own identity? You are signed out everywhere at once.'
          : `Disable ${identity.login}? Its sessions and API keys stop working at once.`
      }
      confirmLabel={`Disable ${identity.login}`}
      busy={busy}
      onConfirm={() => mutation.mutate({ login: identity.login, enabled: false })}
    />
  );
}
