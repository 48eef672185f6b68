/**
 * Markdown for descriptions and comments: `marked` turns it into HTML, DOMPurify removes
 * everything that could run (scripts, event handlers, `javascript:` and other unsafe URLs,
 * forms, styles). Why these two: docs/decisions/0014-markdown-sanitising.md.
 *
 * DOMPurify needs a DOM, which server rendering does not have (and without one it returns its
 * input untouched): {@link renderMarkdown} answers `null` there, and components show the source
 * as plain text until hydration.
 */
import createDOMPurify, { type Config, type DOMPurify } from 'dompurify';
import { Marked, type TokenizerAndRendererExtension, type Tokens } from 'marked';

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

const marked = new Marked({ gfm: true, breaks: true, async: false });
marked.use({ extensions: [mention] });

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
    // The only class is the mention's own: the page's styles are not for the author to borrow.
    if (data.attrName === 'class' && !(node.tagName === 'SPAN' && data.attrValue === 'mention')) data.keepAttr = false;
  });
  purifier = instance;
  return instance;
}

/** The name of the performance mark each {@link renderMarkdown} call in a browser leaves. */
export const MARKDOWN_RENDER_MARK = 'laneway:markdown-render';

/**
 * Markdown as sanitised HTML, ready for `{@html}`; `null` where there is no DOM (server
 * rendering), where the caller shows the source as text instead.
 *
 * @example renderMarkdown('**hi** @ada') // '<p><strong>hi</strong> <span class="mention" …>@ada</span></p>'
 */
export function renderMarkdown(source: string): string | null {
  const sanitiser = purify();
  if (!sanitiser) return null;
  // Each render leaves a mark on the page's performance timeline (devtools, tests): an idle page
  // that keeps rendering shows as a growing count (issue 13 row 1).
  performance.mark(MARKDOWN_RENDER_MARK);
  const html = marked.parse(source, { async: false });
  return sanitiser.sanitize(html, { ...PURIFY, RETURN_TRUSTED_TYPE: false }) as string;
}

/** The usernames mentioned in a text, each once, in order. */
export function mentionsIn(text: string): string[] {
  return [...new Set([...text.matchAll(MENTION)].map((m) => m[1]!.replace(/[.-]+$/, '')))];
}
