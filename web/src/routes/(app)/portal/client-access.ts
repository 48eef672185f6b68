/**
 * What a client (a company person, `Session.isClient`) may open: their portal, their
 * notifications and their account. Every other page of the app is the staff's, and sends them to the portal.
 */
const CLIENT_SECTIONS = ['/portal', '/notifications', '/account'];

/** Whether a client may open `pathname`. */
export function clientMayOpen(pathname: string): boolean {
  return CLIENT_SECTIONS.some((section) => pathname === section || pathname.startsWith(`${section}/`));
}
