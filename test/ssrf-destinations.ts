/**
 * Destinations the webhook SSRF guard must refuse, each with the reason it gives: one table for
 * the check when a webhook is saved (server/src/webhooks/ssrf.test.ts) and the check when a
 * delivery connects (workers/src/webhooks/guarded-dispatcher.test.ts), so the two moments give
 * the same answer. `port` is a loopback canary's, for the spellings of loopback.
 */
export const REFUSED_DESTINATIONS: [name: string, url: (port: number) => string, reason: string][] = [
  ['loopback', (port) => `http://127.0.0.1:${port}/`, 'resolves to a loopback address (127.0.0.1)'],
  ['localhost', (port) => `http://localhost:${port}/`, 'resolves to a loopback address (127.0.0.1)'],
  ['decimal', (port) => `http://2130706433:${port}/`, 'resolves to a loopback address (127.0.0.1)'],
  ['octal', (port) => `http://0177.0.0.1:${port}/`, 'resolves to a loopback address (127.0.0.1)'],
  ['hex', (port) => `http://0x7f.0.0.1:${port}/`, 'resolves to a loopback address (127.0.0.1)'],
  ['short', (port) => `http://127.1:${port}/`, 'resolves to a loopback address (127.0.0.1)'],
  ['IPv6 loopback', (port) => `http://[::1]:${port}/`, 'resolves to a loopback address (::1)'],
  [
    'IPv4-mapped',
    (port) => `http://[::ffff:127.0.0.1]:${port}/`,
    'resolves to a loopback address (::ffff:7f00:1 = 127.0.0.1)',
  ],
  [
    'IPv4-mapped hex',
    (port) => `http://[::ffff:7f00:1]:${port}/`,
    'resolves to a loopback address (::ffff:7f00:1 = 127.0.0.1)',
  ],
  [
    'NAT64',
    (port) => `http://[64:ff9b::7f00:1]:${port}/`,
    'resolves to a loopback address (64:ff9b::7f00:1 = 127.0.0.1)',
  ],
  ['6to4', (port) => `http://[2002:7f00:1::1]:${port}/`, 'resolves to a loopback address (2002:7f00:1::1 = 127.0.0.1)'],
  ['unspecified', (port) => `http://0.0.0.0:${port}/`, 'resolves to an unspecified address (0.0.0.0)'],
  ['IPv6 unspecified', (port) => `http://[::]:${port}/`, 'resolves to an unspecified address (::)'],
  ['RFC1918 10/8', () => 'http://10.0.0.1/', 'resolves to a private address (10.0.0.1)'],
  ['RFC1918 192.168/16', () => 'http://192.168.1.1/', 'resolves to a private address (192.168.1.1)'],
  ['RFC1918 172.16/12', () => 'http://172.16.0.1/', 'resolves to a private address (172.16.0.1)'],
  ['unique local', () => 'http://[fc00::1]/', 'resolves to a private address (fc00::1)'],
  ['CGNAT', () => 'http://100.64.0.1/', 'resolves to a shared (CGNAT) address (100.64.0.1)'],
  ['link-local', () => 'http://[fe80::1]/', 'resolves to a link-local address (fe80::1)'],
  [
    'metadata',
    () => 'http://169.254.169.254/latest/meta-data',
    'resolves to a cloud metadata address (169.254.169.254)',
  ],
  [
    'metadata IPv6',
    () => 'http://[fd00:ec2::254]/latest/meta-data',
    'resolves to a cloud metadata address (fd00:ec2::254)',
  ],
  [
    'metadata mapped',
    () => 'http://[::ffff:a9fe:a9fe]/',
    'resolves to a cloud metadata address (::ffff:a9fe:a9fe = 169.254.169.254)',
  ],
  ['multicast', () => 'http://224.0.0.1/', 'resolves to a multicast address (224.0.0.1)'],
  ['broadcast', () => 'http://255.255.255.255/', 'resolves to the broadcast address (255.255.255.255)'],
  ['documentation', () => 'http://192.0.2.1/', 'resolves to a reserved address (192.0.2.1)'],
  ['benchmarking', () => 'http://198.18.0.1/', 'resolves to a reserved address (198.18.0.1)'],
  ['ftp', () => 'ftp://example.com/', 'only http and https URLs are allowed (got ftp:)'],
  ['file', () => 'file:///etc/passwd', 'only http and https URLs are allowed (got file:)'],
  ['credentials', () => 'http://user:pass@example.com/', 'credentials in the URL are not allowed'],
  ['credentials on loopback', (port) => `http://user@127.0.0.1:${port}/`, 'credentials in the URL are not allowed'],
];
