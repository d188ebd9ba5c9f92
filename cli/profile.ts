// The stored profile: the workspace URL and the token `loraworks login` saved, readable only by its owner.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export const Profile = z.object({ url: z.string().optional(), token: z.string().optional(), user: z.string().optional() });
export type Profile = z.infer<typeof Profile>;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LORAWORKS_CONFIG_DIR || join(homedir(), '.config', 'loraworks');
}

export const profilePath = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'profile.json');

export async function readProfile(env: NodeJS.ProcessEnv = process.env): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(profilePath(env), 'utf8');
  } catch {
    return {};
  }
  try {
    return Profile.parse(JSON.parse(text));
  } catch {
    throw new Error(`The profile ${profilePath(env)} is not readable JSON. Delete it or run \`loraworks login\` again.`);
  }
}

export async function writeProfile(profile: Profile, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = profilePath(env);
  await mkdir(configDir(env), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // writeFile's mode applies only to a new file
  return path;
}

export async function removeProfile(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await rm(profilePath(env), { force: true });
}
