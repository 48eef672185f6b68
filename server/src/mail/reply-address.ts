/**
 * Reply addresses (SPEC §13): `<local>+<ticket>.<contact>.<mac>@<domain>`, where `mac` is an
 * HMAC over the ticket and the contact (SECRET_KEY, purpose `mail-reply-token`). Hex, lower
 * case: some mail servers lower-case local parts, and base64 would not survive that.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Secrets } from '../lib/secrets.ts';

const PURPOSE = 'mail-reply-token';
/** 80 bits of MAC: guessing is hopeless, and the address stays under 64 characters locally. */
const MAC_HEX = 20;

const mac = (secrets: Secrets, ticketId: number, contactId: number) =>
  Buffer.from(secrets.hmac(PURPOSE, `${ticketId}.${contactId}`), 'base64url')
    .toString('hex')
    .slice(0, MAC_HEX);

/** The address a contact's reply to this ticket goes to. */
export function replyAddress(secrets: Secrets, mailboxAddress: string, ticketId: number, contactId: number): string {
  const at = mailboxAddress.lastIndexOf('@');
  const local = mailboxAddress.slice(0, at).split('+')[0];
  return `${local}+${ticketId}.${contactId}.${mac(secrets, ticketId, contactId)}@${mailboxAddress.slice(at + 1)}`;
}

/** The ticket and contact an address's valid token names, or null (no token, or a wrong one). */
export function readReplyToken(secrets: Secrets, address: string): { ticketId: number; contactId: number } | null {
  const match = /\+(\d{1,10})\.(\d{1,10})\.([0-9a-f]{20})@/i.exec(address);
  if (!match) return null;
  const ticketId = Number(match[1]);
  const contactId = Number(match[2]);
  const given = Buffer.from(match[3]!.toLowerCase());
  const expected = Buffer.from(mac(secrets, ticketId, contactId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ticketId, contactId } : null;
}
