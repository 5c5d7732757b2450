// Keys: the datastore. The list (scope, owner and name prefix in the URL) masks encrypted
// values; "Reveal" asks the server for one in clear (`decrypt=true`, which needs execute on
// key, or owning it) and keeps it only in this page's memory until hidden. Setting a key
// (create or replace) and deleting one follow the caller's key grants.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useCan, useMe, type Verb } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { packOf } from '../api/refs';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { formErrors } from '../components/formErrors';
import { Options } from '../components/Options';
import { Page } from '../components/Page';
import { Pager, usePage } from '../components/Pager';
import { Time } from '../components/Time';
import { useParam } from '../components/useParam';
import './automation.css';

type Key = Schemas['KeyView'];
type Scope = Schemas['KeyOwnerType'];

const SCOPES: Scope[] = ['system', 'identity', 'pack', 'action', 'sensor'];

function isScope(text: string): text is Scope {
  return (SCOPES as string[]).includes(text);
}

/** How a key is addressed: name in the path, scope and owner in the query. */
interface Address {
  name: string;
  scope: Scope;
  owner?: string;
}

function addressOf(key: Key): Address {
  return { name: key.name, scope: key.scope, owner: key.scope === 'system' ? undefined : (key.owner ?? undefined) };
}

function query(address: Address) {
  return { scope: address.scope, owner: address.scope === 'system' ? undefined : address.owner || undefined };
}

/** The pack whose grants cover keys of `scope` owned by `owner` (none for system and identity keys). */
export function keyPack(scope: Scope, owner: string | null | undefined): string | null {
  if (scope === 'pack') return owner ?? null;
  if (scope === 'action' || scope === 'sensor') return owner?.includes('.') ? packOf(owner) : null;
  return null;
}

/** Whether the caller may apply `verb` to the keys of `owner` in `scope`, as the server decides. */
function useKeyGrant(): (scope: Scope, owner: string | null | undefined, verb: Verb) => boolean {
  const can = useCan();
  const { data: me } = useMe();
  return (scope, owner, verb) => {
    if (scope === 'identity' && me && (owner ?? me.login) === me.login) return true;
    return can('key', verb, keyPack(scope, owner));
  };
}

interface Draft {
  name: string;
  scope: Scope;
  owner: string;
  value: string;
  encrypted: boolean;
  ttl: string;
  /** Replacing a listed key: its address is fixed. */
  replacing: boolean;
}

const EMPTY: Draft = { name: '', scope: 'system', owner: '', value: '', encrypted: true, ttl: '', replacing: false };

function KeyForm({ initial, onDone }: { initial: Draft; onDone: (message: string) => void }) {
  const client = useQueryClient();
  const { data: me } = useMe();
  const [draft, setDraft] = useState(initial);
  const [local, setLocal] = useState<Record<string, string>>({});
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => setDraft((d) => ({ ...d, [name]: value }));
  const save = useMutation({
    mutationFn: ({ address, body }: { address: Address; body: Schemas['KeyInput'] }) =>
      unwrap(api.PUT('/api/v1/keys/{name}', { params: { path: { name: address.name }, query: query(address) }, body })),
    onSuccess: (answer) => {
      void client.invalidateQueries({ queryKey: ['keys'] });
      onDone(`Key ${answer.data.ref} saved${answer.data.encrypted ? ', encrypted' : ''}.`);
    },
  });
  const server = formErrors(save.error, ['name', 'scope', 'owner', 'value', 'encrypted', 'ttl_s']);
  const errors: Record<string, string | undefined> = { ...server.fields, ...local };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!draft.name.trim()) found.name = 'A name is needed.';
    if (draft.scope !== 'system' && draft.scope !== 'identity' && !draft.owner.trim()) {
      found.owner = `Name the ${draft.scope} that owns the key.`;
    }
    let ttl: number | null = null;
    if (draft.ttl.trim()) {
      ttl = Number(draft.ttl);
      if (!Number.isInteger(ttl) || ttl < 1) found.ttl_s = 'A whole number of seconds, at least 1.';
    }
    setLocal(found);
    if (Object.keys(found).length > 0) {
      save.reset();
      return;
    }
    save.mutate({
      address: { name: draft.name.trim(), scope: draft.scope, owner: draft.owner.trim() || undefined },
      body: { value: draft.value, encrypted: draft.encrypted, ttl_s: ttl },
    });
  };
  const ownerHint =
    draft.scope === 'identity'
      ? `A login; yours (${me?.login ?? '…'}) when empty.`
      : draft.scope === 'pack'
        ? 'The pack ref.'
        : `The ${draft.scope} ref (pack.name).`;
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="key-form-title">
      <h2 id="key-form-title">{draft.replacing ? `Replace key ${draft.name}` : 'Set a key'}</h2>
      <ErrorNotice error={server.general} what="save the key" />
      <div className="form-grid">
        <Field
          id="key-name"
          label="Name"
          hint={
            <>
              Letters, digits, <code>_</code>, <code>-</code> and <code>.</code>; an existing key of that name is replaced.
            </>
          }
          error={errors.name}
        >
          {(control) => (
            <input
              {...control}
              ref={first}
              name="name"
              value={draft.name}
              readOnly={draft.replacing}
              onChange={(e) => set('name', e.target.value)}
              autoComplete="off"
              spellCheck={false}
              required
            />
          )}
        </Field>
        <Field id="key-scope" label="Scope" error={errors.scope}>
          {(control) => (
            <select {...control} name="scope" value={draft.scope} disabled={draft.replacing} onChange={(e) => set('scope', e.target.value as Scope)}>
              <Options values={SCOPES} />
            </select>
          )}
        </Field>
        {draft.scope !== 'system' && (
          <Field id="key-owner" label="Owner" hint={ownerHint} error={errors.owner}>
            {(control) => (
              <input
                {...control}
                name="owner"
                value={draft.owner}
                readOnly={draft.replacing}
                onChange={(e) => set('owner', e.target.value)}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
        )}
        <Field
          id="key-value"
          label="Value"
          hint={draft.encrypted ? 'Stored encrypted; shown masked from now on.' : undefined}
          error={errors.value}
        >
          {(control) => (
            <input
              {...control}
              name="value"
              type={draft.encrypted ? 'password' : 'text'}
              value={draft.value}
              onChange={(e) => set('value', e.target.value)}
              autoComplete={draft.encrypted ? 'new-password' : 'off'}
              spellCheck={false}
            />
          )}
        </Field>
        <Field id="key-ttl" label="Expires after (seconds)" hint="Optional; never when empty." error={errors.ttl_s}>
          {(control) => <input {...control} name="ttl_s" inputMode="numeric" value={draft.ttl} onChange={(e) => set('ttl', e.target.value)} />}
        </Field>
      </div>
      <label className="checkbox">
        <input type="checkbox" name="encrypted" checked={draft.encrypted} onChange={(e) => set('encrypted', e.target.checked)} />
        Encrypted (AES-256-GCM; for secrets)
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save key'}
        </button>
        <button type="button" onClick={() => onDone('')}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function KeysView() {
  const can = useCan();
  const allowed = useKeyGrant();
  const client = useQueryClient();
  const [scopeText, setScope] = useParam('scope');
  const [owner, setOwner] = useParam('owner');
  const [prefix, setPrefix] = useParam('prefix');
  const page = usePage();
  const [form, setForm] = useState<Draft | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const [revealed, setRevealed] = useState<Record<number, string>>({});
  // Without a grant to list every key, the caller's own identity keys are what there is.
  const mayListAll = can('key', 'view', null);
  const scope: Scope | undefined = isScope(scopeText) ? scopeText : mayListAll ? undefined : 'identity';
  const ownerFilter = scope && scope !== 'system' ? owner || undefined : undefined;
  const keys = useQuery({
    queryKey: ['keys', { scope, owner: ownerFilter, prefix, page }],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/keys', {
          params: { query: { scope, owner: ownerFilter, prefix: prefix || undefined, page } },
        }),
      ),
  });
  const reveal = useMutation({
    mutationFn: (key: Key) =>
      unwrap(
        api.GET('/api/v1/keys/{name}', {
          params: { path: { name: key.name }, query: { ...query(addressOf(key)), decrypt: true } },
        }),
      ),
    onSuccess: (answer, key) => setRevealed((r) => ({ ...r, [key.id]: answer.data.value })),
  });
  const remove = useMutation({
    mutationFn: (key: Key) =>
      unwrap(api.DELETE('/api/v1/keys/{name}', { params: { path: { name: key.name }, query: query(addressOf(key)) } })),
    onSuccess: (_answer, key) => {
      setAnnouncement(`Key ${key.ref} deleted.`);
      setRevealed(({ [key.id]: _gone, ...rest }) => rest);
      void client.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const hide = (key: Key) => setRevealed(({ [key.id]: _gone, ...rest }) => rest);
  const open = (draft: Draft) => {
    setAnnouncement('');
    setForm(draft);
    setFormKey((n) => n + 1);
  };
  const maySet = can('key', 'create') || can('key', 'modify');

  const columns: Column<Key>[] = [
    {
      header: 'Key',
      cell: (key) => (
        <>
          <code>{key.name}</code>
          <span className="hint">
            {key.scope}
            {key.owner ? ` · ${key.owner}` : ''}
          </span>
        </>
      ),
    },
    {
      header: 'Value',
      cell: (key) => {
        const clear = revealed[key.id];
        if (key.encrypted && clear === undefined) {
          return (
            <span className="value-cell">
              <span className="value-masked">********</span> <span className="muted">(encrypted)</span>
            </span>
          );
        }
        return (
          <span className="value-cell">
            <code>{key.encrypted ? clear : key.value}</code>
          </span>
        );
      },
    },
    { header: 'Encrypted', cell: (key) => (key.encrypted ? 'yes' : 'no'), wide: true },
    { header: 'Expires', cell: (key) => (key.expires_at ? <Time at={key.expires_at} /> : <span className="muted">never</span>), wide: true },
    { header: 'Changed', cell: (key) => <Time at={key.updated} />, wide: true },
    {
      header: 'Do',
      cell: (key) => {
        const shown = revealed[key.id] !== undefined;
        return (
          <span className="row-actions">
            {key.encrypted &&
              allowed(key.scope, key.owner, 'execute') &&
              (shown ? (
                <button type="button" onClick={() => hide(key)} aria-label={`Hide ${key.ref}`}>
                  Hide
                </button>
              ) : (
                <button
                  type="button"
                  disabled={reveal.isPending && reveal.variables?.id === key.id}
                  onClick={() => reveal.mutate(key)}
                  aria-label={`Reveal ${key.ref}`}
                >
                  Reveal
                </button>
              ))}
            {allowed(key.scope, key.owner, 'modify') && (
              <button
                type="button"
                aria-label={`Replace ${key.ref}`}
                onClick={() =>
                  open({
                    name: key.name,
                    scope: key.scope,
                    owner: key.owner ?? '',
                    value: '',
                    encrypted: key.encrypted,
                    ttl: '',
                    replacing: true,
                  })
                }
              >
                Replace
              </button>
            )}
            {allowed(key.scope, key.owner, 'delete') && (
              <ConfirmButton
                label="Delete"
                accessibleLabel={`Delete ${key.ref}`}
                question={`Delete key ${key.ref}?`}
                confirmLabel="Yes, delete it"
                busy={remove.isPending}
                onConfirm={() => remove.mutate(key)}
              />
            )}
          </span>
        );
      },
    },
  ];

  return (
    <Page
      title="Keys"
      actions={
        maySet && (
          <button type="button" className="primary" onClick={() => open(EMPTY)}>
            Set a key
          </button>
        )
      }
    >
      <div className="filters" role="search" aria-label="Filter keys">
        <label>
          Scope
          <select value={scope ?? ''} onChange={(e) => setScope(e.target.value)}>
            {mayListAll && <option value="">Every scope</option>}
            <Options values={SCOPES} />
          </select>
        </label>
        {scope && scope !== 'system' && (
          <label>
            Owner
            <input value={owner} onChange={(e) => setOwner(e.target.value.trim())} placeholder={scope === 'identity' ? 'you' : 'any'} />
          </label>
        )}
        <label>
          Name starts with
          <input value={prefix} onChange={(e) => setPrefix(e.target.value)} spellCheck={false} />
        </label>
      </div>
      {form && (
        <KeyForm
          key={formKey}
          initial={form}
          onDone={(message) => {
            setForm(null);
            setAnnouncement(message);
            // A replaced value is no longer the one revealed.
            if (message) setRevealed({});
          }}
        />
      )}
      <p role="status" className="muted">
        {announcement}
      </p>
      <ErrorNotice error={reveal.error} what={`reveal ${reveal.variables?.ref ?? 'the key'}`} />
      <ErrorNotice error={remove.error} what="delete the key" />
      <ErrorNotice error={keys.error} what="list the keys" />
      {!keys.error && (
        <DataTable
          caption="Keys; encrypted values are masked"
          rows={keys.data?.data}
          columns={columns}
          rowKey={(key) => key.id}
          empty={scope || prefix ? 'No key matches these filters.' : 'No keys yet.'}
        />
      )}
      <Pager pagination={keys.data?.pagination} label="Pages of keys" />
    </Page>
  );
}
