// An execution's output: the stored lines, then the stream's new ones, shown as a log that
// keeps to its end while the reader is there. The stream's notices of this execution also
// refresh the page's queries.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { listen } from '../../api/stream';
import { ErrorNotice } from '../../components/ErrorNotice';
import { isFinished } from './executionParts';

interface OutputLine {
  seq: number;
  stream: string;
  text: string;
}

const OUTPUT_PAGE = 1000;

/**
 * The output of execution `id`: the stored lines (read page by page), then the stream's new
 * ones, each once (by `seq`). What the stream may have missed (before it was subscribed, a
 * reconnect, a line cut short, the end of the run) is read again from the REST route.
 */
function useOutput(id: number) {
  const client = useQueryClient();
  const [lines, setLines] = useState<OutputLine[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    let cancelled = false;
    const bySeq = new Map<number, OutputLine>();
    const stored = new Set<number>(); // lines read from the REST route (complete)
    let after = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const publish = () => {
      timer = null;
      if (!cancelled) setLines([...bySeq.values()].sort((a, b) => a.seq - b.seq));
    };
    // Lines come in bursts: the view renders at most ten times a second.
    const schedule = () => {
      if (!timer) timer = setTimeout(publish, 100);
    };

    let reading = false;
    let again = false;
    const catchUp = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          for (;;) {
            // Without `follow` the answer is JSON (the route's other type is its NDJSON stream).
            const page = (await unwrap(
              api.GET('/api/v1/executions/{id}/output', { params: { path: { id }, query: { after, limit: OUTPUT_PAGE } } }),
            )) as Schemas['Data_ExecutionOutput'];
            if (cancelled) return;
            for (const line of page.data.lines) {
              bySeq.set(line.seq, { seq: line.seq, stream: line.stream, text: line.text });
              stored.add(line.seq);
            }
            after = Math.max(after, page.data.next);
            if (page.data.lines.length < OUTPUT_PAGE) break;
          }
        } while (again && !cancelled);
        if (!cancelled) {
          setError(null);
          setLoaded(true);
        }
      } catch (failure) {
        if (!cancelled) setError(failure);
      } finally {
        reading = false;
        schedule();
      }
    };

    // The app-wide stream refreshes the page's queries, but this page may have read them
    // before that stream was subscribed: once this one is, and on its own notices of this
    // execution, they are read again (gathered, at most every 300 ms).
    const stale = new Set<string>();
    let refresh: ReturnType<typeof setTimeout> | null = null;
    const invalidate = (...keys: string[]) => {
      for (const key of keys) stale.add(key);
      refresh ??= setTimeout(() => {
        refresh = null;
        for (const key of stale) void client.invalidateQueries({ queryKey: [key, id] });
        stale.clear();
      }, 300);
    };

    const unsubscribe = listen({ entity: ['execution'], id, output: true }, (notice) => {
      if (notice.type === 'subscribed') {
        invalidate('execution', 'workflow', 'children');
        void catchUp();
      } else if (notice.type === 'execution_status' && notice.execution === id) {
        invalidate('execution', 'workflow');
      } else if (notice.type === 'workflow_task' && notice.execution === id) {
        invalidate('workflow');
      }
      if (notice.type === 'execution_output' && notice.execution === id && typeof notice.seq === 'number') {
        if (!stored.has(notice.seq)) {
          bySeq.set(notice.seq, { seq: notice.seq, stream: notice.stream ?? 'stdout', text: notice.text ?? '' });
          schedule();
        }
        if (notice.truncated) void catchUp();
      } else if (notice.type === 'reconnecting') {
        void catchUp();
      } else if (notice.type === 'execution_status' && notice.execution === id && isFinished(notice.status ?? '')) {
        void catchUp();
      }
    });
    void catchUp();
    return () => {
      cancelled = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (refresh) clearTimeout(refresh);
    };
  }, [id, client]);

  return { lines, error, loaded };
}

/** The output as a log that keeps to its end while the reader is there. */
export function Output({ id, finished, quietWhenEmpty }: { id: number; finished: boolean; quietWhenEmpty: boolean }) {
  const { lines, error, loaded } = useOutput(id);
  const log = useRef<HTMLPreElement>(null);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const element = log.current;
    if (element && atEnd.current) element.scrollTop = element.scrollHeight;
  }, [lines]);
  const onScroll = () => {
    const element = log.current;
    if (element) atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
  };
  // A workflow prints nothing itself (its tasks do): no empty box for it.
  if (quietWhenEmpty && lines.length === 0 && !error) return null;
  return (
    <section className="card" aria-labelledby="output-title">
      <h2 id="output-title">Output</h2>
      <ErrorNotice error={error} what="read the output" />
      <pre ref={log} className="output ex-output" role="log" aria-label="Output" tabIndex={0} onScroll={onScroll}>
        {lines.length === 0 && (
          <span className="muted">{!loaded ? 'Loading…' : finished ? 'No output.' : 'Waiting for output…'}</span>
        )}
        {lines.map((line) => (
          <span key={line.seq} className={`ex-line ex-stream-${line.stream}`}>
            {line.stream === 'stderr' && <span className="visually-hidden">stderr: </span>}
            {line.text}
            {'\n'}
          </span>
        ))}
      </pre>
      {lines.some((l) => l.stream !== 'stdout') && (
        <p className="hint ex-legend">
          <span className="ex-stream-stderr">Standard error</span> and <span className="ex-stream-log">log lines</span> are
          shown apart from standard output.
        </p>
      )}
    </section>
  );
}
