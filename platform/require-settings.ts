import type { Config } from './settings.js';

type Defined<T, K extends keyof T> = { [P in K]-?: NonNullable<T[P]> };

/** The separate worker and API processes have no embedded defaults: they say what is missing. */
export function requireSettings<K extends keyof Config>(config: Config, names: K[]): Defined<Config, K> {
  const missing = names.filter((name) => config[name] === undefined);
  if (missing.length > 0) {
    process.stderr.write(`Set ${missing.join(', ')} (or run everything on embedded defaults with \`npm start\`).\n`);
    process.exit(2);
  }
  return config as unknown as Defined<Config, K>;
}
