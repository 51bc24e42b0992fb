import type { Profile } from './models.catalog.js';

/**
 * The demo customers: small businesses and apps with a believable reason to call a local LLM. All names are
 * invented. Every seeded customer's e-mail is under SEED_EMAIL_DOMAIN, which is how `--reset` finds them again.
 */

/** When a customer's traffic comes: office hours, evenings and weekends (consumer apps), or nightly batches. */
export type Rhythm = 'business' | 'consumer' | 'nightly';
export type Dialect = 'openai' | 'anthropic' | 'ollama';

export interface CatalogCustomer {
  name: string;
  /** The mailbox part of the address (`<local>@<slug>.seed.example`). */
  mailbox: string;
  profile: Profile;
  rhythm: Rhythm;
  /** The SDK most of its keys speak. */
  dialect: Dialect;
}

/** `.example` is reserved (RFC 2606): these addresses can never reach anyone. */
export const SEED_EMAIL_DOMAIN = 'seed.example';
/** Every seeded key's name ends with this. */
export const SEED_KEY_MARK = '(seed)';

export const CATALOG_CUSTOMERS: readonly CatalogCustomer[] = [
  { name: 'Brightleaf Bakery', mailbox: 'orders', profile: 'chat', rhythm: 'business', dialect: 'openai' },
  { name: 'Northwind Legal', mailbox: 'it', profile: 'rag', rhythm: 'business', dialect: 'openai' },
  { name: 'Pixelforge Studio', mailbox: 'dev', profile: 'code', rhythm: 'business', dialect: 'ollama' },
  { name: 'TaskPilot', mailbox: 'platform', profile: 'agent', rhythm: 'consumer', dialect: 'openai' },
  {
    name: 'Tidewater Dental Group',
    mailbox: 'office',
    profile: 'chat',
    rhythm: 'business',
    dialect: 'openai',
  },
  {
    name: 'Copperleaf Accounting',
    mailbox: 'admin',
    profile: 'rag',
    rhythm: 'business',
    dialect: 'anthropic',
  },
  { name: 'Nimbus Notes', mailbox: 'api', profile: 'chat', rhythm: 'consumer', dialect: 'openai' },
  { name: 'Cobalt DevTools', mailbox: 'eng', profile: 'code', rhythm: 'business', dialect: 'openai' },
  { name: 'Ferris Logistics', mailbox: 'ops', profile: 'batch', rhythm: 'nightly', dialect: 'ollama' },
  {
    name: 'Juniper Support Desk',
    mailbox: 'support',
    profile: 'chat',
    rhythm: 'business',
    dialect: 'anthropic',
  },
  { name: 'Atlas Translation', mailbox: 'hello', profile: 'batch', rhythm: 'business', dialect: 'openai' },
  { name: 'Moonbeam Games', mailbox: 'studio', profile: 'chat', rhythm: 'consumer', dialect: 'ollama' },
  { name: 'Paperplane CRM', mailbox: 'devops', profile: 'agent', rhythm: 'business', dialect: 'openai' },
  { name: 'Helix Biotech Lab', mailbox: 'research', profile: 'rag', rhythm: 'business', dialect: 'ollama' },
  { name: 'Saffron Kitchen', mailbox: 'owner', profile: 'chat', rhythm: 'consumer', dialect: 'openai' },
  { name: 'Kestrel Security', mailbox: 'soc', profile: 'batch', rhythm: 'nightly', dialect: 'openai' },
  { name: 'CodeCraft Academy', mailbox: 'teachers', profile: 'code', rhythm: 'consumer', dialect: 'openai' },
  { name: 'Orchard Lane Realty', mailbox: 'agents', profile: 'chat', rhythm: 'business', dialect: 'openai' },
  { name: 'Beacon News Digest', mailbox: 'newsroom', profile: 'batch', rhythm: 'nightly', dialect: 'ollama' },
  { name: 'Lumen Health Clinic', mailbox: 'admin', profile: 'rag', rhythm: 'business', dialect: 'anthropic' },
  {
    name: 'Granite Peak Outfitters',
    mailbox: 'shop',
    profile: 'chat',
    rhythm: 'consumer',
    dialect: 'openai',
  },
  {
    name: 'Wren & Co. Marketing',
    mailbox: 'team',
    profile: 'chat',
    rhythm: 'business',
    dialect: 'anthropic',
  },
  { name: 'Sundial Scheduling', mailbox: 'api', profile: 'agent', rhythm: 'consumer', dialect: 'openai' },
  { name: 'Ironclad Contracts', mailbox: 'legal', profile: 'rag', rhythm: 'business', dialect: 'openai' },
  {
    name: 'Meadowlark Pet Care',
    mailbox: 'front-desk',
    profile: 'chat',
    rhythm: 'business',
    dialect: 'ollama',
  },
  { name: 'Polaris Travel', mailbox: 'bookings', profile: 'chat', rhythm: 'consumer', dialect: 'openai' },
  { name: 'Vantage HR', mailbox: 'people', profile: 'rag', rhythm: 'business', dialect: 'openai' },
  { name: 'Sprocket Bikes Co.', mailbox: 'service', profile: 'chat', rhythm: 'business', dialect: 'ollama' },
  { name: 'Bluefin Analytics', mailbox: 'data', profile: 'batch', rhythm: 'nightly', dialect: 'openai' },
  { name: 'Foxglove Recipes', mailbox: 'app', profile: 'chat', rhythm: 'consumer', dialect: 'openai' },
  {
    name: 'Summit Insurance Brokers',
    mailbox: 'claims',
    profile: 'rag',
    rhythm: 'business',
    dialect: 'anthropic',
  },
  { name: 'Evergreen Schools', mailbox: 'edtech', profile: 'chat', rhythm: 'business', dialect: 'openai' },
  { name: 'Quarry Build Co.', mailbox: 'office', profile: 'chat', rhythm: 'business', dialect: 'openai' },
  { name: 'Driftwood Surf Shop', mailbox: 'crew', profile: 'chat', rhythm: 'consumer', dialect: 'ollama' },
  { name: 'Lighthouse Tutoring', mailbox: 'tutors', profile: 'code', rhythm: 'consumer', dialect: 'openai' },
  { name: 'Maple & Moss Florists', mailbox: 'shop', profile: 'chat', rhythm: 'business', dialect: 'openai' },
  { name: 'Riverbend Library', mailbox: 'digital', profile: 'rag', rhythm: 'business', dialect: 'ollama' },
  { name: 'Harbor & Vine Wines', mailbox: 'cellar', profile: 'chat', rhythm: 'consumer', dialect: 'openai' },
  { name: 'Tinkerbox Robotics', mailbox: 'firmware', profile: 'code', rhythm: 'business', dialect: 'ollama' },
  { name: 'Ledgerly', mailbox: 'backend', profile: 'agent', rhythm: 'business', dialect: 'openai' },
];

/** Key names by what the customer does; the first is the main production key. */
export const KEY_NAMES: Readonly<Record<Profile, readonly string[]>> = {
  chat: ['production', 'website-widget', 'staging', 'mobile-app', 'n8n-workflows'],
  code: ['production', 'ide-plugin', 'ci', 'staging', 'dev-laptop'],
  rag: ['production', 'indexer', 'staging', 'n8n-workflows', 'analytics'],
  agent: ['production', 'agent-1', 'agent-2', 'agent-3', 'staging'],
  batch: ['nightly-batch', 'production', 'backfill', 'staging', 'analytics'],
};

/** User agents by dialect, the way the official SDKs and common tools send them. */
export const USER_AGENTS: Readonly<Record<Dialect, readonly string[]>> = {
  openai: [
    'OpenAI/Python 1.54.4',
    'OpenAI/JS 4.73.0',
    'n8n/1.68.0',
    'langchain-js/0.3.6 OpenAI/JS 4.73.0',
    'AsyncOpenAI/Python 1.54.4',
  ],
  anthropic: ['Anthropic/Python 0.40.0', 'Anthropic/JS 0.32.1'],
  ollama: [
    'ollama-python/0.4.4 (x86_64 linux) Python/3.12.7',
    'ollama-js/0.5.10 (x64 linux Node.js/v20.18.1)',
    'curl/8.5.0',
  ],
};

/** Plans by customer rank (busiest first), by the plan names db/init.sql creates. */
export function planForRank(rank: number): string {
  if (rank < 3) return 'Enterprise';
  if (rank < 8) return 'Business';
  if (rank < 15) return 'Pro';
  if (rank < 21) return 'Basic';
  return 'Free';
}
