// The pages describe a thing as a list of facts (`<dl className="facts">`): a term and its
// description each, many shown only when known.
import type { ReactNode } from 'react';

export function Fact({ label, className, children }: { label: ReactNode; className?: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={className}>{children}</dd>
    </>
  );
}
