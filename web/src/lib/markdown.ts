/**
 * Markdown for descriptions and comments: `marked` turns it into HTML, DOMPurify removes
 * everything that could run (scripts, event handlers, `javascript:` and other unsafe URLs,
 * forms, styles). Why these two: docs/decisions/0014-markdown-sanitising.md.
 *
 * DOMPurify needs a DOM, which server rendering does not have (and without one it returns its
 * input untouched): {@link renderMarkdown} answers `null` there, and components show the source
 * as plain text until hydration.
 *
 * Two things are added after sanitising, with DOM calls on the sanitised tree (never by parsing
 * the author's text as HTML): task-list checkboxes, which the author cannot forge, and links for
 * ticket keys (`OPS-12`) the reader may see (decision 0052).
 */
import createDOMPurify, { type Config, type DOMPurify } from 'dompurify';
import { Marked, type Token, type TokenizerAndRendererExtension, type Tokens } from 'marked';

/** `@username` (letters, digits, `.`, `_`, `-`), not inside a word or an e-mail address. */
export const MENTION = /(?<![\w.@])@([A-Za-z0-9][\w.-]{0,63})/g;

const mention: TokenizerAndRendererExtension = {
  name: 'mention',
  level: 'inline',
  start(src) {
    const at = src.search(/(?<![\w.@])@[A-Za-z0-9]/);
    return at < 0 ? undefined : at;
  },
  tokenizer(src) {
    const match = /^@([A-Za-z0-9][\w.-]{0,63})/.exec(src);
    if (!match) return undefined;
    // A trailing dot ends the sentence, not the name.
    const name = match[1]!.replace(/[.-]+$/, '');
    return { type: 'mention', raw: `@${name}`, name };
  },
  renderer(token) {
    const name = (token as Tokens.Generic & { name: string }).name;
    return `<span class="mention">@${name}</span>`;
  },
};

/**
 * The task checkboxes of the render under way: numbered in document order (the order
 * {@link taskItems} finds them in the source), marked with a class that carries a per-render
 * nonce, so an author's own `<span class="task-…">` is not taken for one.
 */
let tasks = { nonce: '', next: 0 };

const marked = new Marked({ gfm: true, breaks: true, async: false });
marked.use({
  extensions: [mention],
  renderer: {
    checkbox({ checked }) {
      return `<span class="task-${tasks.nonce}-${tasks.next++}-${checked ? 1 : 0}"></span>`;
    },
  },
});

/** What survives: ordinary rich text, links and images; no forms, styles, frames or SVG. */
const PURIFY: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style', 'id'],
  ADD_ATTR: ['target'],
  ALLOW_DATA_ATTR: false,
};

let purifier: DOMPurify | null = null;

/** The sanitiser over this page's window, set up once; null without a DOM. */
function purify(): DOMPurify | null {
  if (purifier) return purifier;
  if (typeof window === 'undefined') return null;
  const instance = createDOMPurify(window);
  if (!instance.isSupported) return null;
  instance.addHook('afterSanitizeAttributes', (node) => {
    // Links open elsewhere and give the target page no handle on this one.
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
  instance.addHook('uponSanitizeAttribute', (node, data) => {
    // The only classes are the mention's and this render's task marks: the page's styles are not
    // for the author to borrow.
    if (data.attrName !== 'class') return;
    const ours = node.tagName === 'SPAN' && (data.attrValue === 'mention' || taskMark(data.attrValue) !== null);
    if (!ours) data.keepAttr = false;
  });
  purifier = instance;
  return instance;
}

/** The name of the performance mark each {@link renderMarkdown} call in a browser leaves. */
export const MARKDOWN_RENDER_MARK = 'laneway:markdown-render';

/** The index and state a task mark's class carries, if it is one of the render under way. */
function taskMark(className: string): { index: number; checked: boolean } | null {
  if (!tasks.nonce) return null;
  const match = /^task-([a-z0-9]+)-(\d{1,6})-([01])$/.exec(className);
  if (!match || match[1] !== tasks.nonce) return null;
  return { index: Number(match[2]), checked: match[3] === '1' };
}

/**
 * A ticket key in text: a project key (2-10 capitals or digits, a capital first) and a number,
 * as the server's `TICKET_KEY`; not inside a word, a path or a longer key.
 */
export const TICKET_KEY_IN_TEXT = /(?<![\w/#@.-])([A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,8})(?![\w]|-\w)/g;

/** Where a ticket key links to, for a reader who may see it. */
export interface TicketLink {
  href: string;
  title: string;
}

export interface RenderOptions {
  /**
   * The link for a key: a {@link TicketLink}, or `null`/`undefined` (hidden, absent or not
   * known yet) for plain text.
   */
  link?: (key: string) => TicketLink | null | undefined;
  /** Whether task checkboxes can be ticked (the reader may edit the source); read-only otherwise. */
  tasksEditable?: boolean;
}

export interface Rendered {
  /** Sanitised HTML, ready for `{@html}`. */
  html: string;
  /** The ticket keys in the text (outside code and links), each once, in order. */
  keys: string[];
}

/** Elements whose text is never scanned for keys: code stays code, a link stays the author's. */
const NO_KEYS = new Set(['A', 'CODE', 'PRE', 'KBD', 'SAMP']);

/** Turns this render's task marks into checkboxes, numbered with `data-task`. */
function addCheckboxes(root: DocumentFragment, editable: boolean): void {
  for (const span of root.querySelectorAll('span[class]')) {
    const mark = taskMark(span.className);
    if (!mark) continue;
    const box = span.ownerDocument.createElement('input');
    box.type = 'checkbox';
    box.className = 'task';
    box.dataset['task'] = String(mark.index);
    box.defaultChecked = mark.checked;
    box.disabled = !editable;
    span.replaceWith(box);
    box.setAttribute('aria-label', itemText(box));
  }
}

/** The words of the task a checkbox belongs to (its item's text before any nested list), for its name. */
function itemText(box: HTMLInputElement): string {
  const item = box.closest('li');
  if (!item) return 'Task';
  let text = '';
  const walk = (node: Node): boolean => {
    for (const child of node.childNodes) {
      if (child.nodeName === 'UL' || child.nodeName === 'OL') return false;
      if (child.nodeType === Node.TEXT_NODE) text += child.textContent;
      else if (!walk(child)) return false;
    }
    return true;
  };
  walk(item);
  return text.replace(/\s+/g, ' ').trim() || 'Task';
}

/** Finds ticket keys in the tree's text and links those `link` knows, with DOM calls only. */
function linkKeys(root: DocumentFragment, link: RenderOptions['link']): string[] {
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (NO_KEYS.has(el.tagName)) return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  const texts: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node as Text);
  const keys = new Set<string>();
  for (const text of texts) {
    const value = text.data;
    const matches = [...value.matchAll(TICKET_KEY_IN_TEXT)];
    if (matches.length === 0) continue;
    const parts: (string | Node)[] = [];
    let at = 0;
    for (const match of matches) {
      const key = match[1]!;
      keys.add(key);
      const target = link?.(key);
      if (!target) continue;
      parts.push(value.slice(at, match.index));
      const anchor = doc.createElement('a');
      anchor.href = target.href;
      anchor.className = 'ticket-key';
      anchor.title = target.title;
      anchor.textContent = key;
      parts.push(anchor);
      at = match.index + key.length;
    }
    if (at === 0) continue;
    parts.push(value.slice(at));
    text.replaceWith(...parts.filter((p) => p !== ''));
  }
  return [...keys];
}

/**
 * Markdown as sanitised HTML with task checkboxes and ticket links, and the keys it mentions;
 * `null` where there is no DOM (server rendering), where the caller shows the source as text.
 *
 * @example renderMarkdownWith('see OPS-1', { link: (k) => ({ href: '/tickets/7', title: 'Printer' }) })
 */
export function renderMarkdownWith(source: string, options: RenderOptions = {}): Rendered | null {
  const sanitiser = purify();
  if (!sanitiser) return null;
  // Each render leaves a mark on the page's performance timeline (devtools, tests): an idle page
  // that keeps rendering shows as a growing count (issue 13 row 1).
  performance.mark(MARKDOWN_RENDER_MARK);
  // getRandomValues, not randomUUID: the latter exists only in secure contexts (not plain http).
  const nonce = Array.from(crypto.getRandomValues(new Uint32Array(3)), (n) => n.toString(36)).join('');
  tasks = { nonce, next: 0 };
  try {
    const html = marked.parse(source, { async: false });
    const fragment = sanitiser.sanitize(html, { ...PURIFY, RETURN_DOM_FRAGMENT: true });
    addCheckboxes(fragment, options.tasksEditable ?? false);
    const keys = linkKeys(fragment, options.link);
    const holder = fragment.ownerDocument.createElement('div');
    holder.append(fragment);
    return { html: holder.innerHTML, keys };
  } finally {
    tasks = { nonce: '', next: 0 };
  }
}

/**
 * Markdown as sanitised HTML, ready for `{@html}`; `null` where there is no DOM (server
 * rendering), where the caller shows the source as text instead.
 *
 * @example renderMarkdown('**hi** @ada') // '<p><strong>hi</strong> <span class="mention" …>@ada</span></p>'
 */
export function renderMarkdown(source: string): string | null {
  return renderMarkdownWith(source)?.html ?? null;
}

/** The tokens of a text, as {@link renderMarkdownWith} reads it (for {@link taskItems}). */
export function lexMarkdown(source: string): Token[] {
  return marked.lexer(source);
}

/** The usernames mentioned in a text, each once, in order. */
export function mentionsIn(text: string): string[] {
  return [...new Set([...text.matchAll(MENTION)].map((m) => m[1]!.replace(/[.-]+$/, '')))];
}
