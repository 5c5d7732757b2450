// The files and links an execution published. They are stored when it ends, so the list is
// fetched again once it has (the query key holds `finished`). A download goes through the
// API client (it needs the bearer token) and is saved as a file, never opened: an artifact
// is whatever the action wrote, and must not run as a page of this origin.
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Time } from '../../components/Time';

type Artifact = Schemas['ArtifactView'];

const TYPES: Record<string, string> = {
  file_text: 'text',
  file_datatable: 'table',
  file_image: 'image',
  file_binary: 'file',
  url: 'link',
};

/** `bytes` in B, KiB or MiB. */
export function size(bytes: number | null | undefined): string {
  if (bytes == null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

/** Fetches artifact `artifact` of execution `id` and hands it to the browser as a download. */
async function save(id: number, artifact: Artifact) {
  const blob = await unwrap(
    api.GET('/api/v1/executions/{id}/artifacts/{artifact_id}', {
      params: { path: { id, artifact_id: artifact.id } },
      parseAs: 'blob',
    }),
  );
  // `parseAs: 'blob'` makes it a Blob (the document types the body as bytes). Saved as
  // opaque bytes, whatever the action said it was.
  const url = URL.createObjectURL(new Blob([blob as unknown as Blob], { type: 'application/octet-stream' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = artifact.name;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Artifacts({ id, finished }: { id: number; finished: boolean }) {
  const artifacts = useQuery({
    queryKey: ['artifacts', id, finished],
    queryFn: () => unwrap(api.GET('/api/v1/executions/{id}/artifacts', { params: { path: { id }, query: { page_size: 100 } } })),
  });
  const download = useMutation({ mutationFn: (artifact: Artifact) => save(id, artifact) });
  const rows = artifacts.data?.data;
  if (!artifacts.error && (!rows || rows.length === 0)) return null;
  return (
    <section className="card" aria-labelledby="artifacts-title">
      <h2 id="artifacts-title">Artifacts</h2>
      <ErrorNotice error={artifacts.error ?? download.error} what={artifacts.error ? 'list the artifacts' : 'download the artifact'} />
      {!artifacts.error && (
        <DataTable
          rows={rows}
          rowKey={(a) => a.id}
          caption="Artifacts"
          columns={[
            {
              header: 'Name',
              cell: (a) =>
                a.url ? (
                  <a href={a.url} target="_blank" rel="noopener noreferrer nofollow">
                    {a.name}
                  </a>
                ) : (
                  <button type="button" className="link" onClick={() => download.mutate(a)} aria-label={`Download ${a.name}`}>
                    {a.name}
                  </button>
                ),
            },
            { header: 'Type', cell: (a) => a.media_type ?? TYPES[a.artifact_type] ?? a.artifact_type },
            { header: 'Size', cell: (a) => size(a.size_bytes) },
            { header: 'Published', cell: (a) => <Time at={a.created} />, wide: true },
          ]}
        />
      )}
    </section>
  );
}
