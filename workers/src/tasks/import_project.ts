/**
 * `import_project` (queued by POST /projects/import/): creates the import's project in one
 * transaction. The service checks first whether the import already has its project, so a job
 * retried after a crash creates nothing twice (decision 0045).
 */
import { z } from 'zod';
import { runImport } from '../../../server/src/services/imports.ts';
import { defineTask } from '../task.ts';

export const importProject = defineTask(
  z.object({ import: z.number().int().positive() }).loose(),
  async (payload, { deps, log }) => {
    await runImport(deps.db, payload.import, { dir: deps.config.uploadDir });
    log.info({ import: payload.import }, 'import finished');
  },
);
