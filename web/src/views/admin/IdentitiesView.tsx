// The identities: who may sign in (users with a password, service accounts with API keys
// only), created here and enabled or disabled in place by those who may.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useCan, useMe } from '../../api/access';
import { api, unwrap, type Schemas } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { conflictMessage, formErrors } from '../../components/formErrors';
import { Page } from '../../components/Page';
import { Pager, usePage } from '../../components/Pager';
import { EnabledBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { EnableToggle, useSetEnabled } from './EnableToggle';
import './admin.css';

const PAGE_SIZE = 50;

function CreateIdentityForm({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [login, setLogin] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/identities', {
          body: { login: login.trim(), display_name: displayName.trim() || null, password: password || null },
        }),
      ).then((a) => a.data),
    onSuccess: (identity) => {
      void client.invalidateQueries({ queryKey: ['identities'] });
      navigate(`/admin/identities/${encodeURIComponent(identity.login)}`, { state: { created: true } });
    },
  });
  const server = formErrors(create.error, ['login', 'display_name', 'password']);
  const conflict = conflictMessage(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card admin-form" onSubmit={submit} aria-labelledby="create-identity-title">
      <h2 id="create-identity-title">New identity</h2>
      {!conflict && <ErrorNotice error={server.general} what="create the identity" />}
      <Field label="Login" hint="Letters, digits, '.', '_', '-' or '@'." error={server.fields.login ?? conflict}>
        {(props) => <input {...props} name="login" autoComplete="off" required value={login} onChange={(e) => setLogin(e.target.value)} />}
      </Field>
      <Field label="Display name" hint="Optional: the name shown." error={server.fields.display_name}>
        {(props) => <input {...props} name="display_name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
      </Field>
      <Field
        label="Password"
        hint="At least 12 characters. Leave empty for a service account, which signs in with API keys only."
        error={server.fields.password}
      >
        {(props) => (
          <input
            {...props}
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create identity'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function IdentitiesView() {
  const [params, setParams] = useSearchParams();
  const page = usePage();
  const { data: me } = useMe();
  const can = useCan();
  const creating = params.has('new');
  const list = useQuery({
    queryKey: ['identities', { page }],
    queryFn: () => unwrap(api.GET('/api/v1/identities', { params: { query: { page, page_size: PAGE_SIZE } } })),
    enabled: me !== undefined,
  });
  const setEnabled = useSetEnabled();
  const canCreate = can('identity', 'create', null);
  const canModify = can('identity', 'modify', null);
  const setCreating = (open: boolean) => {
    const next = new URLSearchParams(params);
    if (open) next.set('new', '');
    else next.delete('new');
    setParams(next);
  };
  return (
    <Page
      title="Identities"
      actions={
        <>
          {me && (
            <Link className="button" to={`/admin/identities/${encodeURIComponent(me.login)}`}>
              Your account
            </Link>
          )}
          {canCreate && !creating && (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              Create identity
            </button>
          )}
        </>
      }
    >
      <div className="admin-page hidden-captions">
        {canCreate && creating && <CreateIdentityForm onClose={() => setCreating(false)} />}
        <ErrorNotice error={list.error} what="list identities" />
        <ErrorNotice error={setEnabled.error} what="change the identity" />
        {me && !canModify && !list.error && (
          <p className="muted read-only-note">Read-only: your permission sets do not let you change identities.</p>
        )}
        {!list.error && (
          <>
            <DataTable
              rows={list.data?.data}
              rowKey={(row) => row.id}
              rowLink={(row) => `/admin/identities/${encodeURIComponent(row.login)}`}
              caption="Identities"
              empty="No identity."
              columns={[
                { header: 'Login', cell: (row) => row.login },
                { header: 'Display name', cell: (row) => row.display_name ?? <span className="muted">—</span>, wide: true },
                { header: 'Status', cell: (row) => <EnabledBadge enabled={row.enabled} /> },
                { header: 'Kind', cell: (row) => (row.has_password ? 'user' : 'service account'), wide: true },
                { header: 'Created', cell: (row) => <Time at={row.created} />, wide: true },
                ...(canModify
                  ? [
                      {
                        header: 'Actions',
                        cell: (row: Schemas['IdentityView']) => (
                          <EnableToggle identity={row} mutation={setEnabled} isSelf={row.login === me?.login} />
                        ),
                      },
                    ]
                  : []),
              ]}
            />
            <Pager pagination={list.data?.pagination} label="Pages of identities" />
          </>
        )}
      </div>
    </Page>
  );
}
