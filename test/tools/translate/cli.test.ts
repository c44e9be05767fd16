import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { TranslateClient, TranslateTextCommand } from "@aws-sdk/client-translate";
import { main, type CliIo } from "../../../tools/translate/cli";

const DIR = path.resolve(__dirname, "..", "..", "fixtures", "articles");
const FILES: Record<string, Buffer> = {
  "joined.txt": Buffer.concat(["de_grimm_khm-026_rothkaeppchen_1857.md", "en_gutenberg11027_mother_holle.txt", "en_grimm_khm-026_little_red-cap_1884_hunt.md"].map((f) => fs.readFileSync(path.join(DIR, f)))),
  "short.txt": Buffer.from("Hello there. How are you?\n"),
  "latin1.txt": Buffer.from([0x48, 0xe4, 0x6c]),
};

const translate = mockClient(TranslateClient);

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let clients = 0;
  const io: CliIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readFile: (f) => {
      if (!(f in FILES)) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
      return FILES[f];
    },
    client: () => {
      clients++;
      return new TranslateClient({ region: "eu-west-1" });
    },
  };
  return main(argv, io).then((code) => ({ code, stdout: out.join(""), stderr: err.join(""), clients }));
}

describe("translate command", () => {
  beforeEach(() => translate.reset());

  it("--dry-run prints the chunks as one JSON array (index from 0, UTF-8 bytes, whole sentences) and calls nothing", async () => {
    const r = await run(["--file", "joined.txt", "--to", "fr", "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    const chunks = JSON.parse(r.stdout) as { index: number; bytes: number; text: string }[];
    assert.ok(chunks.length >= 3);
    assert.deepEqual(chunks.map((c) => c.index), chunks.map((_, i) => i));
    for (const c of chunks) {
      assert.deepEqual(Object.keys(c), ["index", "bytes", "text"]);
      assert.equal(c.bytes, Buffer.byteLength(c.text, "utf8"));
      assert.ok(c.bytes <= 10_000);
    }
    assert.equal(chunks.map((c) => c.text).join(""), FILES["joined.txt"].toString("utf8"));
    assert.equal(r.clients, 0);
    assert.equal(translate.calls().length, 0);
  });

  it("translates with MASK and prints the translation", async () => {
    translate.on(TranslateTextCommand).resolves({ TranslatedText: "Hallo. Wie geht es dir?", SourceLanguageCode: "en", TargetLanguageCode: "de" });
    const r = await run(["--file", "short.txt", "--to", "de", "--from", "en", "--formality", "informal"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Hallo. Wie geht es dir?\n");
    assert.deepEqual(translate.commandCalls(TranslateTextCommand)[0].args[0].input, {
      Text: "Hello there. How are you?", SourceLanguageCode: "en", TargetLanguageCode: "de", Settings: { Profanity: "MASK", Formality: "INFORMAL" },
    });
  });

  it("refuses a target Translate cannot mask profanity in, with or without --dry-run, in one line, exit 2", async () => {
    for (const extra of [[], ["--dry-run"]]) {
      const r = await run(["--file", "short.txt", "--to", "vi", ...extra]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^translate: --to 'vi' \(Vietnamese\) is refused: Amazon Translate cannot mask profanity in it/);
      assert.equal(r.stderr.trim().split("\n").length, 1);
      assert.equal(r.stdout, "");
    }
    assert.equal(translate.calls().length, 0);
  });

  it("usage errors are one line on stderr with exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--to", "de"], /^translate: --file <text> is required\n$/],
      [["--file", "short.txt"], /^translate: --to <lang> is required\n$/],
      [["--file", "short.txt", "--to", "de", "--bogus"], /^translate: Unknown option '--bogus'/],
      [["--file", "missing.txt", "--to", "de"], /^translate: --file missing.txt: cannot read it \(ENOENT\)\n$/],
      [["--file", "latin1.txt", "--to", "de"], /^translate: --file latin1.txt: is not valid UTF-8 text\n$/],
      [["--file", "short.txt", "--to", "de", "--from", "de"], /^translate: source and target language are both 'de'/],
      [["--file", "short.txt", "--to", "xx"], /^translate: --to 'xx' is not a language Amazon Translate supports/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
  });

  it("a failure from Translate is one line with exit 1", async () => {
    translate.on(TranslateTextCommand).rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }));
    const r = await run(["--file", "short.txt", "--to", "de", "--from", "en"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "translate: Amazon Translate failed on chunk 0 (AccessDeniedException): User is not authorized\n");
  });

  it("answers --help", async () => {
    const r = await run(["--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: npm run -s translate -- --file <text> --to <lang>/);
  });
});
