// @vitest-environment jsdom
// The checkboxes come from renderMarkdownWith, which needs a DOM (DOMPurify); jsdom, as markdown.test.ts.
import { describe, expect, it } from 'vitest';
import { renderMarkdownWith } from './markdown.ts';
import { setTask, taskItems } from './markdown-tasks.ts';

/** The rendered checkboxes' states, in order, as a reader sees them. */
function boxes(source: string): boolean[] {
  const root = document.createElement('div');
  root.innerHTML = renderMarkdownWith(source, { tasksEditable: true })!.html;
  return [...root.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].map((b) => b.checked);
}

/** Ticks or unticks checkbox `index` and checks that the drawing agrees with the new source. */
function toggle(source: string, index: number): string {
  const before = boxes(source);
  const next = setTask(source, index, !before[index]);
  expect(next, `task ${index} of ${JSON.stringify(source)}`).not.toBeNull();
  expect(boxes(next!)).toEqual(before.with(index, !before[index]));
  return next!;
}

describe('task lists in the source', () => {
  it('ticks and unticks one line of a flat list', () => {
    const source = 'Steps:\n\n- [ ] order parts\n- [x] call the client\n- [ ] fix';
    expect(taskItems(source)).toEqual([
      { line: 2, checked: false },
      { line: 3, checked: true },
      { line: 4, checked: false },
    ]);
    expect(toggle(source, 0)).toBe('Steps:\n\n- [x] order parts\n- [x] call the client\n- [ ] fix');
    expect(toggle(source, 1)).toBe('Steps:\n\n- [ ] order parts\n- [ ] call the client\n- [ ] fix');
  });

  it('numbers nested tasks in document order (parent before its children)', () => {
    const source = [
      '- [ ] parent',
      '  - [ ] child one',
      '  - [x] child two',
      '    1. [ ] grandchild',
      '- [ ] sibling',
    ].join('\n');
    expect(taskItems(source).map((t) => t.line)).toEqual([0, 1, 2, 3, 4]);
    const root = document.createElement('div');
    root.innerHTML = renderMarkdownWith(source)!.html;
    const names = [...root.querySelectorAll('input')].map((b) => b.getAttribute('aria-label'));
    expect(names).toEqual(['parent', 'child one', 'child two', 'grandchild', 'sibling']);
    expect(toggle(source, 3)).toBe(source.replace('1. [ ] grandchild', '1. [x] grandchild'));
    expect(toggle(source, 2)).toBe(source.replace('- [x] child two', '- [ ] child two'));
    expect(toggle(source, 4)).toBe(source.replace('- [ ] sibling', '- [x] sibling'));
  });

  it('leaves "- [ ]" inside fenced and indented code and inline code alone', () => {
    const source = [
      '```md',
      '- [ ] not a task',
      '```',
      '',
      '    - [ ] indented code',
      '',
      'Write `- [ ] x` for a task:',
      '',
      '~~~',
      '- [x] still not',
      '~~~',
      '- [ ] the real one',
    ].join('\n');
    expect(taskItems(source)).toEqual([{ line: 11, checked: false }]);
    expect(boxes(source)).toEqual([false]);
    const next = toggle(source, 0);
    expect(next).toBe(source.replace('- [ ] the real one', '- [x] the real one'));
    expect(next).toContain('- [ ] not a task');
    expect(next).toContain('- [x] still not');
  });

  it('keeps CRLF and lone CR line endings', () => {
    const source = 'Intro\r\n\r\n- [ ] one\r\n- [ ] two\r\n\r\nEnd\r\n';
    expect(toggle(source, 1)).toBe('Intro\r\n\r\n- [ ] one\r\n- [x] two\r\n\r\nEnd\r\n');
    const old = 'a\r\r- [x] mac\r- [ ] line';
    expect(toggle(old, 0)).toBe('a\r\r- [ ] mac\r- [ ] line');
  });

  it('finds tasks in loose lists, after paragraphs and tables, and inside quotes', () => {
    const source = [
      '# Plan',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '',
      '- [ ] loose one',
      '',
      '  more text',
      '',
      '- [X] loose two',
      '',
      '> - [ ] quoted',
      '> - [x] quoted done',
      '',
      '* [ ] star',
      '+ [ ] plus',
    ].join('\n');
    expect(taskItems(source).map((t) => t.line)).toEqual([6, 10, 12, 13, 15, 16]);
    for (let i = 0; i < 6; i++) toggle(source, i);
    expect(setTask(source, 1, false)).toContain('- [ ] loose two');
  });

  it('refuses an index with no task, and a list item that is not a task', () => {
    expect(setTask('- [ ] a', 1, true)).toBeNull();
    expect(setTask('- a\n- [] b', 0, true)).toBeNull();
    expect(setTask('no tasks here', 0, true)).toBeNull();
  });

  it('draws read-only checkboxes unless the reader may edit, and no author-made ones', () => {
    const root = document.createElement('div');
    root.innerHTML = renderMarkdownWith(
      '- [x] done\n\n<input type="checkbox"> <span class="task-abc-0-1">x</span>',
    )!.html;
    const inputs = root.querySelectorAll<HTMLInputElement>('input');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.disabled).toBe(true);
    expect(inputs[0]!.checked).toBe(true);
    expect(inputs[0]!.dataset['task']).toBe('0');
    expect(inputs[0]!.getAttribute('aria-label')).toBe('done');
    expect(root.querySelector('span.task-abc-0-1, span[class^="task-"]')).toBeNull();
  });
});
