/** Text forms of list and map fields: a command as one argument per line, env as NAME=value lines. */

/** Lines, without the empty last one(s). */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

/** `NAME=value` lines as a map; a line without `=` is a name with an empty value (the API names what is wrong). */
export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of linesOf(text)) {
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    if (eq < 0) env[line.trim()] = '';
    else env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return env;
}

export const envText = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
