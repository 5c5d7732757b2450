// An identity's API keys: listed by their prefix, created (the secret shown this once: the
// server keeps only its hash) and revoked. Its owner manages them without any grant.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { useCopy } from '../../components/CopyButton';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { conflictMessage, formErrors } from '../../components/formErrors';
import { Time } from '../../components/Time';

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
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);
  // Refused, the key is left selected for the keyboard.
  const [copied, copy] = useCopy(created.key, () => inputRef.current?.select());
  const id = useId();
  return (
    <div className="secret-panel" role="region" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Copy the key “{created.name}” now</h3>
      <p className="secret-warning">
        <strong>This is the only time it is shown.</strong> Attune keeps only a hash of it: once you leave or press Done,
        only its prefix <code>{created.prefix}</code> remains. If it is lost, revoke it and create another.
      </p>
      <div className="secret-row">
        <label htmlFor={id} className="visually-hidden">
          New API key
        </label>
        <input id={id} ref={inputRef} className="mono" readOnly value={created.key} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={copy}>
          {copied === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="hint" aria-live="polite">
        {copied === 'copied' && 'The key is on your clipboard.'}
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

export function ApiKeysCard({ login, canManage }: { login: string; canManage: boolean }) {
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
  const server = formErrors(create.error, ['name', 'expires_in_s']);
  const conflict = conflictMessage(create.error);
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
                        confirmLabel={`Revoke ${row.name}`}
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
          {!conflict && <ErrorNotice error={server.general} what="create the API key" />}
          <div className="form-row">
            <Field label="Name" hint="What the key is for (unique for this identity)." error={server.fields.name ?? conflict}>
              {(props) => (
                <input {...props} name="key_name" autoComplete="off" required value={name} onChange={(e) => setName(e.target.value)} />
              )}
            </Field>
            <Field label="Expires" error={server.fields.expires_in_s}>
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
