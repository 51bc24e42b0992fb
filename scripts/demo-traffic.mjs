#!/usr/bin/env node
// `make demo` sends a little live traffic through nginx with the demo key, in all three dialects (plain and
// streaming, one error), so the dashboard's request log holds real requests next to the seeded history.
// Usage: node scripts/demo-traffic.mjs <api-url> <key> [count]
const [apiUrl, key, countArg] = process.argv.slice(2);
if (!apiUrl || !key) {
  console.error('usage: node scripts/demo-traffic.mjs <api-url> <key> [count]');
  process.exit(2);
}
const count = Number(countArg ?? 24);
const prompts = [
  'Summarise the benefits of solar panels for a small bakery.',
  'Write a haiku about a GPU fan spinning up at night.',
  'Explain what a vector database is to a product manager.',
  'Draft a polite reply to a customer asking for a refund.',
  'List three ways to speed up a slow PostgreSQL query.',
  'Translate "good morning, the invoice is attached" into German.',
];
const models = ['llama3.2:latest', 'qwen3:0.6b', 'llama3.2:latest', 'qwen3:0.6b'];
const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

function request(i) {
  const prompt = prompts[i % prompts.length];
  const model = models[i % models.length];
  const stream = i % 3 === 0;
  switch (i % 4) {
    case 1:
      return fetch(`${apiUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          max_tokens: 200,
          stream,
          messages: [{ role: 'user', content: prompt }],
        }),
      });
    case 2:
      return fetch(`${apiUrl}/api/chat`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: prompt }] }),
      });
    default:
      return fetch(`${apiUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: prompt }] }),
      });
  }
}

let ok = 0;
let failed = 0;
for (let i = 0; i < count; i++) {
  const res = await request(i);
  await res.arrayBuffer();
  if (res.ok) ok += 1;
  else failed += 1;
}
// One deliberate error (a model that does not exist), so the errors panel and the log filter have something to show.
const missing = await fetch(`${apiUrl}/v1/chat/completions`, {
  method: 'POST',
  headers: auth,
  body: JSON.stringify({ model: 'no-such-model:1b', messages: [{ role: 'user', content: 'hello?' }] }),
});
await missing.arrayBuffer();
console.log(`sent ${count + 1} requests: ${ok} ok, ${failed + (missing.ok ? 0 : 1)} errors (one on purpose)`);
