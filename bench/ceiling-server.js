// What this machine allows for P6, measured beside the app: a bare node:http server doing a
// fixed amount of CPU work per request (about a page's worth), in WORKERS processes through
// node:cluster as server.js does. Two processes ÷ one here is the best any server could do.
import cluster from "node:cluster";
import http from "node:http";

const workers = Number(process.env.WORKERS ?? 1);
// Objects made and thrown away, strings built: the kind of work a page does, GC included.
const page = Array.from({ length: 300 }, (_, i) => ({
  id: i,
  title: `Lesson ${i}`,
  html: `<p>${"Some text for the lesson. ".repeat(8)}</p>`,
  choices: [1, 2, 3, 4].map((n) => ({ id: `c${n}`, label: `Choice ${n}` })),
}));

function work() {
  let html = "";
  for (let round = 0; round < 3; round++) {
    const copy = JSON.parse(JSON.stringify(page));
    html = copy.map((l) => `<li id="${l.id}">${l.title}${l.html}</li>`).join("");
  }
  return String(html.length);
}

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.once("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
    cluster.disconnect(() => process.exit(0));
  });
} else {
  const server = http
    .createServer((req, res) => res.end(work()))
    .listen(Number(process.env.PORT), "127.0.0.1");
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}
