/**
 * The ingest baseline: a bare node:http server that reads each POST body and answers 200,
 * in its own process like the daemon. Prints {"port": N} once it listens; SIGTERM stops it.
 *
 *   node test/bench/bare-server.mjs
 */
import http from "node:http"

const server = http.createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(req.method === "POST" ? 200 : 405, { "content-type": "application/json" })
    res.end('{"status":"ok"}')
  })
})
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`))
process.on("SIGTERM", () => {
  server.close()
  server.closeAllConnections()
})
