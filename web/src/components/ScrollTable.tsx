// A table wider than a narrow screen scrolls inside its frame, never the page. The frame is
// focusable so that keyboard users can scroll it too; with a label it is a named region.
import type { ReactNode } from 'react';

export function ScrollTable({ label, children }: { label?: string; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role={label ? 'region' : undefined} aria-label={label}>
      {children}
    </div>
  );
}
