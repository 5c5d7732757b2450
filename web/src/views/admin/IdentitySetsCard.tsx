// The permission sets an identity holds, each with its grants; given and taken away by those
// who may modify identities.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useCan } from '../../api/access';
import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { GrantLines } from './grants';

export function IdentitySetsCard({ login, isSelf, canModify }: { login: string; isSelf: boolean; canModify: boolean }) {
  const client = useQueryClient();
  const can = useCan();
  const held = useQuery({
    queryKey: ['identity', login, 'permission-sets'],
    queryFn: () => unwrap(api.GET('/api/v1/identities/{login}/permission-sets', { params: { path: { login } } })).then((a) => a.data),
  });
  const canList = can('permission_set', 'view', null);
  const all = useQuery({
    queryKey: ['permission-sets', 'all'],
    queryFn: () => unwrap(api.GET('/api/v1/permission-sets', { params: { query: { page_size: 1000 } } })).then((a) => a.data),
    enabled: canModify && canList,
  });
  const [choice, setChoice] = useState('');
  const changed = () => {
    void client.invalidateQueries({ queryKey: ['identity', login] });
    if (isSelf) void client.invalidateQueries({ queryKey: ['me'] });
  };
  const add = useMutation({
    mutationFn: (setRef: string) =>
      unwrap(api.PUT('/api/v1/identities/{login}/permission-sets/{set_ref}', { params: { path: { login, set_ref: setRef } } })),
    onSuccess: () => {
      setChoice('');
      changed();
    },
  });
  const remove = useMutation({
    mutationFn: (setRef: string) =>
      unwrap(api.DELETE('/api/v1/identities/{login}/permission-sets/{set_ref}', { params: { path: { login, set_ref: setRef } } })),
    onSuccess: changed,
  });
  const heldRefs = new Set((held.data ?? []).map((set) => set.ref));
  const available = (all.data ?? []).filter((set) => !heldRefs.has(set.ref));
  const selectId = useId();
  return (
    <section className="card" aria-labelledby="sets-title">
      <h2 id="sets-title">Permission sets</h2>
      <ErrorNotice error={held.error} what="list its permission sets" />
      <ErrorNotice error={add.error} what="give the permission set" />
      <ErrorNotice error={remove.error} what="take the permission set away" />
      {held.isPending && <p className="muted">Loading…</p>}
      {held.data && held.data.length === 0 && (
        <p className="muted">It holds no permission set: it may do nothing but manage its own API keys.</p>
      )}
      {held.data && held.data.length > 0 && (
        <ul className="set-list" aria-label={`Permission sets of ${login}`}>
          {held.data.map((set) => (
            <li key={set.ref} className="set-item">
              <div className="set-head">
                <span>
                  <code className="set-ref">{set.ref}</code> <span className="muted">{set.label}</span>
                </span>
                {canModify && (
                  <ConfirmButton
                    label="Remove"
                    accessibleLabel={`Remove ${set.ref}`}
                    question={`Take ${set.ref} from ${login}?`}
                    confirmLabel={`Remove ${set.ref}`}
                    busy={remove.isPending}
                    onConfirm={() => remove.mutate(set.ref)}
                  />
                )}
              </div>
              <GrantLines grants={set.grants} />
            </li>
          ))}
        </ul>
      )}
      {canModify && canList && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (choice) add.mutate(choice);
          }}
        >
          <div className="field">
            <label htmlFor={selectId}>Permission set to add</label>
            <select id={selectId} value={choice} onChange={(e) => setChoice(e.target.value)} disabled={!all.data}>
              <option value="">{all.data ? (available.length ? 'Choose a set…' : 'It holds every set') : 'Loading…'}</option>
              {available.map((set) => (
                <option key={set.ref} value={set.ref}>
                  {set.ref} — {set.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="primary" disabled={!choice || add.isPending}>
            Add
          </button>
        </form>
      )}
      <ErrorNotice error={all.error} what="list the permission sets" />
    </section>
  );
}
