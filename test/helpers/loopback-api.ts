/** A loopback HTTP server standing in for a JSON REST API (GitHub's, in these tests). */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the server received it: method, path with query, and the JSON body if any. */
export interface Recorded<Body = unknown> {
  method: string;
  path: string;
  body?: Body;
}

/** Records every request (and its headers) and answers each with `answer`'s status and JSON. */
export abstract class LoopbackApi<Body = unknown> {
  readonly requests: Recorded<Body>[] = [];
  readonly headers: http.IncomingHttpHeaders[] = [];
  private server?: http.Server;

  protected abstract answer(r: Recorded<Body>): [number, unknown];

  /** Listens on a free loopback port; returns the base URL. */
  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const rec: Recorded<Body> = { method: req.method ?? "", path: req.url ?? "" };
        if (raw) rec.body = JSON.parse(raw);
        this.requests.push(rec);
        this.headers.push(req.headers);
        const [status, payload] = this.answer(rec);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
