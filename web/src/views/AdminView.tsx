// Administration: identities (create, enable and disable), one identity's page (its details,
// the permission sets it holds, its API keys — which its owner manages without any grant),
// and permission sets (their grants as readable lines; create, edit as JSON, delete).
// Everything a caller's grants do not allow is left out; what the server still refuses is
// explained where it happened.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useCan, useMe } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { ApiError } from '../api/errors';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Page } from '../components/Page';
import { Time } from '../components/Time';
import './admin.css';

type Grant = Schemas['Grant'];
type PermissionSet = Schemas['PermissionSet'];

const PAGE_SIZE = 50;

/** The permission sets created at bootstrap: read-only through the API (`409`). */
export const BUILT_IN_SETS = ['admin', 'editor', 'operator', 'viewer'];

/** A grant as a line: `action@core: view, execute`. */
export function grantLine(grant: Grant): string {
  return `${grant.resource}${grant.pack ? `@${grant.pack}` : ''}: ${grant.verbs.join(', ')}`;
}

/** A grant in the compact form the API accepts: `action@core:view,execute`. */
export function compactGrant(grant: Grant): string {
  return `${grant.resource}${grant.pack ? `@${grant.pack}` : ''}:${grant.verbs.join(',')}`;
}

/** The grants text of the form, checked: the array to send, or why it cannot be sent. */
export function parseGrants(text: string): { grants: Schemas['GrantInput'][] } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (caught) {
    return { error: `Not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}` };
  }
  if (!Array.isArray(value)) return { error: 'Grants must be a JSON array, e.g. ["action@core:view,execute"].' };
  for (const [index, item] of value.entries()) {
    const isObject = item !== null && typeof item === 'object' && !Array.isArray(item);
    if (typeof item !== 'string' && !isObject) {
      return { error: `Grant ${index + 1} must be a string like "execution:view" or an object {"resource", "pack", "verbs"}.` };
    }
  }
  return { grants: value as Schemas['GrantInput'][] };
}

/** The messages of a 422 for the fields whose names start with `prefix` (`grants` covers `grants[0]`). */
function fieldErrors(error: unknown, ...names: string[]): string[] {
  if (!(error instanceof ApiError)) return [];
  const out: string[] = [];
  for (const [field, messages] of Object.entries(error.fields())) {
    const matches = names.some((name) => field === name || field.startsWith(`${name}[`) || field.startsWith(`${name}.`));
    if (matches) out.push(...messages.map((message) => (field === names[0] ? message : `${field}: ${message}`)));
  }
  return out;
}

/** Whether an error is only about the named fields (then it is shown beside them, not above the form). */
function onlyFields(error: unknown, names: string[]): boolean {
  if (!(error instanceof ApiError)) return false;
  const fields = Object.keys(error.fields());
  return fields.length > 0 && fields.every((field) => names.some((name) => field === name || field.startsWith(`${name}[`)));
}

/** A form control with its label, hint and errors wired for assistive technology. */
function Field({
  label,
  hint,
  errors = [],
  children,
}: {
  label: string;
  hint?: string;
  errors?: string[];
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const described = [hint && `${id}-hint`, errors.length > 0 && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {children({ id, 'aria-describedby': described || undefined, 'aria-invalid': errors.length > 0 || undefined })}
      {errors.length > 0 && (
        <span className="field-error" id={`${id}-error`}>
          {errors.join(' ')}
        </span>
      )}
    </div>
  );
}

/** A button whose action is asked to be confirmed in place first. */
function ConfirmButton({
  label,
  accessibleLabel,
  question,
  confirm,
  onConfirm,
  busy,
}: {
  label: string;
  accessibleLabel?: string;
  question: string;
  confirm: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const backFocus = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (backFocus.current) triggerRef.current?.focus();
    backFocus.current = false;
  }, [asking]);
  const cancel = () => {
    backFocus.current = true;
    setAsking(false);
  };
  if (!asking) {
    return (
      <button
        type="button"
        className="danger"
        ref={triggerRef}
        aria-label={accessibleLabel}
        onClick={() => setAsking(true)}
        disabled={busy}
      >
        {label}
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={question}
      onKeyDown={(event) => {
        if (event.key === 'Escape') cancel();
      }}
    >
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="danger"
        ref={confirmRef}
        disabled={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirm}
      </button>
      <button type="button" onClick={cancel}>
        Cancel
      </button>
    </span>
  );
}

/** Previous/next for a paged list whose page is in the query string. */
function Pager({ pagination }: { pagination: Schemas['Pagination'] | undefined }) {
  const [params, setParams] = useSearchParams();
  if (!pagination) return null;
  const pages = Math.max(1, Math.ceil(pagination.total / pagination.page_size));
  if (pages <= 1) return null;
  const go = (page: number) => {
    const next = new URLSearchParams(params);
    if (page <= 1) next.delete('page');
    else next.set('page', String(page));
    setParams(next);
  };
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={() => go(pagination.page - 1)} disabled={pagination.page <= 1}>
        Previous page
      </button>
      <span>
        Page {pagination.page} of {pages}
      </span>
      <button type="button" onClick={() => go(pagination.page + 1)} disabled={pagination.page >= pages}>
        Next page
      </button>
    </nav>
  );
}

function pageParam(params: URLSearchParams): number {
  const page = Number(params.get('page'));
  return Number.isInteger(page) && page > 0 ? page : 1;
}

function EnabledBadge({ enabled }: { enabled: boolean }) {
  return <span className={`badge badge-${enabled ? 'ok' : 'bad'}`}>{enabled ? 'enabled' : 'disabled'}</span>;
}

/** Enables or disables an identity (disabling revokes its tokens and API keys: asked first). */
function useSetEnabled() {
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

function EnableToggle({
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
      confirm={`Disable ${identity.login}`}
      busy={busy}
      onConfirm={() => mutation.mutate({ login: identity.login, enabled: false })}
    />
  );
}

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
  const error = create.error;
  const conflict = error instanceof ApiError && error.status === 409 ? [error.message] : [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const fields = ['login', 'display_name', 'password'];
  return (
    <form className="card admin-form" onSubmit={submit} aria-labelledby="create-identity-title">
      <h2 id="create-identity-title">New identity</h2>
      {error && !onlyFields(error, fields) && conflict.length === 0 && <ErrorNotice error={error} what="create the identity" />}
      <Field label="Login" hint="Letters, digits, '.', '_', '-' or '@'." errors={[...fieldErrors(error, 'login'), ...conflict]}>
        {(props) => <input {...props} name="login" autoComplete="off" required value={login} onChange={(e) => setLogin(e.target.value)} />}
      </Field>
      <Field label="Display name" hint="Optional: the name shown." errors={fieldErrors(error, 'display_name')}>
        {(props) => <input {...props} name="display_name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
      </Field>
      <Field
        label="Password"
        hint="At least 12 characters. Leave empty for a service account, which signs in with API keys only."
        errors={fieldErrors(error, 'password')}
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
  const page = pageParam(params);
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
      <div className="admin-page">
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
            <Pager pagination={list.data?.pagination} />
          </>
        )}
      </div>
    </Page>
  );
}

function IdentitySetsCard({ login, isSelf, canModify }: { login: string; isSelf: boolean; canModify: boolean }) {
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
                    confirm={`Remove ${set.ref}`}
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

const EXPIRIES = [
  { value: '', label: 'Never' },
  { value: String(86_400), label: 'In 1 day' },
  { value: String(7 * 86_400), label: 'In 7 days' },
  { value: String(30 * 86_400), label: 'In 30 days' },
  { value: String(90 * 86_400), label: 'In 90 days' },
  { value: String(365 * 86_400), label: 'In 1 year' },
];

/** The new key's secret, shown this once, with a copy button. */
function NewKey({ created, onDone }: { created: Schemas['CreatedApiKey']; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('yes');
    } catch {
      inputRef.current?.select();
      setCopied('failed');
    }
  };
  const id = useId();
  return (
    <div className="secret-panel" role="region" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Copy the key “{created.name}” now</h3>
      <p className="secret-warning">
        <strong>This is the only time it is shown.</strong> Attune keeps only a hash of it: once you leave or press Done,
        only its prefix <code>{created.prefix}</code> remains. If it is lost, revoke it and create another.
      </p>
      <div className="secret-row">
        <label htmlFor={id} className="admin-sr-only">
          New API key
        </label>
        <input id={id} ref={inputRef} className="mono" readOnly value={created.key} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={() => void copy()}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="hint" aria-live="polite">
        {copied === 'yes' && 'The key is on your clipboard.'}
        {copied === 'failed' && 'Copying is not allowed here: the key is selected, copy it with your keyboard.'}
      </p>
      <p className="muted">
        Use it as a bearer token: <code>Authorization: Bearer {created.prefix}…</code>
      </p>
      <button type="button" className="primary" onClick={onDone}>
        Done, hide the key
      </button>
    </div>
  );
}

function ApiKeysCard({ login, canManage }: { login: string; canManage: boolean }) {
  const client = useQueryClient();
  const keys = useQuery({
    queryKey: ['identity', login, 'api-keys'],
    queryFn: () => unwrap(api.GET('/api/v1/identities/{login}/api-keys', { params: { path: { login } } })).then((a) => a.data),
  });
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('');
  const [created, setCreated] = useState<Schemas['CreatedApiKey'] | null>(null);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/identities/{login}/api-keys', {
          params: { path: { login } },
          body: { name: name.trim(), expires_in_s: expiry ? Number(expiry) : null },
        }),
      ).then((a) => a.data),
    onSuccess: (key) => {
      setCreated(key);
      setName('');
      setExpiry('');
      void client.invalidateQueries({ queryKey: ['identity', login, 'api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/identities/{login}/api-keys/{id}', { params: { path: { login, id } } })),
    onSuccess: (_, id) => {
      if (created?.id === id) setCreated(null);
      void client.invalidateQueries({ queryKey: ['identity', login, 'api-keys'] });
    },
  });
  const error = create.error;
  const nameErrors = [...fieldErrors(error, 'name'), ...(error instanceof ApiError && error.status === 409 ? [error.message] : [])];
  const expiryErrors = fieldErrors(error, 'expires_in_s');
  const shownInline = nameErrors.length > 0 || expiryErrors.length > 0;
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="muted">Keys act as {login}, with its grants, for scripts and the command line.</p>
      {created && <NewKey created={created} onDone={() => setCreated(null)} />}
      <ErrorNotice error={keys.error} what="list its API keys" />
      <ErrorNotice error={revoke.error} what="revoke the API key" />
      {!keys.error && (
        <DataTable
          rows={keys.data}
          rowKey={(row) => row.id}
          caption={`API keys of ${login}`}
          empty="No API key."
          columns={[
            { header: 'Name', cell: (row) => row.name },
            { header: 'Key', cell: (row) => <code>{row.prefix}…</code> },
            { header: 'Created', cell: (row) => <Time at={row.created} />, wide: true },
            {
              header: 'Expires',
              cell: (row) => (row.expires_at ? <Time at={row.expires_at} /> : <span className="muted">never</span>),
            },
            { header: 'Last used', cell: (row) => (row.last_used ? <Time at={row.last_used} /> : <span className="muted">never</span>), wide: true },
            ...(canManage
              ? [
                  {
                    header: 'Actions',
                    cell: (row: Schemas['ApiKey']) => (
                      <ConfirmButton
                        label="Revoke"
                        accessibleLabel={`Revoke ${row.name}`}
                        question={`Revoke “${row.name}”? What uses it is refused at once.`}
                        confirm={`Revoke ${row.name}`}
                        busy={revoke.isPending}
                        onConfirm={() => revoke.mutate(row.id)}
                      />
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      {canManage && (
        <form
          className="admin-form key-form"
          aria-labelledby="new-key-title"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <h3 id="new-key-title">Add an API key</h3>
          {error && !shownInline && <ErrorNotice error={error} what="create the API key" />}
          <div className="form-row">
            <Field label="Name" hint="What the key is for (unique for this identity)." errors={nameErrors}>
              {(props) => (
                <input {...props} name="key_name" autoComplete="off" required value={name} onChange={(e) => setName(e.target.value)} />
              )}
            </Field>
            <Field label="Expires" errors={expiryErrors}>
              {(props) => (
                <select {...props} name="expires" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
                  {EXPIRIES.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create API key'}
          </button>
        </form>
      )}
    </section>
  );
}

export function IdentityView() {
  const { login = '' } = useParams();
  const { data: me } = useMe();
  const can = useCan();
  const isSelf = me?.login === login;
  const canView = isSelf || can('identity', 'view', null);
  const canModify = can('identity', 'modify', null);
  const identity = useQuery({
    queryKey: ['identity', login],
    queryFn: () => unwrap(api.GET('/api/v1/identities/{login}', { params: { path: { login } } })).then((a) => a.data),
    enabled: me !== undefined,
  });
  const setEnabled = useSetEnabled();
  const data = identity.data;
  const justCreated = (useLocation().state as { created?: boolean } | null)?.created === true;
  return (
    <Page
      title={isSelf ? `Your account: ${login}` : `Identity ${login}`}
      actions={
        <>
          {can('identity', 'view', null) && (
            <Link className="button" to="/admin/identities">
              All identities
            </Link>
          )}
          {data && canModify && <EnableToggle identity={data} mutation={setEnabled} isSelf={isSelf} />}
        </>
      }
    >
      <div className="admin-page">
        <ErrorNotice error={identity.error} what={`see the identity ${login}`} />
        <ErrorNotice error={setEnabled.error} what="change the identity" />
        {identity.isPending && me && <p className="muted">Loading…</p>}
        {data && justCreated && (data.permission_sets ?? []).length === 0 && (
          <p className="notice notice-ok" role="status">
            Created {data.login}. It holds no permission set yet: give it one below.
          </p>
        )}
        {data && (
          <>
            <section className="card" aria-labelledby="details-title">
              <h2 id="details-title">Details</h2>
              <dl className="facts">
                <dt>Login</dt>
                <dd>{data.login}</dd>
                <dt>Display name</dt>
                <dd>{data.display_name ?? <span className="muted">—</span>}</dd>
                <dt>Status</dt>
                <dd>
                  <EnabledBadge enabled={data.enabled} />
                </dd>
                <dt>Kind</dt>
                <dd>{data.has_password ? 'user (signs in with a password)' : 'service account (API keys only)'}</dd>
                <dt>Created</dt>
                <dd>
                  <Time at={data.created} />
                </dd>
                <dt>Changed</dt>
                <dd>
                  <Time at={data.updated} />
                </dd>
              </dl>
            </section>
            {canView && <IdentitySetsCard login={login} isSelf={isSelf} canModify={canModify} />}
            {canView && <ApiKeysCard login={login} canManage={isSelf || canModify} />}
          </>
        )}
      </div>
    </Page>
  );
}

function GrantLines({ grants, label }: { grants: Grant[]; label?: string }) {
  if (grants.length === 0) return <p className="muted">No grant.</p>;
  return (
    <ul className="grant-lines" aria-label={label}>
      {grants.map((grant, index) => (
        <li key={index}>
          <code>{grantLine(grant)}</code>
        </li>
      ))}
    </ul>
  );
}

/** Why a set cannot be changed here, if it cannot. */
function readOnlyReason(set: PermissionSet): string | null {
  if (set.pack_ref) return `defined by pack ${set.pack_ref}`;
  if (BUILT_IN_SETS.includes(set.ref)) return 'built in';
  return null;
}

const GRANTS_EXAMPLE = '[\n  "action@core:view,execute",\n  "execution:view"\n]';

function PermissionSetForm({ editing, onClose }: { editing: PermissionSet | null; onClose: () => void }) {
  const client = useQueryClient();
  const [ref, setRef] = useState(editing?.ref ?? '');
  const [label, setLabel] = useState(editing?.label ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [grants, setGrants] = useState(editing ? JSON.stringify(editing.grants.map(compactGrant), null, 2) : GRANTS_EXAMPLE);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: Schemas['PermissionSetInput']) =>
      editing
        ? unwrap(api.PUT('/api/v1/permission-sets/{set_ref}', { params: { path: { set_ref: editing.ref } }, body })).then((a) => a.data)
        : unwrap(api.POST('/api/v1/permission-sets', { body })).then((a) => a.data),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['permission-sets'] });
      void client.invalidateQueries({ queryKey: ['identity'] });
      void client.invalidateQueries({ queryKey: ['me'] });
      onClose();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseGrants(grants);
    if ('error' in parsed) {
      setJsonError(parsed.error);
      save.reset();
      return;
    }
    setJsonError(null);
    save.mutate({
      ...(editing ? {} : { ref: ref.trim() }),
      label: label.trim() || null,
      description: description.trim() || null,
      grants: parsed.grants,
    });
  };
  const error = save.error;
  // A grant the server could not even read (`invalid_body`) is about the grants too.
  const shapeError = error instanceof ApiError && error.code === 'invalid_body' && /grants/.test(error.message) ? [error.message] : [];
  const grantErrors = [...(jsonError ? [jsonError] : []), ...fieldErrors(error, 'grants'), ...shapeError];
  const fields = ['ref', 'label', 'description', 'grants'];
  const title = editing ? `Edit ${editing.ref}` : 'New permission set';
  return (
    <form className="card admin-form" onSubmit={submit} aria-labelledby="set-form-title" noValidate>
      <h2 id="set-form-title">{title}</h2>
      {error && !onlyFields(error, fields) && shapeError.length === 0 && (
        <ErrorNotice error={error} what={editing ? 'save the permission set' : 'create the permission set'} />
      )}
      {!editing && (
        <Field label="Ref" hint="A bare name: lowercase letters, digits, '_' and '-' (auditors)." errors={fieldErrors(error, 'ref')}>
          {(props) => <input {...props} name="ref" autoComplete="off" required value={ref} onChange={(e) => setRef(e.target.value)} />}
        </Field>
      )}
      <Field label="Label" hint="The name shown." errors={fieldErrors(error, 'label')}>
        {(props) => <input {...props} name="label" value={label} onChange={(e) => setLabel(e.target.value)} />}
      </Field>
      <Field label="Description" errors={fieldErrors(error, 'description')}>
        {(props) => <input {...props} name="description" value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <Field
        label="Grants (JSON)"
        hint='A JSON array; each grant "resource[@pack]:verb,verb" or {"resource", "pack", "verbs"}. Verbs: view, create, modify, delete, execute, respond; "*" is every resource type.'
        errors={grantErrors}
      >
        {(props) => (
          <textarea
            {...props}
            name="grants"
            rows={8}
            spellCheck={false}
            value={grants}
            onChange={(e) => {
              setGrants(e.target.value);
              setJsonError(null);
            }}
          />
        )}
      </Field>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : editing ? 'Save permission set' : 'Create permission set'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function PermissionSetsView() {
  const [params, setParams] = useSearchParams();
  const page = pageParam(params);
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
      <div className="admin-page">
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
                                confirm={`Delete ${set.ref}`}
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
            <Pager pagination={list.data?.pagination} />
          </>
        )}
      </div>
    </Page>
  );
}
