import net from "node:net";
import { SMTPServer } from "smtp-server";

/** A message as the test's mail server received it, its MIME parts decoded. */
export interface ReceivedMail {
  envelopeTo: string[];
  headers: Record<string, string>;
  /** Lower-cased MIME type → decoded body (text/plain, text/html). */
  parts: Record<string, string>;
}

export interface TestMailServer {
  url: string;
  received: ReceivedMail[];
  /** The messages addressed to `address`. */
  mailTo: (address: string) => ReceivedMail[];
  /** Runs `work` while the server refuses every message, then takes mail again. */
  refusing: <T>(work: () => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

/**
 * An SMTP server on loopback. `accept` takes every message (after `delayMs`, so that senders
 * overlap); `refuse` answers 550 to every message.
 */
export async function startMailServer(
  behaviour: "accept" | "refuse" = "accept",
  delayMs = 0,
): Promise<TestMailServer> {
  const received: ReceivedMail[] = [];
  let refusingNow = behaviour === "refuse";
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        setTimeout(() => {
          if (refusingNow) {
            const error = Object.assign(new Error("Mailbox unavailable (test refusal)"), {
              responseCode: 550,
            });
            return callback(error);
          }
          received.push({
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            ...parseMime(Buffer.concat(chunks).toString("utf8")),
          });
          callback();
        }, delayMs);
      });
    },
  });
  const port = await listen((p) => server.listen(p, "127.0.0.1"), server.server);
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    mailTo: (address) => received.filter((m) => m.envelopeTo.includes(address)),
    async refusing(work) {
      refusingNow = true;
      try {
        return await work();
      } finally {
        refusingNow = behaviour === "refuse";
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A "mail server" that accepts connections and drops them at once. */
export async function startDroppingServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  const port = await listen((p) => server.listen(p, "127.0.0.1"), server);
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function listen(start: (port: number) => void, server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
    start(0);
  });
  return (server.address() as net.AddressInfo).port;
}

function splitHead(raw: string) {
  const at = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, " ");
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: raw.slice(at + 4) };
}

function decode(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === "base64") return Buffer.from(body, "base64").toString("utf8");
  if (encoding?.toLowerCase() === "quoted-printable") {
    const bytes = body
      .replace(/=\r\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

/** Headers, and the text and HTML parts of a (multipart/alternative) message. */
function parseMime(raw: string): Omit<ReceivedMail, "envelopeTo"> {
  const { headers, body } = splitHead(raw);
  const parts: Record<string, string> = {};
  const boundary = /boundary="?([^";]+)"?/.exec(headers["content-type"] ?? "")?.[1];
  const sections = boundary
    ? body.split(`--${boundary}`).slice(1, -1)
    : [`${raw.slice(0, raw.indexOf("\r\n\r\n"))}\r\n\r\n${body}`];
  for (const section of sections) {
    const part = splitHead(section.replace(/^\r\n/, ""));
    const type = (part.headers["content-type"] ?? "text/plain").split(";")[0]!.toLowerCase();
    parts[type] = decode(part.body.replace(/\r\n$/, ""), part.headers["content-transfer-encoding"]);
  }
  return { headers, parts };
}
