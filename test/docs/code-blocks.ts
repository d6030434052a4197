import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced code block of the docs: where it is, its info string and its text. */
export interface CodeBlock {
  file: string;
  line: number;
  lang: string;
  /** Words after the language: `fragment` marks a block that is not meant to run on its own. */
  flags: string[];
  code: string;
}

/** README.md and every docs/*.md, in order. */
export function docFiles(root: string): string[] {
  const docs = join(root, 'docs');
  const more = existsSync(docs)
    ? readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => join('docs', f))
    : [];
  return ['README.md', ...more];
}

export function codeBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let open: { line: number; info: string[]; body: string[] } | undefined;
  lines.forEach((text, index) => {
    const fence = /^```(.*)$/.exec(text);
    if (fence === null) {
      open?.body.push(text);
      return;
    }
    if (open === undefined) {
      open = { line: index + 1, info: fence[1]!.trim().split(/\s+/).filter(Boolean), body: [] };
      return;
    }
    const [lang = '', ...flags] = open.info;
    blocks.push({ file, line: open.line, lang, flags, code: open.body.join('\n') });
    open = undefined;
  });
  return blocks;
}
