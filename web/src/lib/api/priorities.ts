import type { Call } from './request.ts';
import type { Page, Priority } from './types.ts';

/** The fixed priorities (`/priorities/`). */
export function priorityCalls(call: Call) {
  return {
    /**
     * The priorities, lowest first: fixed reference data, read once where a page loads and
     * handed down (the board's cards, the filter bar, the ticket's picker). A failed read is an
     * empty list: the page still works, without priority names.
     */
    priorities: () =>
      call<Page<Priority>>('GET', '/priorities/').then(
        (page) => page.results,
        (): Priority[] => [],
      ),
  };
}
