import { createServer } from "node:http";

/** The floor for any HTTP API on this machine: read the body, answer a small JSON, nothing else. */
const body = JSON.stringify({ data: { me: null } });
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.setHeader("content-type", "application/json");
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.send!({ port: (server.address() as { port: number }).port });
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
