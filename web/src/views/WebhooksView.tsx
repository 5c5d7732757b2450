// Webhooks: the registered ones with the URL to post to, a form registering one (with an
// optional signing secret, generated here if wanted and shown once, since the server never
// shows it again), and deletion. A post to a webhook fires `core.webhook`; a rule on that
// trigger with `trigger_parameters: {"name": ...}` reacts to it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useCan } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { ConfirmButton } from '../components/ConfirmButton';
import { CopyButton } from '../components/CopyButton';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { formErrors } from '../components/formErrors';
import { Page } from '../components/Page';
import { Pager, usePage } from '../components/Pager';
import { EnabledBadge } from '../components/StatusBadge';
import { Time } from '../components/Time';
import './automation.css';

type Webhook = Schemas['WebhookView'];

/** Where to post to webhook `name` on this server. */
export function webhookUrl(name: string, origin = window.location.origin): string {
  return `${origin}/api/v1/webhooks/${encodeURIComponent(name)}`;
}

/** 32 random bytes as hex: a secret for signing posts. */
function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A rule on this webhook's posts, prefilled. */
function newRuleLink(name: string): string {
  const query = new URLSearchParams({ trigger: 'core.webhook', trigger_parameters: JSON.stringify({ name }) });
  return `/rules/new?${query}`;
}

interface Created {
  webhook: Webhook;
  secret: string | null;
}

function CreatedNotice({ created, onDismiss }: { created: Created; onDismiss: () => void }) {
  const url = webhookUrl(created.webhook.name);
  const can = useCan();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card created-card" aria-labelledby="webhook-created">
      <h2 id="webhook-created" ref={heading} tabIndex={-1}>
        Webhook {created.webhook.name} registered
      </h2>
      <p className="secret-once">
        Post JSON to <code>{url}</code> <CopyButton text={url} label="Copy the URL" />
      </p>
      {created.secret ? (
        <>
          <p>
            <strong>Its secret is shown only now</strong>: keep it where the sender can use it. Senders sign the raw body
            with it: <code>X-Attune-Signature: sha256=&lt;hex of HMAC-SHA256(secret, body)&gt;</code>
            {created.webhook.replay_window_s != null && (
              <>
                , with <code>X-Attune-Timestamp</code> (signing <code>&lt;timestamp&gt;.&lt;body&gt;</code>), within{' '}
                {created.webhook.replay_window_s} s of the server's clock
              </>
            )}
            .
          </p>
          <p className="secret-once">
            <code aria-label="The webhook's secret">{created.secret}</code>
            <CopyButton text={created.secret} label="Copy the secret" />
          </p>
        </>
      ) : (
        <p>It has no secret: posts need an API token (a bearer credential with execute on webhook).</p>
      )}
      <p className="form-actions">
        {can('rule', 'create') && <Link to={newRuleLink(created.webhook.name)}>Create a rule on it</Link>}
        <button type="button" onClick={onDismiss}>
          Done
        </button>
      </p>
    </section>
  );
}

function WebhookForm({ onCreated }: { onCreated: (created: Created) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState('');
  const [replay, setReplay] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (body: Schemas['NewWebhook']) => unwrap(api.POST('/api/v1/webhooks', { body })),
    onSuccess: (answer, body) => {
      void client.invalidateQueries({ queryKey: ['webhooks'] });
      onCreated({ webhook: answer.data, secret: body.secret ?? null });
      setName('');
      setDescription('');
      setSecret('');
      setReplay('');
    },
  });
  const server = formErrors(create.error, ['name', 'description', 'secret', 'replay_window_s']);
  const errors: Record<string, string | undefined> = { ...server.fields, ...local };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = 'A name is needed.';
    if (secret && secret.length < 16) found.secret = 'At least 16 characters.';
    let replayWindow: number | null = null;
    if (replay.trim()) {
      replayWindow = Number(replay);
      if (!Number.isInteger(replayWindow) || replayWindow < 1 || replayWindow > 86400) {
        found.replay_window_s = 'A whole number of seconds, 1 to 86400.';
      } else if (!secret) {
        found.replay_window_s = 'Needs a secret: timestamps are signed with it.';
      }
    }
    setLocal(found);
    if (Object.keys(found).length > 0) {
      create.reset();
      return;
    }
    create.mutate({
      name: name.trim(),
      description: description.trim() || null,
      secret: secret || null,
      replay_window_s: replayWindow,
    });
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-webhook">
      <h2 id="new-webhook">Register a webhook</h2>
      <ErrorNotice error={server.general} what="register the webhook" />
      <div className="form-grid">
        <Field
          id="webhook-name"
          label="Name"
          hint={
            <>
              Lowercase letters, digits, <code>_</code> and <code>-</code>; the last part of its URL.
            </>
          }
          error={errors.name}
        >
          {(control) => (
            <input {...control} name="name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} required />
          )}
        </Field>
        <Field id="webhook-description" label="Description" error={errors.description}>
          {(control) => <input {...control} name="description" value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <div>
          <Field
            id="webhook-secret"
            label="Secret"
            hint="Optional, at least 16 characters: lets senders sign posts instead of holding an API token. Shown once."
            error={errors.secret}
          >
            {(control) => (
              <input
                {...control}
                name="secret"
                type="password"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                autoComplete="new-password"
              />
            )}
          </Field>
          <p>
            <button type="button" onClick={() => setSecret(randomSecret())}>
              Generate a secret
            </button>
          </p>
        </div>
        <Field
          id="webhook-replay"
          label="Replay window (seconds)"
          hint="Optional, with a secret: posts must carry a signed timestamp this close to the server's clock, and each signature is accepted once."
          error={errors.replay_window_s}
        >
          {(control) => <input {...control} name="replay_window_s" inputMode="numeric" value={replay} onChange={(e) => setReplay(e.target.value)} />}
        </Field>
      </div>
      <button type="submit" className="primary" disabled={create.isPending}>
        {create.isPending ? 'Registering…' : 'Register webhook'}
      </button>
    </form>
  );
}

export function WebhooksView() {
  const can = useCan();
  const client = useQueryClient();
  const page = usePage();
  const [created, setCreated] = useState<Created | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const webhooks = useQuery({
    queryKey: ['webhooks', { page }],
    queryFn: () => unwrap(api.GET('/api/v1/webhooks', { params: { query: { page } } })),
  });
  const remove = useMutation({
    mutationFn: (name: string) => unwrap(api.DELETE('/api/v1/webhooks/{name}', { params: { path: { name } } })),
    onSuccess: (_answer, name) => {
      setAnnouncement(`Webhook ${name} deleted.`);
      if (created?.webhook.name === name) setCreated(null);
      void client.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  const mayDelete = can('webhook', 'delete', null);
  const columns: Column<Webhook>[] = [
    {
      header: 'Webhook',
      cell: (w) => (
        <>
          <strong>{w.name}</strong>
          {w.description && <span className="hint">{w.description}</span>}
          <span className="url-cell">
            <code>{webhookUrl(w.name)}</code>
          </span>
        </>
      ),
    },
    {
      header: 'Posts',
      cell: (w) =>
        w.signed
          ? w.replay_window_s != null
            ? `signed, timestamped (±${w.replay_window_s} s)`
            : 'signed or with a token'
          : 'with a token',
      wide: true,
    },
    { header: 'State', cell: (w) => <EnabledBadge enabled={w.enabled} /> },
    { header: 'Registered', cell: (w) => <Time at={w.created} />, wide: true },
    {
      header: 'Use',
      cell: (w) => (
        <span className="row-actions">
          <CopyButton text={webhookUrl(w.name)} label="Copy URL" />
          {can('rule', 'create') && (
            <Link to={newRuleLink(w.name)} aria-label={`New rule (${w.name})`}>
              New rule
            </Link>
          )}
          {mayDelete && (
            <ConfirmButton
              label="Delete"
              accessibleLabel={`Delete webhook ${w.name}`}
              question={`Delete webhook ${w.name}? Posts to it will be refused.`}
              confirmLabel="Yes, delete it"
              busy={remove.isPending}
              onConfirm={() => remove.mutate(w.name)}
            />
          )}
        </span>
      ),
    },
  ];
  return (
    <Page
      title="Webhooks"
      actions={
        can('webhook', 'create', null) && (
          <button type="button" className="primary" aria-expanded={formOpen} onClick={() => setFormOpen((open) => !open)}>
            {formOpen ? 'Close the form' : 'Register a webhook'}
          </button>
        )
      }
    >
      <p className="muted">
        A post to a webhook fires the <Link to="/triggers?ref=core.webhook">core.webhook</Link> trigger with payload{' '}
        <code>{'{name, headers, body}'}</code>; rules on it with <code>{'{"name": …}'}</code> as trigger parameters react
        to that webhook's posts.
      </p>
      {created && <CreatedNotice created={created} onDismiss={() => setCreated(null)} />}
      {formOpen && can('webhook', 'create', null) && (
        <WebhookForm
          onCreated={(c) => {
            setCreated(c);
            setFormOpen(false);
          }}
        />
      )}
      <p role="status" className="muted">
        {announcement}
      </p>
      <ErrorNotice error={remove.error} what="delete the webhook" />
      <ErrorNotice error={webhooks.error} what="list the webhooks" />
      {!webhooks.error && (
        <DataTable
          caption="Registered webhooks"
          rows={webhooks.data?.data}
          columns={columns}
          rowKey={(w) => w.name}
          empty="No webhooks registered. Any name may still be posted to with an API token."
        />
      )}
      <Pager pagination={webhooks.data?.pagination} label="Pages of webhooks" />
    </Page>
  );
}
