// Packs: the list, and one pack's page — what it is, its configuration, its components
// (actions, triggers, sensors, rules, workflows; each linking to its page) and the versions
// kept of it when it was installed from archives.
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useCan } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Fact } from '../components/Fact';
import { JsonView } from '../components/JsonView';
import { Page } from '../components/Page';
import { Pager, usePage } from '../components/Pager';
import { ScrollTable } from '../components/ScrollTable';
import { StatusBadge } from '../components/StatusBadge';
import { Time } from '../components/Time';
import './catalog.css';

type Pack = Schemas['Pack'];

const PAGE_SIZE = 50;
/** Components listed per kind on a pack's page (the API's largest page). */
const COMPONENTS = 1000;

export function PacksView() {
  const page = usePage();
  const packs = useQuery({
    queryKey: ['catalog', 'packs', { page }],
    queryFn: () => unwrap(api.GET('/api/v1/packs', { params: { query: { page, page_size: PAGE_SIZE } } })),
  });
  return (
    <Page title="Packs">
      <ErrorNotice error={packs.error} what="list packs" />
      {!packs.error && (
        <>
          <DataTable<Pack>
            caption="Packs"
            rows={packs.data?.data}
            rowKey={(pack) => pack.ref}
            rowLink={(pack) => `/packs/${encodeURIComponent(pack.ref)}`}
            empty="No packs are registered."
            columns={[
              { header: 'Pack', cell: (pack) => pack.ref },
              { header: 'Version', cell: (pack) => pack.version },
              {
                header: 'Description',
                cell: (pack) => (
                  <>
                    {pack.label}
                    {pack.description && <span className="catalog-desc">{pack.description}</span>}
                  </>
                ),
              },
              {
                header: 'Origin',
                wide: true,
                cell: (pack) => (pack.is_standard ? 'shipped with Attune' : pack.archive_digest ? 'installed archive' : 'registered directory'),
              },
            ]}
          />
          <Pager pagination={packs.data?.pagination} label="Pages of packs" />
        </>
      )}
    </Page>
  );
}

/** A page of one kind of a pack's components, in a shape every list answers. */
interface ComponentList<T> {
  data?: { data: T[]; pagination: Schemas['Pagination'] };
  error: unknown;
}

/** One kind of component of a pack: a titled list, each entry linking to its page. */
function Components<T>({
  id,
  title,
  query,
  allowed,
  entry,
}: {
  id: string;
  title: string;
  query: ComponentList<T>;
  allowed: boolean;
  entry: (row: T) => { to: string; name: string; label?: string; description?: string | null; extra?: ReactNode };
}) {
  const rows = query.data?.data;
  const total = query.data?.pagination.total;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>
        {title}
        {total !== undefined && <span className="muted"> ({total})</span>}
      </h2>
      {!allowed ? (
        <p className="muted">You may not view these.</p>
      ) : query.error ? (
        <ErrorNotice error={query.error} what={`list its ${title.toLowerCase()}`} />
      ) : !rows ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="muted">No {title.toLowerCase()}.</p>
      ) : (
        <>
          <ul className="catalog-list">
            {rows.map((row) => {
              const { to, name, label, description, extra } = entry(row);
              const about = [label && label !== name ? label : null, description].filter(Boolean).join(': ');
              return (
                <li key={name}>
                  <Link to={to}>{name}</Link>
                  {extra}
                  {about && <span className="catalog-desc">{about}</span>}
                </li>
              );
            })}
          </ul>
          {total !== undefined && total > rows.length && (
            <p className="muted">
              Showing {rows.length} of {total}.
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** The first page of a pack's components of one kind, when the caller may view them. */
function useComponents<T>(pack: string, kind: string, enabled: boolean, list: () => Promise<ComponentList<T>['data']>) {
  return useQuery({ queryKey: ['catalog', 'pack', pack, kind], queryFn: list, enabled });
}

function PackComponents({ pack }: { pack: string }) {
  const can = useCan();
  const query = { params: { query: { pack, page_size: COMPONENTS } } };
  const may = {
    actions: can('action', 'view', pack),
    triggers: can('trigger', 'view', pack),
    sensors: can('sensor', 'view', pack),
    rules: can('rule', 'view', pack),
  };
  const actions = useComponents(pack, 'actions', may.actions, () => unwrap(api.GET('/api/v1/actions', query)));
  const triggers = useComponents(pack, 'triggers', may.triggers, () => unwrap(api.GET('/api/v1/triggers', query)));
  const sensors = useComponents(pack, 'sensors', may.sensors, () => unwrap(api.GET('/api/v1/sensors', query)));
  const rules = useComponents(pack, 'rules', may.rules, () => unwrap(api.GET('/api/v1/rules', query)));
  // Workflows are actions: the same grant shows them.
  const workflows = useComponents(pack, 'workflows', may.actions, () => unwrap(api.GET('/api/v1/workflows', query)));
  const enc = encodeURIComponent;
  return (
    <div className="catalog-components">
      <Components
        id="pack-actions"
        title="Actions"
        query={actions}
        allowed={may.actions}
        entry={(a) => ({ to: `/actions/${enc(a.ref)}`, name: a.ref, label: a.label, description: a.description })}
      />
      <Components
        id="pack-workflows"
        title="Workflows"
        query={workflows}
        allowed={may.actions}
        entry={(w) => ({ to: `/workflows/${enc(w.ref)}`, name: w.ref, label: w.label, description: w.description })}
      />
      <Components
        id="pack-rules"
        title="Rules"
        query={rules}
        allowed={may.rules}
        entry={(r) => ({
          to: `/rules/${enc(r.ref)}`,
          name: r.ref,
          label: r.label,
          description: `${r.trigger_ref} → ${r.action_ref}`,
          extra: !r.enabled && <> <StatusBadge status="disabled" /></>,
        })}
      />
      <Components
        id="pack-triggers"
        title="Triggers"
        query={triggers}
        allowed={may.triggers}
        entry={(t) => ({ to: `/triggers?ref=${enc(t.ref)}`, name: t.ref, label: t.label, description: t.description })}
      />
      <Components
        id="pack-sensors"
        title="Sensors"
        query={sensors}
        allowed={may.sensors}
        entry={(s) => ({
          to: `/sensors?pack=${enc(pack)}`,
          name: s.ref,
          label: s.label,
          description: s.description,
          extra: <> <StatusBadge status={s.enabled ? s.status : 'disabled'} /></>,
        })}
      />
    </div>
  );
}

function Versions({ pack }: { pack: string }) {
  const versions = useQuery({
    queryKey: ['catalog', 'pack', pack, 'versions'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/packs/{pack_ref}/versions', { params: { path: { pack_ref: pack } } })).then(
        (answer) => answer.data,
      ),
  });
  if (versions.error) return <ErrorNotice error={versions.error} what="list its versions" />;
  // Only packs installed from archives keep versions.
  if (!versions.data || versions.data.length === 0) return null;
  return (
    <section className="card" aria-labelledby="pack-versions">
      <h2 id="pack-versions">Kept versions</h2>
      <ScrollTable label={`Versions of ${pack}`}>
        <table className="data-table catalog-table">
          <caption className="visually-hidden">Versions of {pack}</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Installed</th>
              <th scope="col">By</th>
              <th scope="col">Size</th>
              <th scope="col" className="wide">
                Digest
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.data.map((v) => (
              <tr key={v.id}>
                <td>{v.version}</td>
                <td>
                  <Time at={v.created} />
                </td>
                <td>{v.installed_by ?? <span className="muted">—</span>}</td>
                <td>{`${(v.size / 1024).toFixed(1)} KiB`}</td>
                <td className="wide">
                  <code>{v.digest}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
    </section>
  );
}

function hasEntries(value: unknown): boolean {
  return value != null && typeof value === 'object' && Object.keys(value).length > 0;
}

export function PackView() {
  const { ref = '' } = useParams();
  const pack = useQuery({
    queryKey: ['catalog', 'pack', ref],
    queryFn: () =>
      unwrap(api.GET('/api/v1/packs/{pack_ref}', { params: { path: { pack_ref: ref } } })).then((answer) => answer.data),
  });
  const data = pack.data;
  return (
    <Page title={ref}>
      {data && <p className="catalog-subtitle">{data.label}</p>}
      <ErrorNotice error={pack.error} what="load this pack" />
      {pack.isPending && <p className="muted">Loading…</p>}
      {data && (
        <>
          <section className="card" aria-labelledby="pack-about">
            <h2 id="pack-about">About</h2>
            {data.description && <p className="catalog-lede">{data.description}</p>}
            <dl className="facts">
              <Fact label="Version">{data.version}</Fact>
              {data.author && <Fact label="Author">{data.author}</Fact>}
              <Fact label="Origin">
                {data.is_standard
                  ? 'Shipped with Attune'
                  : data.archive_digest
                    ? 'Installed from an archive'
                    : 'Registered from a directory'}
              </Fact>
              {data.archive_digest && (
                <Fact label="Archive">
                  <code>{data.archive_digest}</code>
                </Fact>
              )}
              {data.path && (
                <Fact label="Directory">
                  <code>{data.path}</code>
                </Fact>
              )}
              {data.tags.length > 0 && (
                <Fact label="Tags" className="catalog-tags">
                  {data.tags.map((tag) => (
                    <span key={tag} className="badge badge-idle">
                      {tag}
                    </span>
                  ))}
                </Fact>
              )}
              {data.runtime_deps.length > 0 && <Fact label="Needs">{data.runtime_deps.join(', ')}</Fact>}
              <Fact label="Updated">
                <Time at={data.updated} />
              </Fact>
            </dl>
          </section>
          {hasEntries(data.config) && (
            <section className="card" aria-labelledby="pack-config">
              <h2 id="pack-config">Configuration</h2>
              <JsonView value={data.config} label="Configuration" />
            </section>
          )}
          <PackComponents pack={data.ref} />
          <Versions pack={data.ref} />
        </>
      )}
    </Page>
  );
}
