import { screen, within } from '@testing-library/react';
import { page, profile, renderAt, serve } from '../test-support';
import { EventsView } from './EventsView';

afterEach(() => vi.unstubAllGlobals());

describe('events', () => {
  it('render payloads as text', async () => {
    const payload = { body: { text: '<img src=x onerror=alert(1)>' } };
    serve({
      'GET /api/v1/auth/me': profile('vic', ['*:view']),
      'GET /api/v1/triggers': () => page([]),
      'GET /api/v1/events': () =>
        page([{ id: 7, trigger_ref: 'core.webhook', payload, config: {}, created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' }]),
      'GET /api/v1/events/7': () => ({
        data: { id: 7, trigger_ref: 'core.webhook', payload, config: {}, created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' },
      }),
      'GET /api/v1/enforcements': () => page([]),
    });
    const { container } = renderAt('/events?selected=7', { '/events': <EventsView /> });
    const detail = await screen.findByRole('region', { name: 'Event #7' });
    expect(await within(detail).findByText('"<img src=x onerror=alert(1)>"')).toBeInTheDocument();
    expect(await screen.findByText(/onerror=alert\(1\)>"}}$/)).toBeInTheDocument();
    expect(container.querySelector('img')).toBeNull();
  });
});
