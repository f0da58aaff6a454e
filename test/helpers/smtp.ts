import net from "node:net";

/**
 * A minimal SMTP server on a free port: keeps every message it accepts; while `refusing`, it
 * rejects every recipient, as a real server does for mail it will not take.
 */
export async function startFakeSmtp() {
  const received: string[] = [];
  const state = { refusing: false };
  const server = net.createServer((socket) => {
    let data: string | null = null;
    let buffer = "";
    socket.write("220 fake ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === ".") {
            received.push(data);
            data = null;
            socket.write("250 queued\r\n");
          } else data += `${line}\n`;
        } else if (/^(EHLO|HELO)/i.test(line)) socket.write("250 fake\r\n");
        else if (/^RCPT/i.test(line) && state.refusing)
          socket.write("550 5.7.1 Relaying denied by the fake server\r\n");
        else if (/^DATA/i.test(line)) {
          data = "";
          socket.write("354 go ahead\r\n");
        } else if (/^QUIT/i.test(line)) socket.end("221 bye\r\n");
        else socket.write("250 OK\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** The messages sent to `address`, their quoted-printable soft breaks and escapes undone. */
    mailTo: (address: string) =>
      received
        .map((m) =>
          m
            .replace(/=\n/g, "")
            .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        )
        .filter((m) => m.includes(`To: ${address}`)),
    /** Runs `work` while the server refuses every message, then accepts mail again. */
    async refusing<T>(work: () => Promise<T>) {
      state.refusing = true;
      try {
        return await work();
      } finally {
        state.refusing = false;
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
