export type NoticeKind = 'error' | 'info';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

/** How long a notice stays on screen. */
const NOTICE_MS = 6_000;

/**
 * Short messages for the user ("Move refused: …"), shown by the layout in an ARIA live region
 * and dismissed after a few seconds or by the user.
 */
export class Notices {
  #items = $state<Notice[]>([]);
  #next = 1;

  get items(): readonly Notice[] {
    return this.#items;
  }

  /** Shows a message; returns its id. */
  show(text: string, kind: NoticeKind = 'info'): number {
    const id = this.#next++;
    this.#items.push({ id, kind, text });
    setTimeout(() => this.dismiss(id), NOTICE_MS);
    return id;
  }

  error(text: string): number {
    return this.show(text, 'error');
  }

  /** Runs one call; a refusal is shown as "<what>: <its message>". Resolves to whether it was done. */
  async attempt(run: () => Promise<unknown>, what: string): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      this.error(`${what}: ${messageOf(error)}`);
      return false;
    }
  }

  dismiss(id: number): void {
    const index = this.#items.findIndex((n) => n.id === id);
    if (index >= 0) this.#items.splice(index, 1);
  }

  reset(): void {
    this.#items = [];
  }
}

/** An error's message for a notice. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}
