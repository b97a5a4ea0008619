import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, sessionToken, setTransport, sseParser, TOKEN_KEY, transport, uploadFile } from '../src/lib/api';

const w = window as any;

afterEach(() => {
  sessionStorage.clear();
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
    expect(init.credentials).toBe('omit');
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

  it('takes the key from the fragment once, keeps it for the tab, sends it as a header', async () => {
    history.replaceState(null, '', '/library?x=1#token=abcdef0123456789abcdef');
    expect(sessionToken()).toBe('abcdef0123456789abcdef');
    expect(location.hash).toBe('');
    expect(location.pathname + location.search).toBe('/library?x=1');
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('abcdef0123456789abcdef');
    expect(document.cookie).toBe('');
    // A reload has no fragment: the tab's storage still has the key.
    expect(sessionToken()).toBe('abcdef0123456789abcdef');

    const fetchSpy = vi.fn().mockResolvedValue(jsonResponse(200, { result: null }));
    vi.stubGlobal('fetch', fetchSpy);
    await api.PauseBackfill();
    expect(fetchSpy.mock.calls[0][1].headers).toEqual({
      'Content-Type': 'application/json',
      Authorization: 'Bearer abcdef0123456789abcdef',
    });
    expect(fetchSpy.mock.calls[0][1].credentials).toBe('omit');
  });

  it('says how to get a key when there is none', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(401, { error: 'unauthorized' })));
    await expect(api.Status()).rejects.toThrow(/printed/);
  });

  it('splits a server-sent event stream however it is chunked', () => {
    const got: [string, string][] = [];
    const feed = sseParser((e, d) => got.push([e, d]));
    feed('retry: 3000\n: connected\n\nevent: no');
    feed('tice\ndata: {"a":1}\n\nevent: library\r\ndata: \r\n\r\n: ping\n\n');
    expect(got).toEqual([
      ['notice', '{"a":1}'],
      ['library', ''],
    ]);
  });

  it('reads named events from a streamed fetch carrying the key', async () => {
    sessionStorage.setItem(TOKEN_KEY, 'k'.repeat(20));
    let push!: (s: string) => void;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        push = (s) => c.enqueue(new TextEncoder().encode(s));
      },
    });
    const fetchSpy = vi.fn().mockResolvedValue(new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }));
    vi.stubGlobal('fetch', fetchSpy);

    const notices: unknown[] = [];
    let libraryChanged = 0;
    api.on('notice', (n) => notices.push(n));
    const off = api.on('library', () => libraryChanged++);
    await vi.waitFor(() => expect(fetchSpy).toHaveBeenCalledTimes(1));
    const [url, init] = fetchSpy.mock.calls[0];
    expect(url).toBe('/api/events');
    expect(init.headers.Authorization).toBe('Bearer ' + 'k'.repeat(20));
    push('event: notice\ndata: {"at":"2024-01-01T00:00:00Z","message":"2 new rides"}\n\nevent: library\ndata: \n\n');
    await vi.waitFor(() => expect(libraryChanged).toBe(1));
    expect(notices).toEqual([{ at: '2024-01-01T00:00:00Z', message: '2 new rides' }]);
    off();
    push('event: library\ndata: \n\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(libraryChanged).toBe(1);
  });

  it('sends a file up in parts and returns its upload id', async () => {
    const parts: string[] = [];
    const fetchSpy = vi.fn(async (url: string, init: RequestInit) => {
      parts.push(url);
      if (url === '/api/upload') return jsonResponse(200, { result: { id: 'f'.repeat(32), part: 4, limit: 100 } });
      expect(init.headers).toMatchObject({ 'Content-Type': 'application/octet-stream' });
      return jsonResponse(200, { result: { size: 0 } });
    });
    vi.stubGlobal('fetch', fetchSpy);
    const sent: number[] = [];
    const id = await uploadFile(new Blob(['0123456789']), (n) => sent.push(n));
    expect(id).toBe('f'.repeat(32));
    expect(parts).toEqual(['/api/upload', `/api/upload/${'f'.repeat(32)}?offset=0`, `/api/upload/${'f'.repeat(32)}?offset=4`, `/api/upload/${'f'.repeat(32)}?offset=8`]);
    expect(sent).toEqual([4, 4, 2]);
  });
});
