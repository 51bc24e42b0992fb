export * from './channels.js';
export * from './dashboard.js';
export * from './enums.js';
export * from './latency-histogram.js';
export * from './queues.js';
export * from './request-log-event.js';
export * from './usage-event.js';
