import type { Me, ProjectRole } from '#lib/api/index.ts';

/** A company person who is no project's member and not a superuser (see `Session.isClient`). */
export function isClient(user: Me | null): boolean {
  return !!user && !user.is_superuser && user.memberships.length === 0 && user.companies.length > 0;
}

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

  /**
   * A client: a company person who is no project's member and not a superuser. Clients use the
   * portal (their companies' tickets and chats) and nothing else.
   */
  get isClient(): boolean {
    return isClient(this.user);
  }

  /** The caller's project role, or null (not a member: a superuser or a company person). */
  roleIn(projectId: number): ProjectRole | null {
    return this.user?.memberships.find((m) => m.project === projectId)?.role ?? null;
  }
}
