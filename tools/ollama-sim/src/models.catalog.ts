import type { Capability, SimModel } from './sim.types.js';

const LLAMA3_TEMPLATE =
  '<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ range .Messages }}' +
  '<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}' +
  '<|start_header_id|>assistant<|end_header_id|>\n\n';
const QWEN3_TEMPLATE =
  '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n' +
  '{{ if .Think }}<think>\n{{ end }}';
const LLAVA_TEMPLATE = '[INST] {{ if .System }}{{ .System }} {{ end }}{{ .Prompt }} [/INST]';

/** The models a fresh simulator has "pulled". Realistic details, fixed digests and dates. */
export const DEFAULT_MODELS: readonly SimModel[] = Object.freeze([
  {
    name: 'llama3.2:latest',
    architecture: 'llama',
    family: 'llama',
    families: ['llama'],
    parameterSize: '3.2B',
    quantizationLevel: 'Q4_K_M',
    capabilities: ['completion', 'tools'],
    contextLength: 131072,
    embeddingLength: 3072,
    size: 2019393189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    modifiedAt: '2025-09-18T10:21:44.617412851Z',
    template: LLAMA3_TEMPLATE,
    parameters:
      'stop                           "<|start_header_id|>"\nstop                           "<|end_header_id|>"\nstop                           "<|eot_id|>"',
  },
  {
    name: 'qwen3:0.6b',
    architecture: 'qwen3',
    family: 'qwen3',
    families: ['qwen3'],
    parameterSize: '751.63M',
    quantizationLevel: 'Q4_K_M',
    capabilities: ['completion', 'tools', 'thinking'],
    contextLength: 40960,
    embeddingLength: 1024,
    size: 522653767,
    digest: '7df6b6e09427a769808717c0a93cadc4ae99ed4eb8bf5ca557c90846becea435',
    modifiedAt: '2025-09-18T10:19:02.118240117Z',
    template: QWEN3_TEMPLATE,
    parameters:
      'repeat_penalty                 1\nstop                           "<|im_start|>"\nstop                           "<|im_end|>"\ntemperature                    0.6\ntop_k                          20\ntop_p                          0.95',
  },
  {
    name: 'llava:latest',
    architecture: 'llama',
    family: 'llama',
    families: ['llama', 'clip'],
    parameterSize: '7B',
    quantizationLevel: 'Q4_0',
    capabilities: ['completion', 'vision'],
    contextLength: 32768,
    embeddingLength: 4096,
    size: 4733363377,
    digest: '8dd30f6b0cb19f555f2c7a7ebda861449ea2cc76bf1f44e262931f45fc81d081',
    modifiedAt: '2025-09-18T10:16:37.502871334Z',
    template: LLAVA_TEMPLATE,
    parameters: 'stop                           "[INST]"\nstop                           "[/INST]"',
  },
  {
    name: 'all-minilm:latest',
    architecture: 'bert',
    family: 'bert',
    families: ['bert'],
    parameterSize: '23M',
    quantizationLevel: 'F16',
    capabilities: ['embedding'],
    contextLength: 512,
    embeddingLength: 384,
    size: 45960996,
    digest: '1b226e2802dbb772b5fc32a58f103ca1804ef7501331012de126ab22f67475ef',
    modifiedAt: '2025-09-18T10:15:11.004561208Z',
    template: '{{ .Prompt }}',
    parameters: '',
  },
] satisfies SimModel[]);

/** `llama3.2` → `llama3.2:latest`; an explicit tag is kept. Names compare case-insensitively, as Ollama's do. */
export function normalizeModelName(name: string): string {
  const trimmed = name.trim();
  const slash = trimmed.lastIndexOf('/');
  const colon = trimmed.lastIndexOf(':');
  const full = colon > slash ? trimmed : `${trimmed}:latest`;
  return full.toLowerCase();
}

/** Fills in a model given partially (e.g. from a --models JSON file). `name` is required. */
export function completeModel(partial: Partial<SimModel> & { name: string }): SimModel {
  const capabilities: Capability[] = partial.capabilities ?? ['completion'];
  const isEmbedding = capabilities.includes('embedding');
  const family = partial.family ?? partial.architecture ?? 'llama';
  return {
    name: normalizeModelName(partial.name),
    architecture: partial.architecture ?? family,
    family,
    families: partial.families ?? [family],
    parameterSize: partial.parameterSize ?? (isEmbedding ? '23M' : '3.2B'),
    quantizationLevel: partial.quantizationLevel ?? (isEmbedding ? 'F16' : 'Q4_K_M'),
    capabilities,
    contextLength: partial.contextLength ?? (isEmbedding ? 512 : 131072),
    embeddingLength: partial.embeddingLength ?? (isEmbedding ? 384 : 3072),
    size: partial.size ?? 2019393189,
    digest: partial.digest ?? '0'.repeat(64),
    modifiedAt: partial.modifiedAt ?? '2025-09-18T10:00:00Z',
    template: partial.template ?? '{{ .Prompt }}',
    parameters: partial.parameters ?? '',
  };
}

/** Name → model lookup that understands `name` without a tag. */
export class ModelCatalog {
  private readonly byName = new Map<string, SimModel>();

  constructor(models: readonly SimModel[]) {
    for (const model of models) this.byName.set(normalizeModelName(model.name), model);
  }

  find(name: string): SimModel | undefined {
    return this.byName.get(normalizeModelName(name));
  }

  list(): SimModel[] {
    return [...this.byName.values()];
  }
}

/** Ollama's fully qualified name, used in its capability errors. */
export function qualifiedName(model: SimModel): string {
  return model.name.includes('/')
    ? `registry.ollama.ai/${model.name}`
    : `registry.ollama.ai/library/${model.name}`;
}
