import http from "node:http";

/**
 * Downloads `url` uncompressed, taking at most `bytesPerSecond`: a client on a slow line, so
 * that a streamed export stays open on the server for as long as the reading lasts.
 */
export function slowDownload(url: string, cookie: string, bytesPerSecond: number) {
  return new Promise<{ status: number; bytes: number; ms: number; text: string }>(
    (resolve, reject) => {
      const started = Date.now();
      const request = http.get(
        url,
        { headers: { Cookie: cookie, "Accept-Encoding": "identity" } },
        (res) => {
          const parts: Buffer[] = [];
          let bytes = 0;
          res.on("data", (chunk: Buffer) => {
            parts.push(chunk);
            bytes += chunk.length;
            const due = started + (bytes / bytesPerSecond) * 1000;
            if (due > Date.now()) {
              res.pause();
              setTimeout(() => res.resume(), due - Date.now());
            }
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              bytes,
              ms: Date.now() - started,
              text: Buffer.concat(parts).toString("utf8"),
            }),
          );
          res.on("error", reject);
        },
      );
      request.on("error", reject);
    },
  );
}
