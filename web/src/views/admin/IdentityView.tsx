// One identity's page (or the caller's own account): its details, the permission sets it
// holds, and its API keys. What the caller's grants do not allow is left out; a caller sees
// and manages its own keys without any grant.
import { useQuery } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'react-router-dom';
import { useCan, useMe } from '../../api/access';
import { api, unwrap } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Fact } from '../../components/Fact';
import { Page } from '../../components/Page';
import { EnabledBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { ApiKeysCard } from './ApiKeysCard';
import { EnableToggle, useSetEnabled } from './EnableToggle';
import { IdentitySetsCard } from './IdentitySetsCard';
import './admin.css';

export function IdentityView() {
  const { login = '' } = useParams();
  const { data: me } = useMe();
  const can = useCan();
  const isSelf = me?.login === login;
  const canView = isSelf || can('identity', 'view', null);
  const canModify = can('identity', 'modify', null);
  const identity = useQuery({
    queryKey: ['identity', login],
    queryFn: () => unwrap(api.GET('/api/v1/identities/{login}', { params: { path: { login } } })).then((a) => a.data),
    enabled: me !== undefined,
  });
  const setEnabled = useSetEnabled();
  const data = identity.data;
  const justCreated = (useLocation().state as { created?: boolean } | null)?.created === true;
  return (
    <Page
      title={isSelf ? `Your account: ${login}` : `Identity ${login}`}
      actions={
        <>
          {can('identity', 'view', null) && (
            <Link className="button" to="/admin/identities">
              All identities
            </Link>
          )}
          {data && canModify && <EnableToggle identity={data} mutation={setEnabled} isSelf={isSelf} />}
        </>
      }
    >
      <div className="admin-page hidden-captions">
        <ErrorNotice error={identity.error} what={`see the identity ${login}`} />
        <ErrorNotice error={setEnabled.error} what="change the identity" />
        {identity.isPending && me && <p className="muted">Loading…</p>}
        {data && justCreated && (data.permission_sets ?? []).length === 0 && (
          <p className="notice notice-ok" role="status">
            Created {data.login}. It holds no permission set yet: give it one below.
          </p>
        )}
        {data && (
          <>
            <section className="card" aria-labelledby="details-title">
              <h2 id="details-title">Details</h2>
              <dl className="facts">
                <Fact label="Login">{data.login}</Fact>
                <Fact label="Display name">{data.display_name ?? <span className="muted">—</span>}</Fact>
                <Fact label="Status">
                  <EnabledBadge enabled={data.enabled} />
                </Fact>
                <Fact label="Kind">{data.has_password ? 'user (signs in with a password)' : 'service account (API keys only)'}</Fact>
                <Fact label="Created">
                  <Time at={data.created} />
                </Fact>
                <Fact label="Changed">
                  <Time at={data.updated} />
                </Fact>
              </dl>
            </section>
            {canView && <IdentitySetsCard login={login} isSelf={isSelf} canModify={canModify} />}
            {canView && <ApiKeysCard login={login} canManage={isSelf || canModify} />}
          </>
        )}
      </div>
    </Page>
  );
}
