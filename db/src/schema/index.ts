export * from './auth.ts';
export * from './orgs.ts';
export * from './projects.ts';
export * from './tickets.ts';
export * from './chat.ts';
export * from './events.ts';
export * from './webhooks.ts';
export * from './settings.ts';
