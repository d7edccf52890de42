/**
 * A Dockerfile read the way Docker's parser reads it (moby/buildkit frontend/dockerfile/parser):
 * parser directives at the top (`# escape=`, `# syntax=`), comments, instructions case-insensitive,
 * lines joined on the escape character (`\` or `` ` ``, trailing blanks allowed), comment and blank
 * lines inside a continuation dropped, and, for BuildKit, heredoc bodies (`<<EOF` … `EOF`) that
 * belong to their instruction. Dev mode's classic builder knows no heredocs and reads their bodies
 * as instructions, the cloud's BuildKit does not: dockerfileFacts reads the text both ways and
 * reports what either would do. Pure: no Docker, no I/O.
 */

/** One instruction as the parser sees it. */
export interface Instruction {
  /** Upper-cased: FROM, ADD, COPY, RUN, ONBUILD, … */
  keyword: string;
  /** 1-based line where it starts. */
  line: number;
  /** Its `--name=value` flags (name lower-cased; a bare `--name` has value ''). */
  flags: { name: string; value: string }[];
  /** The words after the flags: the JSON array's strings (exec form), or the shell form's words, quotes kept. */
  args: string[];
  /** The text after the keyword, continuations joined. */
  rest: string;
}

/** A Dockerfile's directives (names lower-cased) and instructions. */
export interface ParsedDockerfile {
  directives: Record<string, string>;
  instructions: Instruction[];
}

const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.*?)[ \t]*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);
const HEREDOC = /<<(-?)\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

/**
 * Parses a Dockerfile. With `heredocs` (BuildKit), the bodies of RUN, COPY and ADD heredocs are
 * skipped; without (the classic builder), they are read as instructions. `escape` overrides the
 * escape directive (a reader that must not depend on how a builder reads the directives).
 */
export function parseDockerfile(text: string, options: { heredocs: boolean; escape?: string }): ParsedDockerfile {
  // bufio.ScanLines: lines end at \n, a \r before it is dropped; a lone \r is no line break.
  const lines = text.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const match = DIRECTIVE.exec(lines[i]!);
    if (!match) break;
    const key = match[1]!.toLowerCase();
    // An unknown directive is a comment, and after a comment no directive is recognized; one given twice is an error to Docker.
    if (!KNOWN_DIRECTIVES.has(key) || key in directives) break;
    directives[key] = match[2]!;
  }
  const escape = options.escape ?? (directives.escape === '`' ? '`' : '\\');
  const continues = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const instructions: Instruction[] = [];
  for (; i < lines.length; i++) {
    const first = lines[i]!;
    if (isBlankOrComment(first)) continue;
    const start = i;
    let logical = '';
    let current = first;
    while (continues.test(current) && i + 1 < lines.length) {
      logical += current.replace(continues, '');
      i++;
      while (i + 1 < lines.length && isBlankOrComment(lines[i]!)) i++;
      current = lines[i]!;
      if (isBlankOrComment(current)) current = '';
    }
    logical += current.replace(continues, '');
    const instruction = parseInstruction(logical, start + 1, escape);
    if (!instruction) continue;
    instructions.push(instruction);
    if (options.heredocs && HEREDOC_INSTRUCTIONS.has(instruction.keyword)) i = skipHeredocs(lines, i, instruction.rest);
  }
  return { directives, instructions };
}

function isBlankOrComment(line: string): boolean {
  const trimmed = line.trimStart();
  return trimmed === '' || trimmed.startsWith('#');
}

/** The index of the last line of the heredoc bodies `rest` opens (after line `at`), or `at` when it opens none. */
function skipHeredocs(lines: readonly string[], at: number, rest: string): number {
  let i = at;
  for (const [, dash, , word] of rest.matchAll(HEREDOC)) {
    for (i++; i < lines.length; i++) {
      const line = dash ? lines[i]!.replace(/^\t+/, '') : lines[i]!;
      if (line === word) break;
    }
  }
  return Math.min(i, lines.length - 1);
}

/** One instruction from its joined text; undefined for a line without a keyword. */
export function parseInstruction(logical: string, line: number, escape = '\\'): Instruction | undefined {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(logical);
  if (!match) return undefined;
  const keyword = match[1]!.toUpperCase();
  const rest = match[2]!.trim();
  const flags: Instruction['flags'] = [];
  let end = 0;
  // ONBUILD's flags belong to the instruction it carries. Flags are read with quotes (buildkit extractBuilderFlags) …
  if (keyword !== 'ONBUILD') {
    for (const { word, end: after } of wordsOf(rest, escape)) {
      if (!word.startsWith('--')) break;
      const flag = unquote(word, escape);
      const eq = flag.indexOf('=');
      flags.push(eq < 0 ? { name: flag.slice(2).toLowerCase(), value: '' } : { name: flag.slice(2, eq).toLowerCase(), value: flag.slice(eq + 1) });
      end = after;
    }
  }
  // … the arguments are a JSON array or split on whitespace alone (parseMaybeJSONToList, parseStringsWhitespaceDelimited).
  const afterFlags = rest.slice(end).trim();
  return { keyword, line, flags, args: execForm(afterFlags) ?? afterFlags.split(/\s+/).filter(Boolean), rest };
}

/** The strings of a JSON array (the exec form), or undefined when the text is not one. */
function execForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Splits on unquoted whitespace, keeping quotes and escapes in the words (expandWord removes them), as ARG and ENV read their words. */
export function splitWords(text: string, escape = '\\'): string[] {
  return wordsOf(text, escape).map((w) => w.word);
}

/** splitWords with where each word ends in `text`. */
function wordsOf(text: string, escape: string): { word: string; end: number }[] {
  const words: { word: string; end: number }[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === escape && quote !== "'" && i + 1 < text.length) {
      word += c + text[++i];
      inWord = true;
    } else if (quote) {
      word += c;
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      word += c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push({ word, end: i });
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push({ word, end: text.length });
  return words;
}

/** A word with its quotes and escapes removed, no variable expanded. */
function unquote(word: string, escape: string): string {
  return expandWord(word, new Map(), escape, false) ?? word;
}

/**
 * Expands a word as Docker's shell lexer does (moby/buildkit frontend/dockerfile/shell): quotes
 * removed, `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`
 * replaced (an unknown variable is empty). Returns undefined for a form it does not know (`${X#…}`,
 * `${X/…}`, …), which a caller must refuse rather than guess at.
 */
export function expandWord(word: string, vars: ReadonlyMap<string, string>, escape = '\\', expand = true): string | undefined {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
    } else if (c === escape && i + 1 < word.length) {
      out += word[++i];
    } else if (c === '"') {
      quote = quote ? undefined : '"';
    } else if (c === "'" && !quote) {
      quote = "'";
    } else if (c === '$' && expand) {
      const simple = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(word.slice(i));
      if (simple) {
        out += vars.get(simple[1]!) ?? '';
        i += simple[0].length - 1;
        continue;
      }
      if (word[i + 1] !== '{') {
        out += c;
        continue;
      }
      const end = word.indexOf('}', i);
      if (end < 0) return undefined;
      const inner = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([\s\S]*))?$/.exec(word.slice(i + 2, end));
      if (!inner) return undefined;
      const [, name, op, alt] = inner as unknown as [string, string, string | undefined, string | undefined];
      const value = vars.get(name);
      const set = value !== undefined && (value !== '' || !op?.startsWith(':'));
      const altValue = alt === undefined ? '' : expandWord(alt, vars, escape);
      if (altValue === undefined) return undefined;
      if (!op) out += value ?? '';
      else if (op.endsWith('-')) out += set ? value : altValue;
      else out += set ? altValue : '';
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}
