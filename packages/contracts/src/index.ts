export * from './channels.js';
export * from './enums.js';
export * from './queues.js';
export * from './request-log-event.js';
export * from './usage-event.js';
