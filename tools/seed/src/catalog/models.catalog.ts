/**
 * The Ollama models, GPU hosts and traffic profiles the demo data is made of. Speeds are what these models do on a
 * consumer GPU (Q4_K_M quantisation): the first host is an RTX 4090-class card, the second an older, slower one.
 */

export type ModelKind = 'chat' | 'embed';

export interface SeedModel {
  name: string;
  kind: ModelKind;
  /** Default price per million tokens (and per request), inserted only when the pricing table has none. */
  price: { inputPerMillion: string; outputPerMillion: string; perRequest: string };
  /** Generation speed in tokens/s on host 1 and host 2 (embedding models generate nothing: 0). */
  evalTps: readonly [number, number];
  /** Prompt evaluation speed in tokens/s on host 1 and host 2. */
  promptTps: readonly [number, number];
  /** Median prompt tokens and the spread (sigma of the log-normal). */
  promptMedian: number;
  promptSigma: number;
  /** Median completion tokens and the spread (0 for embeddings). */
  completionMedian: number;
  completionSigma: number;
  /** Largest prompt the seed produces (the context window it is served with). */
  maxPromptTokens: number;
  /** Share of the model's requests served by host 1. */
  host1Share: number;
  /** How long a cold load takes (ms) and how often a request hits one. */
  coldLoadMs: number;
  coldRate: number;
  /** Embedding dimensions (request logs show the shape, not the vector). */
  dimensions: number;
}

export const SEED_MODELS: readonly SeedModel[] = [
  {
    name: 'llama3.1:8b',
    kind: 'chat',
    price: { inputPerMillion: '0.10', outputPerMillion: '0.30', perRequest: '0' },
    evalTps: [104, 71],
    promptTps: [3400, 2300],
    promptMedian: 420,
    promptSigma: 0.9,
    completionMedian: 260,
    completionSigma: 0.75,
    maxPromptTokens: 32_768,
    host1Share: 0.6,
    coldLoadMs: 2300,
    coldRate: 0.004,
    dimensions: 4096,
  },
  {
    name: 'llama3.2:3b',
    kind: 'chat',
    price: { inputPerMillion: '0.04', outputPerMillion: '0.12', perRequest: '0' },
    evalTps: [188, 133],
    promptTps: [7600, 5200],
    promptMedian: 330,
    promptSigma: 0.85,
    completionMedian: 170,
    completionSigma: 0.7,
    maxPromptTokens: 32_768,
    host1Share: 0.4,
    coldLoadMs: 1200,
    coldRate: 0.006,
    dimensions: 3072,
  },
  {
    name: 'mistral:7b',
    kind: 'chat',
    price: { inputPerMillion: '0.08', outputPerMillion: '0.24', perRequest: '0' },
    evalTps: [112, 77],
    promptTps: [3700, 2500],
    promptMedian: 400,
    promptSigma: 0.85,
    completionMedian: 230,
    completionSigma: 0.75,
    maxPromptTokens: 32_768,
    host1Share: 0.5,
    coldLoadMs: 2100,
    coldRate: 0.005,
    dimensions: 4096,
  },
  {
    name: 'qwen2.5-coder:14b',
    kind: 'chat',
    price: { inputPerMillion: '0.20', outputPerMillion: '0.60', perRequest: '0' },
    evalTps: [58, 38],
    promptTps: [1900, 1250],
    promptMedian: 1500,
    promptSigma: 0.8,
    completionMedian: 400,
    completionSigma: 0.7,
    maxPromptTokens: 32_768,
    host1Share: 0.85,
    coldLoadMs: 4300,
    coldRate: 0.003,
    dimensions: 5120,
  },
  {
    name: 'deepseek-r1:14b',
    kind: 'chat',
    price: { inputPerMillion: '0.25', outputPerMillion: '0.90', perRequest: '0.0002' },
    evalTps: [55, 36],
    promptTps: [1850, 1200],
    promptMedian: 380,
    promptSigma: 0.8,
    completionMedian: 1100,
    completionSigma: 0.6,
    maxPromptTokens: 32_768,
    host1Share: 0.85,
    coldLoadMs: 4400,
    coldRate: 0.004,
    dimensions: 5120,
  },
  {
    name: 'nomic-embed-text',
    kind: 'embed',
    price: { inputPerMillion: '0.02', outputPerMillion: '0', perRequest: '0' },
    evalTps: [0, 0],
    promptTps: [12_000, 8500],
    promptMedian: 260,
    promptSigma: 0.7,
    completionMedian: 0,
    completionSigma: 0,
    maxPromptTokens: 8192,
    host1Share: 0.3,
    coldLoadMs: 600,
    coldRate: 0.004,
    dimensions: 768,
  },
];

/** The two Ollama hosts and their GPU power, as GPU_WATTS_BY_HOST / GPU_WATTS would give it. */
export const SEED_HOSTS = [
  { url: 'http://gpu1:11434', gpuWatts: '450' },
  { url: 'http://gpu2:11434', gpuWatts: '350' },
] as const;

/** GPU_WATTS: what the billing worker records for requests that reached no host (e.g. refused with 429). */
export const DEFAULT_GPU_WATTS = '350';
/** ELECTRICITY_PRICE_PER_KWH (flat: the seed uses no time-of-use windows). */
export const DEFAULT_KWH_PRICE = '0.15';

/** What a key is used for: decides its models, prompt sizes and, for customers, when it is busy. */
export type Profile = 'chat' | 'code' | 'rag' | 'agent' | 'batch';
export const PROFILES: readonly Profile[] = ['chat', 'code', 'rag', 'agent', 'batch'];

export interface ProfileTraits {
  /** Percent of requests per model (sums to 100). */
  models: Readonly<Record<string, number>>;
  /** Multiplies the chat models' prompt sizes (RAG context, agent tool results). */
  promptFactor: number;
  completionFactor: number;
}

export const PROFILE_TRAITS: Readonly<Record<Profile, ProfileTraits>> = {
  chat: {
    models: { 'llama3.1:8b': 50, 'llama3.2:3b': 20, 'mistral:7b': 20, 'deepseek-r1:14b': 10 },
    promptFactor: 1,
    completionFactor: 1,
  },
  code: {
    models: { 'qwen2.5-coder:14b': 70, 'llama3.1:8b': 15, 'deepseek-r1:14b': 15 },
    promptFactor: 1.3,
    completionFactor: 1.2,
  },
  rag: {
    models: { 'nomic-embed-text': 55, 'llama3.1:8b': 35, 'mistral:7b': 10 },
    promptFactor: 4,
    completionFactor: 0.8,
  },
  agent: {
    models: { 'llama3.1:8b': 40, 'qwen2.5-coder:14b': 25, 'deepseek-r1:14b': 20, 'llama3.2:3b': 15 },
    promptFactor: 2.5,
    completionFactor: 0.7,
  },
  batch: {
    models: { 'mistral:7b': 35, 'nomic-embed-text': 35, 'llama3.2:3b': 30 },
    promptFactor: 1.6,
    completionFactor: 0.9,
  },
};
