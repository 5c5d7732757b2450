// Filters live in the URL's query string, so that a filtered list can be linked to and
// survives a reload. Changing one replaces the history entry (typing is not navigating) and
// goes back to the first page of the list.
import { useSearchParams } from 'react-router-dom';

/** One query-string parameter of the page's URL, and a setter that drops it when empty. */
export function useParam(name: string): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const set = (next: string) =>
    setParams(
      (current) => {
        const copy = new URLSearchParams(current);
        if (next) copy.set(name, next);
        else copy.delete(name);
        copy.delete('page');
        return copy;
      },
      { replace: true },
    );
  return [params.get(name) ?? '', set];
}
