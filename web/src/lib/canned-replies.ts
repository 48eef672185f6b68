/** Canned responses (SPEC §13): the placeholders a reply may hold, filled where it is inserted. */

export interface ReplyVars {
  'ticket.key'?: string | null | undefined;
  'ticket.title'?: string | null | undefined;
  'contact.name'?: string | null | undefined;
  'agent.name'?: string | null | undefined;
}

/**
 * The body with each known `{{placeholder}}` replaced; an unknown one, or one without a value,
 * stays as written so the agent sees what to fill in by hand.
 *
 * @example fillReply('Hi {{contact.name}}', { 'contact.name': 'Ada' }) // 'Hi Ada'
 */
export function fillReply(body: string, vars: ReplyVars): string {
  return body.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/g, (whole, name: string) => {
    const value = vars[name as keyof ReplyVars];
    return value ? value : whole;
  });
}

/** The replies whose name starts with, then contains, what follows the `/`. */
export function matchReplies<T extends { name: string }>(replies: T[], typed: string): T[] {
  const q = typed.trim().toLowerCase();
  const starts = replies.filter((r) => r.name.toLowerCase().startsWith(q));
  const contains = replies.filter((r) => !starts.includes(r) && r.name.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, 8);
}
