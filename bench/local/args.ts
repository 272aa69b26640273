/** The benchmark scripts' command line: `--name value` options and `--flag` switches. */
export const argv = process.argv.slice(2);

/** The value after `--<name>`, else `fallback`. */
export function opt(name: string, fallback?: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
}
