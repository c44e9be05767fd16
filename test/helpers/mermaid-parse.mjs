// Parses Mermaid diagrams with the real mermaid parser, the one GitHub renders with. Input (stdin):
// a JSON array of diagram texts; output (stdout): a JSON array of { ok, message } (the diagram type,
// or the parse error). Run in its own process: mermaid's sanitizer needs a DOM, and the jsdom
// window it gets here must not leak into the test process.
import { JSDOM } from "jsdom";

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const dom = new JSDOM("");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
const results = [];
for (const text of texts) {
  try {
    const result = await mermaid.parse(text);
    results.push({ ok: true, message: result.diagramType });
  } catch (e) {
    results.push({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
}
process.stdout.write(JSON.stringify(results));
