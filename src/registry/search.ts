import { request, type Dispatcher } from 'undici';
import { defaultDispatcher } from './dispatcher.js';
import { InvalidArgumentError } from '../util/errors.js';
import { DOCKER_HUB, normalizeRegistryHost } from './endpoint.js';
import { RegistryHttpError, RegistryUnreachableError } from './errors.js';
import { logRequest, logResponse } from './http-log.js';
import type { Registries } from './registries.js';

/** SearchResult is one row of `strata search`, named as Docker's API and templates name it. */
export interface SearchResult {
  Name: string;
  Description: string;
  StarCount: number;
  IsOfficial: boolean;
  IsAutomated: boolean;
}

/** SearchFilter narrows results as `--filter` does. */
export interface SearchFilter {
  stars?: number;
  isOfficial?: boolean;
  isAutomated?: boolean;
}

/** parseSearchFilters reads `--filter` values: stars=N, is-official=true|false, is-automated=true|false. */
export function parseSearchFilters(values: readonly string[]): SearchFilter {
  const f: SearchFilter = {};
  for (const v of values) {
    const [key, value] = [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)];
    const bool = (): boolean => {
      if (value !== 'true' && value !== 'false') throw new InvalidArgumentError(`invalid filter ${JSON.stringify(v)}: ${key} takes true or false`);
      return value === 'true';
    };
    if (!v.includes('=')) throw new InvalidArgumentError(`invalid filter ${JSON.stringify(v)}: want key=value`);
    if (key === 'stars') {
      if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`invalid filter ${JSON.stringify(v)}: stars takes a number`);
      f.stars = Number(value);
    } else if (key === 'is-official') f.isOfficial = bool();
    else if (key === 'is-automated') f.isAutomated = bool();
    else throw new InvalidArgumentError(`invalid filter ${JSON.stringify(key)}: want stars, is-official or is-automated`);
  }
  return f;
}

/** splitSearchTerm tells `host:port/term` (a registry's catalog) from a Docker Hub term. */
export function splitSearchTerm(term: string): { host: string; term: string } {
  const slash = term.indexOf('/');
  if (slash > 0) {
    const first = term.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') return { host: normalizeRegistryHost(first), term: term.slice(slash + 1) };
  }
  return { host: DOCKER_HUB, term };
}

export interface SearchOptions {
  limit?: number;
  filter?: SearchFilter;
  registries: Registries;
  /** Docker Hub's search endpoint (default https://index.docker.io/v1/search; STRATA_HUB_SEARCH_URL overrides, for tests). */
  hubSearchUrl?: string;
  dispatcher?: Dispatcher;
}

/**
 * searchImages searches Docker Hub (its v1 search API, as `docker search` does) or, for
 * `host:port/term`, that registry's `/v2/_catalog` filtered by the term. Results are filtered
 * and cut to `limit` (1-100, default 25).
 */
export async function searchImages(query: string, opts: SearchOptions): Promise<SearchResult[]> {
  const limit = opts.limit ?? 25;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InvalidArgumentError(`invalid limit ${limit}: must be between 1 and 100`);
  const { host, term } = splitSearchTerm(query);
  const rows = host === DOCKER_HUB ? await searchHub(term, limit, opts) : await searchCatalog(host, term, opts.registries);
  const f = opts.filter ?? {};
  return rows
    .filter((r) => (f.stars === undefined || r.StarCount >= f.stars) && (f.isOfficial === undefined || r.IsOfficial === f.isOfficial) && (f.isAutomated === undefined || r.IsAutomated === f.isAutomated))
    .slice(0, limit);
}

async function searchHub(term: string, limit: number, opts: SearchOptions): Promise<SearchResult[]> {
  const base = opts.hubSearchUrl ?? process.env.STRATA_HUB_SEARCH_URL ?? 'https://index.docker.io/v1/search';
  const url = new URL(base);
  url.searchParams.set('q', term);
  url.searchParams.set('n', String(limit));
  const log = opts.registries.options.debug;
  logRequest(log, 'GET', url.toString(), {});
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, { method: 'GET', headers: { 'user-agent': 'strata/0.1' }, dispatcher: opts.dispatcher ?? defaultDispatcher() });
  } catch (err) {
    throw new RegistryUnreachableError(`search ${term}`, `${url.host}: ${(err as Error).message}`, { cause: err });
  }
  logResponse(log, 'GET', url.toString(), res.statusCode, res.headers);
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new RegistryHttpError(`search ${term}`, res.statusCode, url.host);
  }
  const json = (await res.body.json()) as { results?: { name: string; description?: string; star_count?: number; is_official?: boolean; is_automated?: boolean }[] };
  return (json.results ?? []).map((r) => ({
    Name: r.name,
    Description: r.description ?? '',
    StarCount: r.star_count ?? 0,
    IsOfficial: r.is_official ?? false,
    IsAutomated: r.is_automated ?? false,
  }));
}

async function searchCatalog(host: string, term: string, registries: Registries): Promise<SearchResult[]> {
  const client = registries.client(host);
  const names: string[] = [];
  let url: string | undefined = '/v2/_catalog?n=1000';
  while (url) {
    const res = await client.request({ method: 'GET', url, scopes: ['registry:catalog:*'], subject: `${host}/${term}` });
    const json = (await res.body.json()) as { repositories?: string[] | null };
    names.push(...(json.repositories ?? []));
    const next = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''))?.[1];
    url = next ? new URL(next, res.url).toString() : undefined;
  }
  const t = term.toLowerCase();
  return names
    .filter((n) => n.toLowerCase().includes(t))
    .sort()
    .map((n) => ({ Name: `${host}/${n}`, Description: '', StarCount: 0, IsOfficial: false, IsAutomated: false }));
}

/** SearchRow is a result as `--format` sees it: the description cut to 45 characters unless --no-trunc, booleans as `[OK]`. */
export interface SearchRow {
  Name: string;
  Description: string;
  StarCount: string;
  IsOfficial: string;
  IsAutomated: string;
}

export const SEARCH_HEADERS: Record<string, string> = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };

export function searchRow(r: SearchResult, noTrunc: boolean): SearchRow {
  const desc = r.Description.replace(/\s+/g, ' ').trim();
  const chars = [...desc];
  return {
    Name: r.Name,
    Description: noTrunc || chars.length <= 45 ? desc : `${chars.slice(0, 44).join('')}…`,
    StarCount: String(r.StarCount),
    IsOfficial: r.IsOfficial ? '[OK]' : '',
    IsAutomated: r.IsAutomated ? '[OK]' : '',
  };
}
