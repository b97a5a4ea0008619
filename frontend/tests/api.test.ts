import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, setTransport, transport } from '../src/lib/api';

const w = window as any;

afterEach(() => {
  delete w.go;
  delete w.runtime;
  vi.unstubAllGlobals();
  setTransport(null);
});

function jsonResponse(status: number, body: unknown): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('api in the Wails window', () => {
  it('calls the bound Go method with positional arguments', async () => {
    const ConnectIntervals = vi.fn().mockResolvedValue({ connected: true, athlete_name: 'Ada' });
    w.go = { main: { App: { ConnectIntervals } } };
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);

    const res = await api.ConnectIntervals('i123', 'key');

    expect(transport().kind).toBe('wails');
    expect(ConnectIntervals).toHaveBeenCalledWith('i123', 'key');
    expect(res.athlete_name).toBe('Ada');
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(api.hasNativeDialogs()).toBe(true);
  });

  it('turns a rejected string into an error with that message', async () => {
    w.go = { main: { App: { Disconnect: vi.fn().mockRejectedValue('MyWhoosh is not connected') } } };
    await expect(api.Disconnect('mywhoosh')).rejects.toThrow('MyWhoosh is not connected');
    await expect(api.Disconnect('mywhoosh')).rejects.toBeInstanceOf(ApiError);
  });

  it('listens to runtime events and unsubscribes', async () => {
    const off = vi.fn();
    let handler: ((...d: unknown[]) => void) | undefined;
    w.go = { main: { App: {} } };
    w.runtime = {
      EventsOn: vi.fn((name: string, cb: (...d: unknown[]) => void) => {
        expect(name).toBe('progress');
        handler = cb;
        return off;
      }),
    };
    const got: unknown[] = [];
    const unsubscribe = api.on('progress', (p) => got.push(p));
    handler!({ done: 3 });
    expect(got).toEqual([{ done: 3 }]);
    unsubscribe();
    expect(off).toHaveBeenCalled();
  });
});

describe('api in a browser against fitbridge serve', () => {
  it('POSTs the arguments as a JSON array and returns result', async () => {
    const fetchSpy = vi.fn().mockResolvedValue(jsonResponse(200, { result: { connected: true, athlete_name: 'Ada' } }));
    vi.stubGlobal('fetch', fetchSpy);

    const res = await api.ConnectIntervals('i123', 'key');

    expect(transport().kind).toBe('http');
    expect(res).toEqual({ connected: true, athlete_name: 'Ada' });
    const [url, init] = fetchSpy.mock.calls[0];
    expect(url).toBe('/api/call/ConnectIntervals');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(init.body)).toEqual(['i123', 'key']);
    expect(api.hasNativeDialogs()).toBe(false);
  });

  it('sends an empty array for methods without arguments', async () => {
    const fetchSpy = vi.fn().mockResolvedValue(jsonResponse(200, { result: null }));
    vi.stubGlobal('fetch', fetchSpy);
    await api.PauseBackfill();
    expect(fetchSpy.mock.calls[0][0]).toBe('/api/call/PauseBackfill');
    expect(fetchSpy.mock.calls[0][1].body).toBe('[]');
  });

  it('throws the {error} message of a non-2xx answer', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(400, { error: 'Intervals.icu refused the API key' })));
    const err = await api.ConnectIntervals('i1', 'bad').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('Intervals.icu refused the API key');
    expect(err.status).toBe(400);
  });

  it('still says something useful when the error body is not JSON', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502 })));
    await expect(api.Status()).rejects.toThrow(/502/);
  });

  it('explains when FitBridge cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(api.Status()).rejects.toThrow(/not answering/);
  });

  it('reads named server-sent events as JSON', () => {
    const sources: FakeEventSource[] = [];
    class FakeEventSource {
      listeners = new Map<string, ((e: MessageEvent) => void)[]>();
      constructor(public url: string) {
        sources.push(this);
      }
      addEventListener(name: string, cb: (e: MessageEvent) => void) {
        this.listeners.set(name, [...(this.listeners.get(name) ?? []), cb]);
      }
      fire(name: string, data: string) {
        for (const cb of this.listeners.get(name) ?? []) cb(new MessageEvent(name, { data }));
      }
    }
    vi.stubGlobal('EventSource', FakeEventSource);
    vi.stubGlobal('fetch', vi.fn());

    const notices: unknown[] = [];
    let libraryChanged = 0;
    api.on('notice', (n) => notices.push(n));
    const off = api.on('library', () => libraryChanged++);

    expect(sources).toHaveLength(1);
    expect(sources[0].url).toBe('/api/events');
    sources[0].fire('notice', JSON.stringify({ at: '2024-01-01T00:00:00Z', message: '2 new rides' }));
    sources[0].fire('library', '');
    expect(notices).toEqual([{ at: '2024-01-01T00:00:00Z', message: '2 new rides' }]);
    expect(libraryChanged).toBe(1);
    off();
    sources[0].fire('library', '');
    expect(libraryChanged).toBe(1);
  });
});
