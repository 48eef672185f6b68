/**
 * A real SMTP server for tests that keeps what it receives: `smtp-server` on a loopback port,
 * each message parsed with `mailparser` (the product's parser) and kept raw as well.
 *
 * It accepts any sender and recipient without authentication and without STARTTLS, like a
 * relay on the same host. Hooks can refuse a recipient or a message with an SMTP status, so
 * tests can drive the sender's retry and bounce paths.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** An SMTP refusal: `{code: 550, message: 'no such mailbox'}` (5xx for good, 4xx for now). */
export interface SmtpRefusal {
  code: number;
  message: string;
}

/** One received message: mailparser's result, plus the SMTP envelope and the raw bytes. */
export type SinkMessage = ParsedMail & {
  envelope: { mailFrom: string | undefined; rcptTo: string[] };
  /** The message as received (RFC 5322, CRLF line ends), dot-stuffing removed. */
  raw: string;
  /** `Date.now()` when the DATA ended. */
  receivedAt: number;
};

export interface SmtpSinkOptions {
  /** Answers RCPT TO: a refusal, or nothing to accept the recipient. */
  onRcptTo?(address: string): SmtpRefusal | undefined;
  /** Answers the end of DATA: a refusal (the message is not kept), or nothing to keep it. */
  onData?(envelope: SinkMessage['envelope']): SmtpRefusal | undefined;
  /** Listen on this port (the CLI's `--port`). Default: a free one. */
  port?: number;
  /** Largest message accepted, in bytes (the SIZE extension). Default 25 MiB. */
  maxSize?: number;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, the form SMTP_URL takes. */
  url: string;
  host: string;
  port: number;
  /** Every message kept so far, in arrival order. */
  messages: SinkMessage[];
  /** The first kept message (already here or still to come) that matches; rejects on timeout. */
  waitFor(predicate?: (message: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  /** Forgets the messages kept so far. */
  clear(): void;
  stop(): Promise<void>;
}

const refusal = ({ code, message }: SmtpRefusal) => Object.assign(new Error(message), { responseCode: code });

/**
 * Starts an SMTP sink on a free loopback port.
 *
 * @example
 * const smtp = await startSmtpSink();
 * // … the code under test sends with SMTP_URL = smtp.url …
 * const mail = await smtp.waitFor((m) => m.subject === 'Welcome');
 * expect(mail.attachments[0]?.filename).toBe('report.pdf');
 * await smtp.stop();
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const waiters = new Set<(message: SinkMessage) => void>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // On stop(), a client that keeps its connection open (a pooled transport) is cut after this.
    closeTimeout: 1_000,
    size: options.maxSize ?? 25 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const refused = options.onRcptTo?.(address.address);
      callback(refused ? refusal(refused) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const envelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        };
        const refused = options.onData?.(envelope);
        if (refused) return callback(refusal(refused));
        // smtp-server sets sizeExceeded and still ends the stream; answer 552 as a real MTA does.
        if (stream.sizeExceeded) {
          return callback(refusal({ code: 552, message: 'message exceeds the fixed maximum size' }));
        }
        const raw = Buffer.concat(chunks);
        const receivedAt = Date.now();
        simpleParser(raw).then(
          (parsed) => {
            const message: SinkMessage = Object.assign(parsed, {
              envelope,
              raw: raw.toString('utf8'),
              receivedAt,
            });
            messages.push(message);
            for (const wake of waiters) wake(message);
            callback();
          },
          (error: Error) => callback(refusal({ code: 554, message: `unparseable message: ${error.message}` })),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const host = '127.0.0.1';

  let stopped = false;
  return {
    url: `smtp://${host}:${port}`,
    host,
    port,
    messages,
    waitFor(predicate = () => true, timeoutMs = 10_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const wake = (message: SinkMessage) => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          const seen = messages.map((m) => JSON.stringify(m.subject ?? '')).join(', ') || 'none';
          reject(new Error(`no matching mail within ${timeoutMs} ms (received: ${seen})`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    clear() {
      messages.length = 0;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
