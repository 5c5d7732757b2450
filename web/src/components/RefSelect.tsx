// Choosing a pack's component by its ref: every ref of a kind (fetched once a minute at most,
// shared by the pages), a select of them with "any" first, and the pack filter of the lists.
import { useQuery } from '@tanstack/react-query';
import { useCan } from '../api/access';
import { api, unwrap } from '../api/client';
import { Options } from './Options';

/** Every ref of a component list (first 1000), for selects; undefined while loading or refused. */
export function useRefs(kind: 'triggers' | 'actions' | 'packs' | 'rules', enabled = true): string[] | undefined {
  const { data } = useQuery({
    queryKey: ['refs', kind],
    queryFn: async (): Promise<string[]> => {
      const query = { params: { query: { page_size: 1000 } } };
      switch (kind) {
        case 'triggers':
          return (await unwrap(api.GET('/api/v1/triggers', query))).data.map((t) => t.ref);
        case 'actions':
          return (await unwrap(api.GET('/api/v1/actions', query))).data.map((a) => a.ref);
        case 'packs':
          return (await unwrap(api.GET('/api/v1/packs', query))).data.map((p) => p.ref);
        case 'rules':
          return (await unwrap(api.GET('/api/v1/rules', query))).data.map((r) => r.ref);
      }
    },
    enabled,
    staleTime: 60_000,
  });
  return data;
}

/** The refs to offer: `refs`, with the chosen `value` first when it is not among them. */
export function withChosen(refs: string[] | undefined, value: string): string[] {
  const all = refs ? [...refs] : [];
  if (value && !all.includes(value)) all.unshift(value);
  return all;
}

/** A labelled select of refs, with "any" first; a value not in `options` still shows. */
export function RefSelect({
  label,
  value,
  onChange,
  options,
  any,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: string[] | undefined;
  any: string;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{any}</option>
        <Options values={withChosen(options, value)} />
      </select>
    </label>
  );
}

/** The pack filter: a select of the packs for a caller who may list them, a text field otherwise. */
export function PackFilter({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const mayList = useCan()('pack', 'view');
  const packs = useRefs('packs', mayList);
  if (mayList) return <RefSelect label="Pack" value={value} onChange={onChange} options={packs} any="All packs" />;
  return (
    <label>
      Pack
      <input value={value} onChange={(event) => onChange(event.target.value.trim())} />
    </label>
  );
}
