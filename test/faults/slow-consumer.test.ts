// Fault: a client that stops reading a long stream (tens of MB), from a simulator that writes as fast as it is let
// (unpaced), through nginx and straight at the gateway. The gateway must not buffer the upstream answer for a slow
// client: its writes wait for the client's socket to drain, it stops reading from Ollama meanwhile, and the
// simulator's writes stall in turn (its GET /_sim/stats `inFlight[].tokensSent` stops moving). nginx passes streams
// through unbuffered (`proxy_buffering off` in nginx.conf.template: it holds one proxy_buffer_size buffer, not the
// answer), so both paths must behave the same. Once the client reads again the stream completes with exactly the
// simulator's reply, and has one usage row with the full token count.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { conversationKey, replyText } from '@ollama-gateway/ollama-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import {
  MODEL,
  processOf,
  reportResult,
  runTag,
  SOAK,
  sleep,
  startFaultStack,
} from './support/fault-stack.js';
import { type LoadKind, now, type Outcome } from './support/load.js';
import { medianBetween, sampleRss } from './support/memory.js';
import { expectReconciled, reconcile } from './support/reconcile.js';

// 400k tokens (~104 MB of OpenAI SSE, ~52 MB of NDJSON): well beyond what the socket buffers along the way can hold
// (with 200k, a run on a busy machine once buffered the whole NDJSON stream and the simulator finished).
const REPLY_TOKENS = 400_000;
/** How long the client holds the stream without reading. */
const HOLD_MS = SOAK ? 30_000 : 5_000;
/** Gateway RSS growth allowed while the client holds the stream (buffering the answer would be well over this). */
const MAX_GROWTH_MIB = 40;

let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  stack = await startFaultStack({ label: 'fslowconsumer', sim: { ttftMs: 0, tokensPerSecond: 0 } });
  ({ key: apiKey } = await stack.createKey());
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

interface HeldStream {
  res: IncomingMessage;
  /** Bytes received so far. */
  received(): number;
  /** Starts reading again; resolves with the whole body once it ended. */
  resume(): Promise<string>;
}

/** Sends a streaming request, reads its first bytes, then stops reading (the socket fills up behind it). */
function openAndHold(url: string, body: unknown, userAgent: string): Promise<HeldStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'user-agent': userAgent,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const ended = new Promise<string>((done, fail) => {
        res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('response aborted')));
      });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        bytes += chunk.length;
      });
      res.once('data', () => {
        res.pause();
        resolve({
          res,
          received: () => bytes,
          resume: () => {
            res.resume();
            return ended;
          },
        });
      });
    });
    req.end(JSON.stringify(body));
  });
}

/** The streamed text of an OpenAI SSE body (and whether it ended with [DONE]) or an Ollama NDJSON one. */
function parseStream(kind: LoadKind, body: string): { text: string; tokens: number; complete: boolean } {
  let text = '';
  let tokens = 0;
  let complete = false;
  for (const line of body.split('\n')) {
    if (kind === 'ollama-stream') {
      if (!line.trim()) continue;
      const json = JSON.parse(line) as { done?: boolean; message?: { content?: string } };
      if (json.done) complete = true;
      else if (json.message?.content) {
        text += json.message.content;
        tokens += 1;
      }
      continue;
    }
    if (!line.startsWith('data: ')) continue;
    const data = line.slice(6);
    if (data === '[DONE]') {
      complete = true;
      continue;
    }
    const json = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
    const delta = json.choices?.[0]?.delta?.content;
    if (delta) {
      text += delta;
      tokens += 1;
    }
  }
  return { text, tokens, complete };
}

interface CaseResult {
  name: string;
  outcome: Outcome;
  streamMiB: number;
  heldReceivedKiB: number;
  simTokensAtHold: number;
  simTokensAdvancedLastSecond: number;
  baselineRssMiB: number;
  maxRssMiB: number;
  growthMiB: number;
  resumeMs: number;
}

describe('fault: a slow consumer holds a long stream', () => {
  it('the gateway honours backpressure (bounded RSS, the simulator stalls) and the stream completes intact', {
    timeout: 180_000,
  }, async () => {
    const tag = runTag('slow-consumer');
    const gateway = processOf(stack, 'gateway');
    const rss = sampleRss({ gateway: () => gateway.child.pid }, 100);
    const started = now();
    const cases: { name: string; kind: LoadKind; baseUrl: string }[] = [
      { name: 'openai via nginx', kind: 'stream', baseUrl: stack.apiUrl },
      { name: 'openai direct', kind: 'stream', baseUrl: stack.gatewayUrl },
      { name: 'ollama via nginx', kind: 'ollama-stream', baseUrl: stack.apiUrl },
      { name: 'ollama direct', kind: 'ollama-stream', baseUrl: stack.gatewayUrl },
    ];
    const results: CaseResult[] = [];

    for (const [n, c] of cases.entries()) {
      await sleep(1_000);
      const content = `slow consumer ${tag} case ${n} [[sim:tokens=${REPLY_TOKENS}]]`;
      const messages = [{ role: 'user', content }];
      const expected = replyText(conversationKey(messages), REPLY_TOKENS);
      const isOllama = c.kind === 'ollama-stream';
      const body = isOllama
        ? { model: MODEL, messages, stream: true }
        : { model: MODEL, messages, stream: true, stream_options: { include_usage: true } };
      const userAgent = `${tag}/${n}`;
      const sentAt = now();
      const baselineRssMiB = medianBetween(rss.series.gateway!, sentAt - started - 1_000, sentAt - started);
      const held = await openAndHold(
        `${c.baseUrl}${isOllama ? '/api/chat' : '/v1/chat/completions'}`,
        body,
        userAgent,
      );
      const headersAt = now();
      expect(held.res.statusCode, `${c.name}: status`).toBe(200);

      // Hold: the client reads nothing. Sample the simulator's progress each second.
      const progress: number[] = [];
      const holdEnd = now() + HOLD_MS;
      while (now() < holdEnd) {
        await sleep(Math.min(1_000, holdEnd - now()));
        progress.push(stack.sim.stats().inFlight.find((r) => r.path === '/api/chat')?.tokensSent ?? -1);
      }
      const holdRss = rss.series.gateway!.samples.filter(
        (s) => s.atMs >= headersAt - started && s.atMs <= holdEnd - started,
      );
      const maxRssMiB = Math.max(...holdRss.map((s) => s.mib));
      const heldReceived = held.received();

      const resumedAt = now();
      const text = await held.resume();
      const endedAt = now();
      const parsed = parseStream(c.kind, text);
      results.push({
        name: c.name,
        outcome: {
          n,
          kind: c.kind,
          userAgent,
          sentAt,
          headersAt,
          endedAt,
          httpStatus: held.res.statusCode ?? null,
          requestId: String(held.res.headers['x-request-id'] ?? '') || null,
          result: parsed.complete ? 'ok' : 'truncated',
          tokens: parsed.tokens,
        },
        streamMiB: Buffer.byteLength(text) / 2 ** 20,
        heldReceivedKiB: heldReceived / 1024,
        simTokensAtHold: progress.at(-1)!,
        simTokensAdvancedLastSecond: progress.at(-1)! - progress.at(-2)!,
        baselineRssMiB,
        maxRssMiB,
        growthMiB: maxRssMiB - baselineRssMiB,
        resumeMs: endedAt - resumedAt,
      });
      const result = results.at(-1)!;

      // Backpressure all the way up: the simulator (unpaced: it writes the whole reply in about a second when let)
      // had not finished when the hold ended, and had stopped writing: nothing read, nothing written. What it had
      // written sits in the sockets' kernel buffers on the way (loopback buffers grow to several MB), not in the
      // gateway …
      expect(
        result.simTokensAtHold,
        `${c.name}: simulator still streaming at the end of the hold`,
      ).toBeGreaterThan(0);
      expect(result.simTokensAtHold, `${c.name}: simulator blocked before the end`).toBeLessThan(
        REPLY_TOKENS,
      );
      expect(
        result.simTokensAdvancedLastSecond,
        `${c.name}: simulator stalled (tokens written in the last second)`,
      ).toBe(0);
      // … and the gateway did not keep the answer in memory meanwhile.
      expect(result.growthMiB, `${c.name}: gateway RSS growth while held (MiB)`).toBeLessThan(MAX_GROWTH_MIB);
      // Resumed, it completes with exactly the simulator's reply.
      expect(parsed.complete, `${c.name}: stream ended with its terminal event`).toBe(true);
      expect(parsed.tokens).toBe(REPLY_TOKENS);
      expect(parsed.text === expected, `${c.name}: streamed text equals the simulator's reply`).toBe(true);
      expect(result.streamMiB, `${c.name}: a long stream`).toBeGreaterThan(10);
    }
    rss.stop();

    const outcomes = results.map((r) => r.outcome);
    const r = await reconcile(stack.db, tag, outcomes, { timeoutMs: 30_000 });
    expectReconciled(r, stack);
    for (const o of outcomes) {
      const row = r.byId.get(o.requestId!)!;
      expect(row.status).toBe(200);
      expect(row.completion_tokens, `${o.n}: usage counts every token`).toBe(REPLY_TOKENS);
    }

    const round = (x: number) => Math.round(x * 10) / 10;
    reportResult('slow-consumer', {
      sent: r.sent,
      rows: r.rows,
      missing: r.missing.length,
      doubled: r.doubled.length,
      maxRssMiB: Math.round(Math.max(...results.map((x) => x.maxRssMiB))),
      cases: results.map((x) => ({
        name: x.name,
        streamMiB: round(x.streamMiB),
        holdMs: HOLD_MS,
        clientHadKiB: Math.round(x.heldReceivedKiB),
        simTokensWrittenWhileHeld: x.simTokensAtHold,
        // What the simulator had written beyond what the client read: the buffers on the path (kernel sockets).
        inPathMiB: round((x.simTokensAtHold / REPLY_TOKENS) * x.streamMiB - x.heldReceivedKiB / 1024),
        baselineRssMiB: round(x.baselineRssMiB),
        maxRssMiB: round(x.maxRssMiB),
        growthMiB: round(x.growthMiB),
        // From the client reading again until the end of the stream.
        recoveryMs: Math.round(x.resumeMs),
      })),
    });
  });
});
