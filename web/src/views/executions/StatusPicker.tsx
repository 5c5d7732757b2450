// The status filter of the executions list: a menu of checkboxes, ticked at once while the
// URL follows, closed by a click elsewhere or Escape.
import { useEffect, useRef, useState } from 'react';
import { STATUSES } from './executionParts';

/** `committed` is the URL's comma-separated statuses; `onChange` gets the new choice. */
export function StatusPicker({ committed, onChange }: { committed: string; onChange: (statuses: string[]) => void }) {
  // Ticked at once; the URL follows (a navigation, which may land a moment later).
  const [chosen, setChosen] = useState(() => (committed ? committed.split(',') : []));
  const [seen, setSeen] = useState(committed);
  if (seen !== committed) {
    setSeen(committed);
    setChosen(committed ? committed.split(',') : []);
  }
  const choose = (statuses: string[]) => {
    setChosen(statuses);
    onChange(statuses);
  };
  const toggle = (status: string, on: boolean) =>
    choose(STATUSES.filter((s) => (s === status ? on : chosen.includes(s))));
  // Open, it closes on a click elsewhere or Escape, like any menu.
  const picker = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const element = picker.current;
    if (!element) return undefined;
    const outside = (event: MouseEvent) => {
      if (element.open && !element.contains(event.target as Node)) element.open = false;
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && element.open) {
        element.open = false;
        element.querySelector('summary')?.focus();
      }
    };
    document.addEventListener('click', outside);
    element.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('click', outside);
      element.removeEventListener('keydown', escape);
    };
  }, []);
  return (
    <details className="ex-status-picker" ref={picker}>
      <summary>
        Status: <span className="ex-status-summary">{chosen.length ? chosen.join(', ') : 'any'}</span>
      </summary>
      <fieldset>
        <legend>Show executions that are</legend>
        <div className="ex-status-options">
          {STATUSES.map((status) => (
            <label key={status} className="ex-check">
              <input type="checkbox" checked={chosen.includes(status)} onChange={(e) => toggle(status, e.target.checked)} />
              {status}
            </label>
          ))}
        </div>
        {chosen.length > 0 && (
          <button type="button" className="ghost" onClick={() => choose([])}>
            Any status
          </button>
        )}
      </fieldset>
    </details>
  );
}
