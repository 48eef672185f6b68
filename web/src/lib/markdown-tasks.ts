/**
 * Task lists (`- [ ] item`) tick in place: the Nth checkbox {@link renderMarkdownWith} draws is
 * the Nth task item of the same lexer's token tree (both count in document order), and that
 * item's first source line holds its `[ ]` (decision 0052). Lines are counted from each token's
 * `raw` text, whose pieces add up to the source; a line that does not look like a task there is
 * refused rather than guessed at, so a toggle never changes the wrong line.
 */
import type { Token, Tokens } from 'marked';
import { lexMarkdown } from './markdown.ts';

/** A task item's source line: bullet or number (inside any `>` quotes), then `[ ]` or `[x]`. */
const TASK_LINE = /^((?:[ \t]*>)*[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[)([ xX])(\])/;

export interface TaskItem {
  /** 0-based line of the source (`\r\n`, `\r` and `\n` each end a line, as the lexer reads them). */
  line: number;
  checked: boolean;
}

const newlines = (text: string) => text.split('\n').length - 1;

/** Whether a list item carries a checkbox token (first of its tokens, or of its first paragraph's). */
function checkboxOf(item: Tokens.ListItem): Tokens.Checkbox | undefined {
  const first = item.tokens[0];
  if (first?.type === 'checkbox') return first as Tokens.Checkbox;
  const inner = (first as { tokens?: Token[] } | undefined)?.tokens?.[0];
  return inner?.type === 'checkbox' ? (inner as Tokens.Checkbox) : undefined;
}

function walk(tokens: Token[], start: number, out: TaskItem[]): void {
  let line = start;
  for (const token of tokens) {
    if (token.type === 'list') {
      let itemLine = line;
      for (const item of (token as Tokens.List).items) {
        const box = checkboxOf(item);
        if (box) out.push({ line: itemLine, checked: box.checked });
        // An item's tokens are read from its text, which keeps its lines (markers and indents gone).
        walk(item.tokens, itemLine, out);
        itemLine += newlines(item.raw);
      }
    } else if (token.type === 'blockquote') {
      walk((token as Tokens.Blockquote).tokens, line, out);
    }
    line += newlines(token.raw);
  }
}

/** The task items of a Markdown text, in the order their checkboxes are drawn. */
export function taskItems(source: string): TaskItem[] {
  const out: TaskItem[] = [];
  walk(lexMarkdown(source), 0, out);
  return out;
}

/**
 * The source with task `index` set to `checked`, or null when there is no such task or its line
 * is not recognisably the task (then nothing should be saved). Everything else, line endings
 * included, stays as it was.
 *
 * @example setTask('- [ ] a\r\n- [ ] b', 1, true) // '- [ ] a\r\n- [x] b'
 */
export function setTask(source: string, index: number, checked: boolean): string | null {
  const item = taskItems(source)[index];
  if (!item) return null;
  // [line, ending, line, ending, …, line]
  const pieces = source.split(/(\r\n|\r|\n)/);
  const at = item.line * 2;
  const text = pieces[at];
  if (text === undefined) return null;
  const match = TASK_LINE.exec(text);
  if (!match || (match[2] !== ' ') !== item.checked) return null;
  pieces[at] = match[1]! + (checked ? 'x' : ' ') + match[3]! + text.slice(match[0].length);
  return pieces.join('');
}
