// JSON as a collapsible tree. Everything is rendered as text (never as HTML): results and
// payloads come from actions and webhooks, i.e. from anyone.
import { useState } from 'react';

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === 'string') return <span className="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="json-boolean">{String(value)}</span>;
  return <span>{String(value)}</span>;
}

function Node({ name, value, depth }: { name?: string; value: unknown; depth: number }) {
  const container = value !== null && typeof value === 'object';
  const [open, setOpen] = useState(depth < 2);
  const label = name !== undefined && <span className="json-key">{name}: </span>;
  if (!container) {
    return (
      <li>
        {label}
        <Scalar value={value} />
      </li>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const [opening, closing] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <li>
      <button type="button" className="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {label}
        {opening}
        {!open && ` … ${entries.length} ${entries.length === 1 ? 'item' : 'items'} ${closing}`}
      </button>
      {open && (
        <>
          <ul className="json-children">
            {entries.map(([key, child]) => (
              <Node key={key} name={key} value={child} depth={depth + 1} />
            ))}
          </ul>
          <span>{closing}</span>
        </>
      )}
    </li>
  );
}

export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <ul className="json" aria-label={label}>
      <Node value={value} depth={0} />
    </ul>
  );
}
