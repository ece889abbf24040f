import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let addonPath: string | null | undefined;

/**
 * nativeAddon is where better-sqlite3's build puts its compiled addon. Left to itself,
 * better-sqlite3 finds it through the `bindings` package, which walks stack traces and tries a dozen
 * paths; with the addon handed over, the package's JavaScript can live in strata's bundle (compiled
 * from the code cache) and every command starts about 10 ms sooner. null: not where a build puts it
 * (a Debug build, an unusual install), and better-sqlite3 looks for it itself.
 */
function nativeAddon(): string | null {
  if (addonPath !== undefined) return addonPath;
  const path = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
  addonPath = existsSync(path) ? path : null;
  return addonPath;
}

/** openDatabase opens (creating if needed) an SQLite database file. */
export function openDatabase(path: string, opts: { timeout: number }): Database.Database {
  const native = nativeAddon();
  return new Database(path, { timeout: opts.timeout, ...(native ? { nativeBinding: native } : {}) });
}

