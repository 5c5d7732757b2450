// Copying to the clipboard, which the browser may refuse (no permission, not a secure
// context): the page says whether it worked, and what to do when it did not.
import { useState } from 'react';

/** Whether `text` was copied (`idle` until tried), and the function that copies it. */
export function useCopy(text: string, onFailed?: () => void): ['idle' | 'copied' | 'failed', () => void] {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      onFailed?.();
      setState('failed');
    }
  };
  return [state, () => void copy()];
}

/** A button copying `text`, with the outcome beside it. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, copy] = useCopy(text);
  return (
    <span className="copy">
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" className="muted">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'The browser refused; select the text and copy it.' : ''}
      </span>
    </span>
  );
}
