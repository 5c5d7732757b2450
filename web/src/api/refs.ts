// Refs name a pack's components, `pack.name`: grants are given per pack, so the UI often
// needs the pack of a ref.

/** The pack of a ref (`core.echo` → `core`; a ref without a dot is a pack's own). */
export function packOf(ref: string): string {
  const dot = ref.indexOf('.');
  return dot < 0 ? ref : ref.slice(0, dot);
}
