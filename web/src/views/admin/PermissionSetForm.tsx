// The form that creates a permission set or edits one: its label, description and grants,
// the grants as JSON (checked before sending; the server's refusal shown beside them).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { formErrors } from '../../components/formErrors';
import { compactGrant, parseGrants } from './grants';

type PermissionSet = Schemas['PermissionSet'];

const GRANTS_EXAMPLE = '[\n  "action@core:view,execute",\n  "execution:view"\n]';

export function PermissionSetForm({ editing, onClose }: { editing: PermissionSet | null; onClose: () => void }) {
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
  const server = formErrors(error, ['ref', 'label', 'description', 'grants']);
  // A grant the server could not even read (`invalid_body`) is about the grants too.
  const shapeError = error instanceof ApiError && error.code === 'invalid_body' && /grants/.test(error.message) ? error.message : undefined;
  const grantErrors = [jsonError, server.fields.grants, shapeError].filter(Boolean).join(' ');
  const title = editing ? `Edit ${editing.ref}` : 'New permission set';
  return (
    <form className="card admin-form" onSubmit={submit} aria-labelledby="set-form-title" noValidate>
      <h2 id="set-form-title">{title}</h2>
      {!shapeError && <ErrorNotice error={server.general} what={editing ? 'save the permission set' : 'create the permission set'} />}
      {!editing && (
        <Field label="Ref" hint="A bare name: lowercase letters, digits, '_' and '-' (auditors)." error={server.fields.ref}>
          {(props) => <input {...props} name="ref" autoComplete="off" required value={ref} onChange={(e) => setRef(e.target.value)} />}
        </Field>
      )}
      <Field label="Label" hint="The name shown." error={server.fields.label}>
        {(props) => <input {...props} name="label" value={label} onChange={(e) => setLabel(e.target.value)} />}
      </Field>
      <Field label="Description" error={server.fields.description}>
        {(props) => <input {...props} name="description" value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <Field
        label="Grants (JSON)"
        hint='A JSON array; each grant "resource[@pack]:verb,verb" or {"resource", "pack", "verbs"}. Verbs: view, create, modify, delete, execute, respond; "*" is every resource type.'
        error={grantErrors || undefined}
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
