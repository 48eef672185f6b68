import { tick } from 'svelte';
import type { ActionReturn } from 'svelte/action';
import type { DndZoneAttributes, Item, Options } from 'svelte-dnd-action';
import { loadBoardDrag } from '#lib/state/board.svelte.ts';

/**
 * The board's drag and drop (svelte-dnd-action's `dndzone`), loaded after the board is up: the
 * library is half of the board's own JavaScript and nothing of the first paint needs it
 * (decision 0058). It is fetched when the page is first idle after hydration, or sooner when a
 * pointer comes over a column's cards or the focus comes into one (a person about to drag); a
 * press that started a drag before it arrived (a mouse button still held, a finger still down,
 * Space or Enter and the keys after them) is handed to it once it is there, so the first drag
 * works as every later one.
 */
type Library = typeof import('svelte-dnd-action');

let loading: Promise<Library> | null = null;
let library: Library | null = null;
/** The zones on the page waiting for the library: all of them take drops once it is there. */
const waiting = new Set<(loaded: Library) => void>();

/** Starts loading the drag library (once); resolves to it. */
export function loadDragLibrary(): Promise<Library> {
  // The board's handlers of its events come with it (decision 0061).
  loading ??= Promise.all([import('svelte-dnd-action'), loadBoardDrag()]).then(([loaded]) => {
    library = loaded;
    for (const attach of waiting) attach(loaded);
    waiting.clear();
    return loaded;
  });
  return loading;
}

/** The longest the library waits for an idle moment after the board is hydrated (ms). */
const IDLE_WAIT_MS = 2_000;

/** Keys the library acts on while a card is focused (Space and Enter pick it up and drop it). */
const DRAG_KEYS = new Set([' ', 'Enter', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Escape']);
const PICK_UP_KEYS = new Set([' ', 'Enter']);

/**
 * `use:dragZone={options}` is `use:dndzone={options}` (same options, same `consider` and
 * `finalize` events), with the library loaded after the board is up (above).
 */
export function dragZone<T extends Item>(
  node: HTMLElement,
  options: Options<T>,
): ActionReturn<Options<T>, DndZoneAttributes<T>> {
  let current = options;
  let zone: ActionReturn<Options<T>, DndZoneAttributes<T>> | null = null;
  let destroyed = false;
  /** Presses made before the library arrived, to hand to it in order. */
  let held: Event[] = [];

  /** The card (a direct child of the list) an event happened on, if any. */
  const cardOf = (event: Event): Element | null => {
    const target = event.target instanceof Element ? event.target : null;
    let card = target;
    while (card && card.parentElement !== node) card = card.parentElement;
    return card;
  };

  function intent(): void {
    loadDragLibrary().catch(() => {
      // Not loaded (offline, a new deploy): the board still works, without drag and drop.
      held = [];
    });
  }
  const whenLoaded = (loaded: Library) => void attach(loaded);

  function hold(event: Event): void {
    const card = cardOf(event);
    if (!card) return;
    if (event instanceof KeyboardEvent) {
      // Only a pick-up (on the card itself: Enter on its link opens it) starts holding keys;
      // the keys after it belong to the same drag.
      if (held.length ? !DRAG_KEYS.has(event.key) : !PICK_UP_KEYS.has(event.key) || event.target !== card) return;
      event.preventDefault();
      event.stopPropagation();
    } else if (event instanceof MouseEvent) {
      if (event.button !== 0) return;
      // As the library does: no text selection or focus change under a press that may drag.
      event.preventDefault();
    }
    held.push(event);
    intent();
  }
  /** A button or finger lifted before the library arrived: that press was a click or a tap, not a drag. */
  const release = () => {
    held = held.filter((event) => event instanceof KeyboardEvent);
  };

  const listeners: [string, EventListener, EventTarget][] = [
    ['pointerover', intent, node],
    ['focusin', intent, node],
    // Bubbling, so a card that may not move (its own capturing listener stops the press) is left alone.
    ['mousedown', hold, node],
    ['touchstart', hold, node],
    ['keydown', hold, node],
    ['mouseup', release, window],
    ['touchend', release, window],
    ['touchcancel', release, window],
  ];
  for (const [type, listener, target] of listeners) target.addEventListener(type, listener);

  async function attach(loaded: Library): Promise<void> {
    if (destroyed || zone) return;
    for (const [type, listener, target] of listeners) target.removeEventListener(type, listener);
    zone = loaded.dndzone(node, current);
    const presses = held;
    held = [];
    for (const event of presses) {
      if (destroyed || !event.target || !(event.target as Node).isConnected) break;
      event.target.dispatchEvent(replay(event));
      await tick();
    }
  }

  if (library) void attach(library);
  else {
    waiting.add(whenLoaded);
    // Without a sign of use, once the page has nothing else to do (its zones then say they take
    // drops, or that they do not, to screen readers as before).
    if (typeof requestIdleCallback === 'function') requestIdleCallback(intent, { timeout: IDLE_WAIT_MS });
    else setTimeout(intent, IDLE_WAIT_MS);
  }

  return {
    update(options) {
      current = options;
      zone?.update?.(options);
    },
    destroy() {
      destroyed = true;
      waiting.delete(whenLoaded);
      for (const [type, listener, target] of listeners) target.removeEventListener(type, listener);
      zone?.destroy?.();
    },
  };
}

/** A copy of a held press, to dispatch again (an event is dispatched only once). */
function replay(event: Event): Event {
  const init = { bubbles: true, cancelable: true, composed: true };
  if (event instanceof KeyboardEvent) {
    const { key, code, shiftKey, ctrlKey, altKey, metaKey, repeat } = event;
    return new KeyboardEvent(event.type, { ...init, key, code, shiftKey, ctrlKey, altKey, metaKey, repeat });
  }
  if (typeof TouchEvent !== 'undefined' && event instanceof TouchEvent) {
    const { touches, targetTouches, changedTouches } = event;
    return new TouchEvent(event.type, {
      ...init,
      touches: [...touches],
      targetTouches: [...targetTouches],
      changedTouches: [...changedTouches],
    });
  }
  const mouse = event as MouseEvent;
  return new MouseEvent(event.type, {
    ...init,
    clientX: mouse.clientX,
    clientY: mouse.clientY,
    screenX: mouse.screenX,
    screenY: mouse.screenY,
    button: mouse.button,
    buttons: mouse.buttons,
  });
}
