// Running an execution again, with its parameters edited as JSON: only the values changed
// are sent, so that masked secrets left alone keep their value; a finished workflow may start
// again from one of its tasks.
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { refusedFields } from '../../components/formErrors';
import { parseObject } from '../../components/json';
import { isFinished, type Execution } from './executionParts';

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The parameters that differ from the original ones (so masked secrets, left alone, are kept). */
export function changedParameters(original: Record<string, unknown>, edited: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(edited).filter(([key, value]) => !(key in original) || !equal(value, original[key])));
}

export function Rerun({ execution, run, onClose }: { execution: Execution; run: Schemas['RunView'] | undefined; onClose: () => void }) {
  const navigate = useNavigate();
  const [text, setText] = useState(() => JSON.stringify(execution.parameters, null, 2));
  const [task, setTask] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const errorId = useId();
  const rerun = useMutation({
    mutationFn: (body: Schemas['RerunRequest']) =>
      unwrap(api.POST('/api/v1/executions/{id}/rerun', { params: { path: { id: execution.id } }, body })),
    onSuccess: (answer) => navigate(`/executions/${answer.data.id}`),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const edited = parseObject(text);
    if ('error' in edited) {
      setParseError(edited.error);
      return;
    }
    setParseError(null);
    const changed = changedParameters(execution.parameters, edited.value);
    rerun.mutate({
      parameters: Object.keys(changed).length ? changed : null,
      task: task || null,
    });
  };
  const fieldErrors = Object.entries(refusedFields(rerun.error) ?? {});
  const invalid = parseError !== null || fieldErrors.length > 0;
  const finishedWorkflow = run && isFinished(execution.status);
  return (
    <section className="card" aria-labelledby="rerun-title">
      <h2 id="rerun-title">Run again</h2>
      <form onSubmit={submit} noValidate>
        <label>
          Parameters (JSON)
          <span className="hint">
            Only the values you change are sent; the others (secrets shown as ******** among them) keep their original value.
          </span>
          <textarea
            className="ex-params"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={Math.min(16, Math.max(4, text.split('\n').length + 1))}
            spellCheck={false}
            aria-invalid={invalid}
            aria-describedby={invalid ? errorId : undefined}
          />
        </label>
        {(parseError || fieldErrors.length > 0) && (
          <div id={errorId} role="alert">
            {fieldErrors.length > 0 && <span className="field-error">The server refused these parameters:</span>}
            {parseError && <span className="field-error">{parseError}</span>}
            {fieldErrors.map(([field, messages]) => (
              <span key={field} className="field-error">
                {field}: {messages.join('; ')}
              </span>
            ))}
          </div>
        )}
        {finishedWorkflow && (
          <label>
            Start from task
            <span className="hint">The variables the run published are kept and the tasks it completed are not run again.</span>
            <select value={task} onChange={(e) => setTask(e.target.value)}>
              <option value="">The beginning</option>
              {run.tasks.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {rerun.error != null && fieldErrors.length === 0 && <ErrorNotice error={rerun.error} what="run it again" />}
        <div className="ex-form-actions">
          <button type="submit" className="primary" disabled={rerun.isPending}>
            {rerun.isPending ? 'Starting…' : 'Run again'}
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </section>
  );
}
