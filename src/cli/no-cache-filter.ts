import { Option } from 'commander';
import { collect } from './store-access.js';

/**
 * noCacheFilterOption is `--no-cache-filter STAGE` (repeatable), read as `noCacheFilter`. Commander takes
 * any `--no-` flag for the negation of an option (here a `cacheFilter` defaulting to true), which crashed
 * the repeat collector and lost the stages; this one is an ordinary option whose name starts with `no-`.
 */
export function noCacheFilterOption(description: string): Option {
  const o = new Option('--no-cache-filter <STAGE>', description).argParser(collect);
  o.negate = false;
  return o;
}
