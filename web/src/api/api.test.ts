import { QueryClient } from '@tanstack/react-query';
import { allows } from './access';
import { ApiError, toApiError } from './errors';
import { batcher, staleKeys } from './live';
import { streamUrl } from './stream';

describe('grants', () => {
  const grants = [
    { resource: 'action', pack: 'core', verbs: ['view', 'execute'] as const },
    { resource: 'execution', verbs: ['view'] as const },
  ].map((g) => ({ ...g, verbs: [...g.verbs] }));

  it('allow a verb in their pack, anywhere, or outside any scope only when unscoped', () => {
    expect(allows(grants, 'action', 'execute', 'core')).toBe(true);
    expect(allows(grants, 'action', 'execute', 'vault')).toBe(false);
    expect(allows(grants, 'action', 'view')).toBe(true);
    expect(allows(grants, 'action', 'view', null)).toBe(false);
    expect(allows(grants, 'execution', 'view', null)).toBe(true);
    expect(allows(grants, 'execution', 'modify')).toBe(false);
    expect(allows([{ resource: '*', verbs: ['view'] }], 'rule', 'view', 'any')).toBe(true);
  });
});

describe('errors', () => {
  it('carry the envelope and the fields of a 422', () => {
    const error = toApiError(422, {
      error: {
        code: 'validation_failed',
        message: 'invalid parameters',
        details: { fields: [{ field: 'count', message: 'must be an integer' }] },
      },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('validation_failed');
    expect(error.fields()).toEqual({ count: ['must be an integer'] });
    expect(toApiError(502, 'bad gateway').code).toBe('unavailable');
  });
});

describe('live updates', () => {
  it('name the queries a notice makes stale', () => {
    expect(staleKeys({ type: 'execution_status', execution: 7, status: 'running', parent: 3 })).toEqual([
      ['executions'],
      ['execution', 7],
      ['stats'],
      ['children', 3],
      ['workflow', 3],
    ]);
    expect(staleKeys({ type: 'execution_output', execution: 7 })).toEqual([]);
    expect(staleKeys({ type: 'subscribed' })).toContainEqual(['executions']);
  });

  it('invalidate each key once per burst', async () => {
    vi.useFakeTimers();
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    const notify = batcher(client, 500);
    for (let i = 0; i < 100; i++) notify({ type: 'execution_status', execution: 1, status: 'running' });
    expect(invalidate).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    expect(invalidate).toHaveBeenCalledTimes(3);
    vi.useRealTimers();
  });
});

describe('the stream', () => {
  it('carries its filter and token in the query', () => {
    const url = streamUrl({ entity: ['execution'], id: 4, output: true }, 'tok', {
      protocol: 'https:',
      host: 'attune.example',
    } as Location);
    expect(url).toBe('wss://attune.example/api/v1/stream?entity=execution&id=4&output=true&access_token=tok');
  });
});
