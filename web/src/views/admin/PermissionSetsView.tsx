// The permission sets, with their grants as readable lines; created, edited as JSON and
// deleted by those who may. The built-in sets and those a pack defines are read-only here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { useCan, useMe } from '../../api/access';
import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Page } from '../../components/Page';
import { Pager, usePage } from '../../components/Pager';
import { GrantLines } from './grants';
import { PermissionSetForm } from './PermissionSetForm';
import './admin.css';

type PermissionSet = Schemas['PermissionSet'];

const PAGE_SIZE = 50;

/** The permission sets created at bootstrap: read-only through the API (`409`). */
const BUILT_IN_SETS = ['admin', 'editor', 'operator', 'viewer'];

/** Why a set cannot be changed here, if it cannot. */
function readOnlyReason(set: PermissionSet): string | null {
  if (set.pack_ref) return `defined by pack ${set.pack_ref}`;
  if (BUILT_IN_SETS.includes(set.ref)) return 'built in';
  return null;
}

export function PermissionSetsView() {
  const [params, setParams] = useSearchParams();
  const page = usePage();
  const { data: me } = useMe();
  const can = useCan();
  const client = useQueryClient();
  const list = useQuery({
    queryKey: ['permission-sets', { page }],
    queryFn: () => unwrap(api.GET('/api/v1/permission-sets', { params: { query: { page, page_size: PAGE_SIZE } } })),
    enabled: me !== undefined,
  });
  const editRef = params.get('edit');
  const creating = params.has('new');
  const editSet = useQuery({
    queryKey: ['permission-sets', 'one', editRef],
    queryFn: () => unwrap(api.GET('/api/v1/permission-sets/{set_ref}', { params: { path: { set_ref: editRef ?? '' } } })).then((a) => a.data),
    enabled: editRef !== null && me !== undefined,
  });
  const remove = useMutation({
    mutationFn: (ref: string) => unwrap(api.DELETE('/api/v1/permission-sets/{set_ref}', { params: { path: { set_ref: ref } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['permission-sets'] });
      void client.invalidateQueries({ queryKey: ['identity'] });
      void client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const canCreate = can('permission_set', 'create', null);
  const canModify = can('permission_set', 'modify', null);
  const canDelete = can('permission_set', 'delete', null);
  const openForm = (which: { edit: string } | 'new' | null) => {
    const next = new URLSearchParams(params);
    next.delete('new');
    next.delete('edit');
    if (which === 'new') next.set('new', '');
    else if (which) next.set('edit', which.edit);
    setParams(next);
  };
  const editable = editSet.data && !readOnlyReason(editSet.data) ? editSet.data : null;
  return (
    <Page
      title="Permission sets"
      actions={
        canCreate &&
        !creating && (
          <button type="button" className="primary" onClick={() => openForm('new')}>
            Create permission set
          </button>
        )
      }
    >
      <div className="admin-page hidden-captions">
        {canCreate && creating && <PermissionSetForm key="new" editing={null} onClose={() => openForm(null)} />}
        {editRef !== null && canModify && (
          <>
            <ErrorNotice error={editSet.error} what={`load ${editRef}`} />
            {editSet.data && !editable && (
              <p className="notice notice-forbidden" role="alert">
                {editRef} cannot be changed here: it is {readOnlyReason(editSet.data)}
                {editSet.data.pack_ref ? "; change it in the pack's files and register the pack again" : ''}.
              </p>
            )}
            {editable && <PermissionSetForm key={editable.ref} editing={editable} onClose={() => openForm(null)} />}
          </>
        )}
        <ErrorNotice error={list.error} what="list permission sets" />
        <ErrorNotice error={remove.error} what="delete the permission set" />
        {me && !canCreate && !canModify && !canDelete && !list.error && (
          <p className="muted read-only-note">Read-only: your permission sets do not let you change permission sets.</p>
        )}
        {list.isPending && me && <p className="muted">Loading…</p>}
        {list.data && list.data.data.length === 0 && <p className="muted">No permission set.</p>}
        {list.data && list.data.data.length > 0 && (
          <>
            <ul className="set-cards" aria-label="Permission sets">
              {list.data.data.map((set) => {
                const reason = readOnlyReason(set);
                return (
                  <li key={set.ref} className="card set-card" aria-labelledby={`set-${set.id}`}>
                    <div className="set-head">
                      <h2 id={`set-${set.id}`}>
                        {set.label} <code className="set-ref">{set.ref}</code>
                      </h2>
                      {reason ? (
                        <span className="badge badge-idle">read-only: {reason}</span>
                      ) : (
                        (canModify || canDelete) && (
                          <span className="row-actions">
                            {canModify && (
                              <button type="button" aria-label={`Edit ${set.ref}`} onClick={() => openForm({ edit: set.ref })}>
                                Edit
                              </button>
                            )}
                            {canDelete && (
                              <ConfirmButton
                                label="Delete"
                                accessibleLabel={`Delete ${set.ref}`}
                                question={`Delete ${set.ref}? Whoever holds it loses its grants.`}
                                confirmLabel={`Delete ${set.ref}`}
                                busy={remove.isPending}
                                onConfirm={() => remove.mutate(set.ref)}
                              />
                            )}
                          </span>
                        )
                      )}
                    </div>
                    {set.description && <p className="set-description">{set.description}</p>}
                    <GrantLines grants={set.grants} label={`Grants of ${set.ref}`} />
                  </li>
                );
              })}
            </ul>
            <Pager pagination={list.data?.pagination} label="Pages of permission sets" />
          </>
        )}
      </div>
    </Page>
  );
}
