import type { Me, ProjectRole } from '#lib/api/types.ts';

/**
 * The signed-in user, read from the app layout's data (`GET /auth/me/`), so it follows every
 * reload of that data. One per app instance (per request on the server), handed down by
 * context: never a module-level singleton, which the server would share between users.
 */
export class Session {
  readonly #read: () => Me | null;

  constructor(read: () => Me | null) {
    this.#read = read;
  }

  get user(): Me | null {
    return this.#read();
  }

  /** The caller's project role, or null (not a member: a superuser or a company person). */
  roleIn(projectId: number): ProjectRole | null {
    return this.user?.memberships.find((m) => m.project === projectId)?.role ?? null;
  }
}
