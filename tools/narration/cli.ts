/**
 * `npm run -s narration -- plan --article <new.json> [--previous <old.json>] [--stack <name>]`:
 * the incremental narration plan of one saved article version. See `--help`.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { ArticleError, parseArticleJson, planReport, type Article, type VoiceSettings } from "../../functions/shared/narration";
import type { SNSClient } from "@aws-sdk/client-sns";
import { stackConfig } from "../../stacks/paths";
import type * as Publish from "./publish";

// Loaded when used, so `--help` and usage errors answer at once: publishing loads the SNS client
// (the stack schema: see stacks/paths.ts).
const publish = (): typeof Publish => require("./publish");

export const HELP = `Usage: npm run -s narration -- plan --article <new.json> [--previous <old.json>] [--stack <name>]
       npm run -s narration -- publish --article <file.json> --topic <topic ARN>

Prints, as one JSON object, what narrating a saved article version would cost: the fragments of the
new version and those Polly must synthesize because the previous version does not hold them.

  --article <file>    The new version, in the CMS's SNS message format (JSON: id, version, premium,
                      language, title, teaser, paragraphs, metadata).
  --previous <file>   The version before it (same format, older version). Without it, every
                      fragment is to be synthesized.
  --stack <name>      Stack whose ml-landing-zone:narration.voices give voice and engine per
                      language. Default: qa.
  -h, --help          Show this help.

Output keys:
  manifest            the ordered fragment hashes of the new version (SHA-256 of SSML, voice,
                      engine, language code, format and sample rate)
  fragments           its length
  toSynthesize        the distinct hashes of the new version that the previous one does not hold
  billedCharacters    characters Polly bills for those (text content of the SSML after entity
                      decoding; tags are not counted)
  fullCharacters      the same for every fragment of the new version
The premium notice is fixed audio: neither listed nor counted.

publish: sends one article version to the narration topic, as the CMS does on every save (the
caller must be one of the topic's publishers; AWS credentials from the environment). Prints
{"messageId": …}.

Exit status: 0 printed; 2 bad arguments or input (the message names the file and field);
1 the publish call failed.
`;

export class UsageError extends Error {}

function readArticle(file: string): Article {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ArticleError(file, "(file)", `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseArticleJson(text, file);
}

/** Voices of a stack's narration config. */
export function stackVoices(stack: string, dir?: string): Record<string, VoiceSettings> {
  const { readStackConfigFile, stackFilePath } = stackConfig();
  const cfg = readStackConfigFile(stack, dir) as { role: string; narration?: { voices: Record<string, VoiceSettings> } };
  if (cfg.role !== "workload" || !cfg.narration) {
    throw new UsageError(`${stackFilePath(stack)}: ml-landing-zone:narration: is not configured for stack '${stack}' (a workload stack with narration is needed)`);
  }
  return cfg.narration.voices;
}

/** `publish`: validates the article, then sends it. */
export async function runPublish(argv: string[], sns: (region: string) => SNSClient): Promise<string> {
  let values: { article?: string; topic?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { article: { type: "string" }, topic: { type: "string" } }, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  if (!values.article) throw new UsageError("--article <file> is required (see --help)");
  if (!values.topic) throw new UsageError("--topic <topic ARN> is required (see --help)");
  let region: string;
  try {
    region = publish().topicRegion(values.topic);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const article = readArticle(values.article);
  const messageId = await publish().publishArticle(sns(region), values.topic, article);
  return JSON.stringify({ messageId }) + "\n";
}

export function run(argv: string[], opts: { stacksDir?: string } = {}): string {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help" || command === undefined) {
    if (command === undefined) throw new UsageError("missing command: expected 'plan' or 'publish' (see --help)");
    return HELP;
  }
  if (command !== "plan") throw new UsageError(`unknown command '${command}': expected 'plan' or 'publish' (see --help)`);
  let values: { article?: string; previous?: string; stack?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: rest, options: { article: { type: "string" }, previous: { type: "string" }, stack: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  if (values.help) return HELP;
  if (!values.article) throw new UsageError("--article <file> is required (see --help)");
  const article = readArticle(values.article);
  const previous = values.previous ? readArticle(values.previous) : undefined;
  if (previous && previous.id !== article.id) {
    throw new ArticleError(values.previous!, "id", `is '${previous.id}', but ${values.article} is article '${article.id}'`);
  }
  if (previous && previous.version >= article.version) {
    throw new ArticleError(values.article, "version", `${article.version} is not newer than ${previous.version} in ${values.previous}`);
  }
  const voices = stackVoices(values.stack ?? "qa", opts.stacksDir);
  const report = planReport(article, previous, voices);
  return JSON.stringify({
    manifest: report.manifest,
    fragments: report.fragments,
    toSynthesize: report.toSynthesize,
    billedCharacters: report.billedCharacters,
    fullCharacters: report.fullCharacters,
  }, null, 2) + "\n";
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  Promise.resolve()
    .then(() => argv.includes("--help") || argv.includes("-h") ? HELP
      : argv[0] === "publish" ? import("@aws-sdk/client-sns").then(({ SNSClient: Client }) => runPublish(argv.slice(1), (region) => new Client({ region })))
      : run(argv))
    .then((out) => process.stdout.write(out))
    .catch((e) => {
      const known = e instanceof UsageError || e instanceof ArticleError || (e as Error).name === "ConfigError" || /no voice configured/.test((e as Error).message);
      process.stderr.write(`narration: ${known ? (e as Error).message.split("\n")[0] : `${argv[0] === "publish" ? "publish failed" : "unexpected error"}: ${(e as Error).message.split("\n")[0]}`}\n`);
      process.exit(known ? 2 : 1);
    });
}
