// What the signed-in caller may do, from `/auth/me`: the UI hides or disables what the
// caller's grants do not allow (the server refuses it anyway; this only spares the 403).
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from './client';

export type Profile = Schemas['Profile'];
export type Verb = Schemas['Verb'];

/**
 * Whether `grants` allow `verb` on `resource`: in `pack` when it is a string, outside any
 * pack scope when it is `null` (routes that list everything), in some pack when omitted
 * (whether to show a page at all).
 */
export function allows(grants: Schemas['Grant'][], resource: string, verb: Verb, pack?: string | null): boolean {
  return grants.some(
    (grant) =>
      (grant.resource === '*' || grant.resource === resource) &&
      grant.verbs.includes(verb) &&
      (pack === undefined || grant.pack == null || grant.pack === pack),
  );
}

/** The caller's profile. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: () => unwrap(api.GET('/api/v1/auth/me')).then((answer) => answer.data),
    staleTime: 60_000,
  });
}

/** `can(resource, verb, pack?)` for the caller; false until the profile has loaded. */
export function useCan(): (resource: string, verb: Verb, pack?: string | null) => boolean {
  const { data } = useMe();
  return (resource, verb, pack) => (data ? allows(data.grants, resource, verb, pack) : false);
}
