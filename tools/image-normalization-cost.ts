/**
 * `npm run -s cost:images`: the image-normalization cost table (markdown) for a lakehouse stack,
 * from the stack's own function settings (`imageNormalization.memoryMb`, `.architecture`) and the
 * pinned price file components/pipelines/images/prices.json. README's table is this output for the
 * example lakehouse stack.
 *
 *   npm run -s cost:images [-- --stack lakehouse] [--stacks-dir stacks]
 */
import { costMarkdown, readPrices } from "../components/pipelines/images/cost";
import { STACKS_DIR, stackConfig } from "../stacks/paths";
import type { LakehouseConfig } from "../stacks/config";


export const USAGE = "usage: npm run -s cost:images -- [--stack <lakehouse stack>] [--stacks-dir <dir>]";
export const HELP = `${USAGE}

Prints the image-normalization cost table (markdown): an hour of the normalizer on Lambda, arm64 and
x86_64 at the stack's configured memory, next to an hour of an ml.p2.xlarge training instance, with
the prices of components/pipelines/images/prices.json.

  --stack <name>       lakehouse stack whose imageNormalization settings to use (default lakehouse)
  --stacks-dir <dir>   folder of the Pulumi.<stack>.yaml files (default stacks/)
  -h, --help           show this help

Exit status: 0 printed, 2 usage or config error.
`;

export function costTable(stack: string, dir: string = STACKS_DIR): string {
  const config = stackConfig().readStackConfigFile(stack, dir);
  if (config.role !== "lakehouse") throw new Error(`stack '${stack}' has role '${config.role}'; image normalization lives in a lakehouse stack`);
  const c = (config as LakehouseConfig).imageNormalization;
  if (!c) throw new Error(`stack '${stack}' does not configure ml-landing-zone:imageNormalization`);
  return costMarkdown(stack, c.memoryMb, c.architecture, readPrices());
}

function main(argv: string[]): number {
  let stack = "lakehouse";
  let dir = STACKS_DIR;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") {
      process.stdout.write(HELP);
      return 0;
    } else if ((a === "--stack" || a === "--stacks-dir") && argv[i + 1] !== undefined) {
      if (a === "--stack") stack = argv[++i];
      else dir = argv[++i];
    } else {
      process.stderr.write(`cost:images: unknown or incomplete argument '${a}' (see --help)\n`);
      return 2;
    }
  }
  try {
    process.stdout.write(costTable(stack, dir));
    return 0;
  } catch (e) {
    process.stderr.write(`cost:images: ${(e as Error).message.split("\n")[0]}\n`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
