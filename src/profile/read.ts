import fs from 'node:fs';
import { ConfigError } from '../errors';

/** The text of a file a setting names, or a configuration error naming the setting (exit 2). */
export function readSettingFile(setting: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(setting, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
