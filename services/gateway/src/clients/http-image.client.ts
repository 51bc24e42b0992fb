import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, request } from 'undici';

export interface HttpImageClientOptions {
  /** Largest accepted image (bytes); a bigger Content-Length or body is refused. */
  maxBytes: number;
  /** For the whole download, redirects included. */
  timeoutMs: number;
  /** Allow loopback, private, link-local… addresses (tests only: this opens the gateway to SSRF). */
  allowPrivate: boolean;
  maxRedirects?: number;
  /** Which resolved or literal addresses are refused; defaults to isPrivateAddress (tests narrow it). */
  isBlocked?: (address: string) => boolean;
}

export interface FetchedImage {
  contentType: string;
  data: Buffer;
}

/** Why an image could not be fetched; the message is safe to show the client. */
export class ImageFetchError extends Error {
  override name = 'ImageFetchError';
}

/** Downloads images from http(s) URLs for the chat routes, refusing non-public addresses (SSRF guard). */
export interface HttpImageClient {
  fetch(url: string, signal: AbortSignal): Promise<FetchedImage>;
  close(): Promise<void>;
}

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT (shared address space)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(network, prefix, 'ipv6');

/** True for addresses an image URL may not reach: loopback, private, link-local, CGNAT, multicast, ULA… */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse
  const lower = address.toLowerCase();
  // IPv4-mapped (::ffff:a.b.c.d or ::ffff:7f00:1) and NAT64 (64:ff9b::a.b.c.d) addresses carry an IPv4 address.
  const embedded = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(
    lower,
  );
  if (embedded) {
    const v4 =
      embedded[1] ??
      [
        Number.parseInt(embedded[2]!, 16) >> 8,
        Number.parseInt(embedded[2]!, 16) & 255,
        Number.parseInt(embedded[3]!, 16) >> 8,
        Number.parseInt(embedded[3]!, 16) & 255,
      ].join('.');
    return blocked.check(v4, 'ipv4');
  }
  return blocked.check(address, 'ipv6');
}

/** dns.lookup that fails when any address of the name is blocked (checked at connect time, so on every hop). */
const guardedLookup =
  (isBlocked: (address: string) => boolean): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((entry) => isBlocked(entry.address));
      if (refused || addresses.length === 0)
        return callback(
          new ImageFetchError(`the image host ${hostname} resolves to a non-public address`),
          '',
          0,
        );
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Stops reading a body (undici reports the destroy as an 'error' event: it is expected here). */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => {});
  body.destroy();
}

export function createHttpImageClient(options: HttpImageClientOptions): HttpImageClient {
  const isBlocked = options.isBlocked ?? isPrivateAddress;
  const agent = new Agent({
    connect: options.allowPrivate ? {} : { lookup: guardedLookup(isBlocked) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 4_000,
  });
  const maxRedirects = options.maxRedirects ?? 5;

  /** Scheme and literal-address checks (a literal IP never goes through the lookup). */
  const checkUrl = (url: URL) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ImageFetchError(`only http and https image URLs are allowed, not ${url.protocol}`);
    if (url.username || url.password) throw new ImageFetchError('image URLs may not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIP(host) && isBlocked(host))
      throw new ImageFetchError(`the image URL points to a non-public address (${host})`);
  };

  async function download(start: string, signal: AbortSignal): Promise<FetchedImage> {
    let url: URL;
    try {
      url = new URL(start);
    } catch {
      throw new ImageFetchError('the image URL is not a valid URL');
    }
    for (let hop = 0; ; hop++) {
      checkUrl(url);
      const response = await request(url, {
        method: 'GET',
        dispatcher: agent,
        signal,
        headers: { accept: 'image/*', 'user-agent': 'ollama-gateway-image-fetcher' },
      });
      if (REDIRECTS.has(response.statusCode)) {
        await response.body.dump();
        const location = response.headers.location;
        if (typeof location !== 'string')
          throw new ImageFetchError('the image URL redirected without a location');
        if (hop >= maxRedirects) throw new ImageFetchError('the image URL redirected too many times');
        url = new URL(location, url);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        throw new ImageFetchError(`the image server answered HTTP ${response.statusCode}`);
      }
      const contentType = String(response.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      if (!contentType.startsWith('image/')) {
        await response.body.dump();
        throw new ImageFetchError(`the URL is not an image (content-type ${contentType || 'missing'})`);
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        discard(response.body);
        throw new ImageFetchError(`the image is larger than ${options.maxBytes} bytes`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxBytes) {
          discard(response.body);
          throw new ImageFetchError(`the image is larger than ${options.maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return { contentType, data: Buffer.concat(chunks, size) };
    }
  }

  return {
    async fetch(url, clientSignal) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = AbortSignal.any([clientSignal, timeout]);
      try {
        return await download(url, signal);
      } catch (error) {
        if (error instanceof ImageFetchError) throw error;
        if (timeout.aborted)
          throw new ImageFetchError(`the image download took longer than ${options.timeoutMs} ms`);
        if (clientSignal.aborted) throw error;
        const cause = (error as { cause?: unknown }).cause;
        if (cause instanceof ImageFetchError) throw cause;
        throw new ImageFetchError(`the image could not be downloaded (${(error as Error).message})`);
      }
    },
    close: () => agent.close(),
  };
}
