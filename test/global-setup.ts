import { migrateDatabase } from '@laneway/db/migrate';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { adminUrl, databaseUrl } from './db-url.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * Migrates one template database per run; each test file clones it (CREATE DATABASE …
 * TEMPLATE), so files run in parallel on a real PostgreSQL without sharing rows.
 */
export default async function setup(project: TestProject) {
  const template = `laneway_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${template}"`);
  await migrateDatabase(databaseUrl(template));
  project.provide('templateDatabase', template);
  return async () => {
    const clones = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`lwt_${template.slice(12)}%`} or datname = ${template}`;
    for (const { datname } of clones) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end();
  };
}
