// A labelled form control: the label, a hint, the control, and the field's error under it,
// tied together for assistive technology (the hint and the error describe the control, which
// is marked invalid while there is an error).
import { useId, type ReactNode } from 'react';

/** What a form control gets from its [`Field`]: its id, and its description and validity. */
interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/** Ids of the help and error texts describing a control. */
export function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(' ') : undefined;
}

/** A field's error under it, tied to the control by `id` (`aria-describedby`). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span className="field-error" id={id}>
      {message}
    </span>
  );
}

/** The control is made by `children`, with the props that tie it to the label, hint and error. */
export function Field({
  id: given,
  label,
  hint,
  error,
  help,
  children,
}: {
  /** The control's id (a generated one when omitted). */
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  /** The id of more help elsewhere on the page that describes the control. */
  help?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const generated = useId();
  const id = given ?? generated;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy(hint ? `${id}-hint` : undefined, help, error && `${id}-error`),
      })}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
