import { describe, expect, it } from 'vitest';
import { inspectNativeRequest, modelNotFoundMessage } from './request.js';

const body = (text: string) => Buffer.from(text);

describe('inspectNativeRequest', () => {
  it('reads the model and Ollama’s stream default (absent means true for chat and generate)', () => {
    expect(inspectNativeRequest('chat', body('{"model":"llama3.2","messages":[]}'))).toEqual({
      ok: true,
      info: {
        models: ['llama3.2'],
        model: 'llama3.2',
        stream: true,
        json: { model: 'llama3.2', messages: [] },
      },
    });
    const generate = inspectNativeRequest('generate', body('{"model":"m","stream":false}'));
    expect(generate.ok && generate.info.stream).toBe(false);
    const embed = inspectNativeRequest('embed', body('{"model":"all-minilm","input":"x"}'));
    expect(embed.ok && embed.info).toMatchObject({ model: 'all-minilm', stream: false });
  });

  it('checks both model and the deprecated name on show', () => {
    const show = inspectNativeRequest('show', body('{"model":"a","name":"b"}'));
    expect(show.ok && show.info.models).toEqual(['a', 'b']);
    const byName = inspectNativeRequest('show', body('{"name":"b"}'));
    expect(byName.ok && byName.info.model).toBe('b');
  });

  it('forwards bodies Ollama will refuse on its own (empty, no model, not an object)', () => {
    for (const text of ['', '  ', '{}', '{"model":""}', '{"model":3}', '[1]'])
      expect(inspectNativeRequest('chat', body(text))).toMatchObject({ ok: true, info: { models: [] } });
    expect(inspectNativeRequest('chat', undefined)).toMatchObject({ ok: true, info: { model: '' } });
  });

  it('refuses a body nested deeper than MAX_JSON_DEPTH (it would break the request log later)', () => {
    const deep = `{"model":"llama3.2","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(inspectNativeRequest('chat', body(deep))).toEqual({
      ok: false,
      message: expect.stringContaining('nested too deeply'),
    });
  });

  it('refuses what Ollama could read differently: invalid JSON, trailing values, a model key in other case', () => {
    expect(inspectNativeRequest('chat', body('{"model":'))).toMatchObject({ ok: false });
    expect(inspectNativeRequest('chat', body('{"model":"a"}{"model":"b"}'))).toMatchObject({ ok: false });
    expect(inspectNativeRequest('chat', body('{"model":"a","Model":"b"}'))).toEqual({
      ok: false,
      message: 'invalid field "Model" in the request body: use "model"',
    });
    expect(inspectNativeRequest('show', body('{"NAME":"b"}'))).toMatchObject({ ok: false });
    // `name` means nothing to chat: harmless there.
    expect(inspectNativeRequest('chat', body('{"model":"a","Name":"b"}'))).toMatchObject({ ok: true });
  });

  it('words a missing model as Ollama does', () => {
    expect(modelNotFoundMessage('chat', 'x')).toBe('model "x" not found, try pulling it first');
    expect(modelNotFoundMessage('show', 'x')).toBe("model 'x' not found");
  });
});
