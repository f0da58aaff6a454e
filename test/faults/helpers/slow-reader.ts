import { execFileSync } from "node:child_process";
import http from "node:http";

/** Bytes waiting in the kernel on both ends of the TCP connection from local `port` (`ss`). */
function bytesInFlight(port: number): number {
  const out = execFileSync(
    "ss",
    ["-tnH", "state", "established", `( sport = :${port} or dport = :${port} )`],
    { encoding: "utf8" },
  );
  // Each line starts "Recv-Q Send-Q": together, what the server produced and we have not read.
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .reduce((sum, [recvQ, sendQ]) => sum + (Number(recvQ) || 0) + (Number(sendQ) || 0), 0);
}

/**
 * Downloads `url` uncompressed, reading no further than `allowedBytes()` says at each moment, as
 * a client on a slow line would (paced by whatever the caller measures, not by the clock).
 * Socket buffers on both ends soak up the first megabytes at once, so it also reports until
 * when the server was provably still producing the response: the bytes read plus those in the
 * kernel's queues (`ss`) were short of the whole by more than Node's own stream buffers.
 */
export function slowDownload(url: string, cookie: string, allowedBytes: () => number) {
  return new Promise<{
    status: number;
    bytes: number;
    ms: number;
    text: string;
    producingUntil: number;
  }>((resolve, reject) => {
    const started = Date.now();
    const samples: { at: number; produced: number }[] = [];
    const request = http.get(
      url,
      { headers: { Cookie: cookie, "Accept-Encoding": "identity" } },
      (res) => {
        const parts: Buffer[] = [];
        let bytes = 0;
        const sampler = setInterval(() => {
          const port = res.socket?.localPort;
          if (port) samples.push({ at: Date.now(), produced: bytes + bytesInFlight(port) });
        }, 100);
        const resumeWhenAllowed = () => {
          if (bytes <= allowedBytes()) res.resume();
          else setTimeout(resumeWhenAllowed, 20);
        };
        res.on("data", (chunk: Buffer) => {
          parts.push(chunk);
          bytes += chunk.length;
          if (bytes > allowedBytes()) {
            res.pause();
            setTimeout(resumeWhenAllowed, 20);
          }
        });
        res.on("end", () => {
          clearInterval(sampler);
          const NODE_BUFFERS = 256 * 1024;
          const producing = samples.filter((s) => s.produced < bytes - NODE_BUFFERS);
          resolve({
            status: res.statusCode ?? 0,
            bytes,
            ms: Date.now() - started,
            text: Buffer.concat(parts).toString("utf8"),
            producingUntil: producing.at(-1)?.at ?? started,
          });
        });
        res.on("error", reject);
      },
    );
    request.on("error", reject);
  });
}
