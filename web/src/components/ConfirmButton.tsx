// Destructive actions (delete, revoke, disable) ask again in place rather than in a dialog:
// the first press shows the question with a confirming button, focused; Cancel or Escape
// puts focus back on the button.
import { useEffect, useRef, useState } from 'react';

export function ConfirmButton({
  label,
  accessibleLabel,
  question,
  confirmLabel,
  onConfirm,
  busy = false,
}: {
  label: string;
  /** A fuller name for assistive technology (`Delete key api_token`). */
  accessibleLabel?: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  /** Disables both buttons (the action is under way). */
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (returnFocus.current) buttonRef.current?.focus();
    returnFocus.current = false;
  }, [asking]);
  const cancel = () => {
    returnFocus.current = true;
    setAsking(false);
  };
  if (!asking) {
    return (
      <button
        type="button"
        className="danger"
        ref={buttonRef}
        aria-label={accessibleLabel}
        disabled={busy}
        onClick={() => setAsking(true)}
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
        {confirmLabel}
      </button>
      <button type="button" onClick={cancel}>
        Cancel
      </button>
    </span>
  );
}
