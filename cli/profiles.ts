/**
 * Where the CLI keeps its credentials: one JSON file in the user's config directory (XDG Base
 * Directory: $XDG_CONFIG_HOME/containerizer, else ~/.config/containerizer), owner-only (0700
 * directory, 0600 file), one entry per named profile. CONTAINERIZER_API and CONTAINERIZER_TOKEN
 * override a profile (CI needs no file at all).
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../shared/env.js';
import { envReader, type Env } from '../shared/env-reader.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** One deployment signed in to. `expiresAt` is ms since the epoch (the access token's end). */
export interface Profile {
  api: string;
  email?: string;
  accessToken?: string;
  refreshToken?: string;
  expiresAt?: number;
}

interface CredentialsFile {
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = 'default';
/** The API of `npm start`. */
export const DEFAULT_API = 'http://127.0.0.1:3000';

/** The file holding every profile. */
export function credentialsFile(env: Env = process.env): string {
  const base = envReader(env).optional(ENV.XDG_CONFIG_HOME) ?? join(homedir(), '.config');
  return join(base, 'containerizer', 'credentials.json');
}

async function readAll(file: string): Promise<CredentialsFile> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as CredentialsFile;
    return parsed && typeof parsed.profiles === 'object' ? parsed : { profiles: {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.USAGE);
  }
}

/** The profiles on disk, by name. */
export async function listProfiles(env: Env = process.env): Promise<Record<string, Profile>> {
  return (await readAll(credentialsFile(env))).profiles;
}

/** Saves `profile` as `name` (undefined removes it), written whole with owner-only permissions. */
export async function saveProfile(name: string, profile: Profile | undefined, env: Env = process.env): Promise<void> {
  const file = credentialsFile(env);
  const all = await readAll(file);
  if (profile) all.profiles[name] = profile;
  else delete all.profiles[name];
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  // Written aside then renamed: a crash never leaves half a file, and the file is 0600 before it holds a token.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
  await rename(temp, file);
}

/** What a command talks to: the API, the profile it came from, and a token if any. */
export interface Target {
  name: string;
  profile: Profile;
  /** A token from CONTAINERIZER_TOKEN: used as is, never refreshed or saved. */
  fixedToken?: string;
}

/** The profile to use (`--profile`, else CONTAINERIZER_PROFILE, else `default`), with the environment's overrides. */
export async function resolveTarget(name: string | undefined, env: Env = process.env): Promise<Target> {
  const read = envReader(env);
  const profileName = name ?? read.optional(ENV.CONTAINERIZER_PROFILE) ?? DEFAULT_PROFILE;
  const stored = (await listProfiles(env))[profileName];
  const api = read.optional(ENV.CONTAINERIZER_API) ?? stored?.api ?? DEFAULT_API;
  const fixedToken = read.optional(ENV.CONTAINERIZER_TOKEN);
  // A profile of another API is not this one's: its tokens are not sent elsewhere.
  const profile = stored && stored.api === api ? stored : { api };
  return { name: profileName, profile, ...(fixedToken && { fixedToken }) };
}
