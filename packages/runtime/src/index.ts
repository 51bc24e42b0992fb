export * from './api-keys.js';
export * from './env.js';
export * from './errors.js';
export * from './health-server.js';
export * from './key-events.js';
export * from './logger.js';
export * from './redis.js';
export * from './shutdown.js';
