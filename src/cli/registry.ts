import type { Command } from 'commander';
import { Option } from 'commander';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { familiarRepository, familiarString, parseReference, referenceString, repositoryName, withTag, type Reference } from '../image/reference.js';
import { DockerCredentialStore, Registries, listRemoteTags, localTagsOf, parsePlatform, pullImage, pushImage, type TransferListener } from '../registry/index.js';
import { normalizeRegistryHost, DOCKER_HUB } from '../registry/endpoint.js';
import { verifyLogin } from '../registry/login.js';
import { LiveProgress, plainProgress } from '../registry/progress-view.js';
import { SEARCH_HEADERS, parseSearchFilters, searchImages, searchRow } from '../registry/search.js';
import { formatRows } from './format/output.js';
import { collect, withStore } from './store-access.js';
import { InvalidArgumentError, StrataError } from '../util/errors.js';
import { globalOptions } from './global-options.js';

/**
 * register adds the registry commands: login, logout, pull, push, search. They parse flags,
 * wire credentials, progress output and the store, and leave the work to src/registry.
 */
export function register(program: Command): void {
  const insecure = (): Option => new Option('--insecure-registry <host>', 'reach this registry over plain HTTP (repeatable; env STRATA_INSECURE_REGISTRIES)').argParser(collect).default([]);

  program
    .command('login')
    .description('log in to a registry (Docker Hub by default)')
    .argument('[server]', 'registry host')
    .option('-u, --username <user>', 'user name')
    .option('-p, --password <password>', 'password (insecure: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .addOption(insecure())
    .action(async (server: string | undefined, o: { username?: string; password?: string; passwordStdin?: boolean; insecureRegistry: string[] }, cmd: Command) => {
      const host = normalizeRegistryHost(server ?? DOCKER_HUB);
      const creds = new DockerCredentialStore();
      if (o.password !== undefined) process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      if (o.passwordStdin && o.password !== undefined) throw new InvalidArgumentError('--password and --password-stdin are mutually exclusive');
      let username = o.username;
      let password = o.password;
      if (o.passwordStdin) {
        if (!username) throw new InvalidArgumentError('must provide --username with --password-stdin');
        password = (await readAll(process.stdin)).replace(/\r?\n$/, '');
      }
      if (username === undefined && password === undefined) {
        const existing = await creds.get(host);
        if (existing) {
          process.stdout.write('Authenticating with existing credentials...\n');
          await verifyLogin(host, existing, clientOptions(cmd, o.insecureRegistry));
          process.stdout.write('Login Succeeded\n');
          return;
        }
      }
      if (username === undefined) username = await prompt('Username: ', false);
      if (password === undefined) password = await prompt('Password: ', true);
      if (!username) throw new InvalidArgumentError('login: username is empty');
      if (!password) throw new InvalidArgumentError('login: password is empty');
      await verifyLogin(host, { username, password }, clientOptions(cmd, o.insecureRegistry));
      await creds.put(host, { username, password });
      process.stdout.write('Login Succeeded\n');
    });

  program
    .command('logout')
    .description('log out from a registry (Docker Hub by default)')
    .argument('[server]', 'registry host')
    .action(async (server: string | undefined) => {
      const host = normalizeRegistryHost(server ?? DOCKER_HUB);
      if (await new DockerCredentialStore().erase(host)) process.stdout.write(`Removing login credentials for ${host}\n`);
      else process.stdout.write(`Not logged in to ${host}\n`);
    });

  program
    .command('pull')
    .description('download an image from a registry')
    .argument('<name>', 'NAME[:TAG|@DIGEST]')
    .option('-a, --all-tags', 'download every tagged image of the repository')
    .option('-q, --quiet', 'print only the image reference')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image')
    .addOption(insecure())
    .action(async (name: string, o: { allTags?: boolean; quiet?: boolean; platform?: string; insecureRegistry: string[] }, cmd: Command) => {
      const given = parseReference(name, { defaultTag: false });
      if (o.allTags && (given.tag || given.digest)) throw new InvalidArgumentError('tag can\'t be used with --all-tags/-a');
      const platform = o.platform ? parsePlatform(o.platform) : undefined;
      const registries = new Registries(clientOptions(cmd, o.insecureRegistry));
      const out = (s: string): void => void (o.quiet ? undefined : process.stdout.write(s));
      await withStore(cmd, async (store) => {
        const refs: Reference[] = o.allTags ? (await listRemoteTags(given, registries)).sort().map((t) => withTag(given, t)) : [given.tag || given.digest ? given : withTag(given, 'latest')];
        if (!o.allTags && !given.tag && !given.digest) out('Using default tag: latest\n');
        let anyNew = false;
        for (const ref of refs) {
          out(`${ref.digest ?? ref.tag}: Pulling from ${ref.path}\n`);
          const progress = o.quiet ? undefined : transferProgress();
          try {
            const r = await pullImage(store, ref, { registries, ...(platform ? { platform } : {}), ...(progress ? { onEvent: progress.listener } : {}) });
            progress?.finish();
            anyNew ||= !r.upToDate;
            out(`Digest: ${r.digest}\n`);
            if (!o.allTags) out(`Status: ${r.upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarString(ref)}\n`);
          } finally {
            progress?.finish();
          }
        }
        if (o.allTags) out(`Status: ${anyNew ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarRepository(given)}\n`);
        process.stdout.write(`${o.allTags ? repositoryName(given) : referenceString(refs[0]!)}\n`);
      });
    });

  program
    .command('push')
    .description('upload an image to a registry')
    .argument('<name>', 'NAME[:TAG]')
    .option('-a, --all-tags', 'push every local tag of the repository')
    .option('-q, --quiet', 'print only the image reference')
    .addOption(insecure())
    .action(async (name: string, o: { allTags?: boolean; quiet?: boolean; insecureRegistry: string[] }, cmd: Command) => {
      const given = parseReference(name, { defaultTag: false });
      if (o.allTags && (given.tag || given.digest)) throw new InvalidArgumentError('tag can\'t be used with --all-tags/-a');
      const registries = new Registries(clientOptions(cmd, o.insecureRegistry));
      const out = (s: string): void => void (o.quiet ? undefined : process.stdout.write(s));
      await withStore(cmd, async (store) => {
        const refs = o.allTags ? localTagsOf(store, given) : [given.tag || given.digest ? given : withTag(given, 'latest')];
        if (refs.length === 0) throw new StrataError('IMAGE_NOT_FOUND', `An image does not exist locally with the tag: ${familiarRepository(given)}`);
        if (!o.allTags && !given.tag && !given.digest) out('Using default tag: latest\n');
        out(`The push refers to repository [${repositoryName(given)}]\n`);
        for (const ref of refs) {
          const progress = o.quiet ? undefined : transferProgress();
          try {
            const r = await pushImage(store, ref, { registries, ...(progress ? { onEvent: progress.listener } : {}) });
            progress?.finish();
            out(`${ref.tag ?? ref.digest}: digest: ${r.digest} size: ${r.size}\n`);
          } finally {
            progress?.finish();
          }
        }
        if (o.quiet) process.stdout.write(`${o.allTags ? familiarRepository(given) : familiarString(refs[0]!)}\n`);
      });
    });

  program
    .command('search')
    .description('search Docker Hub, or a registry\'s catalog with HOST/TERM')
    .argument('<term>', 'TERM, or HOST[:PORT]/TERM for a registry\'s catalog')
    .option('--limit <n>', 'most results to show (1-100)', '25')
    .option('-f, --filter <filter>', 'stars=N, is-official=true|false, is-automated=true|false (repeatable)', collect, [])
    .option('--no-trunc', 'do not cut descriptions')
    .option('--format <template>', 'Go-template-like format, e.g. "{{.Name}}\\t{{.StarCount}}" or "table {{.Name}}"')
    .addOption(insecure())
    .action(async (term: string, o: { limit: string; filter: string[]; trunc: boolean; format?: string; insecureRegistry: string[] }, cmd: Command) => {
      if (!/^\d+$/.test(o.limit)) throw new InvalidArgumentError(`invalid --limit ${JSON.stringify(o.limit)}: must be a number between 1 and 100`);
      const results = await searchImages(term, { limit: Number(o.limit), filter: parseSearchFilters(o.filter), registries: new Registries(clientOptions(cmd, o.insecureRegistry)) });
      const rows = results.map((r) => searchRow(r, !o.trunc));
      process.stdout.write(formatRows(rows, { ...(o.format ? { format: o.format } : {}), defaultTable: SEARCH_TABLE, headers: SEARCH_HEADERS }));
    });
}

const SEARCH_TABLE = '{{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';

function clientOptions(cmd: Command, insecure: string[]) {
  const g = globalOptions(cmd);
  return {
    credentials: new DockerCredentialStore().source(),
    insecureRegistries: insecure,
    ...(g.debug ? { debug: (line: string) => void process.stderr.write(`DEBUG ${line}\n`) } : {}),
  };
}

function transferProgress(): { listener: TransferListener; finish: () => void } {
  if (process.stdout.isTTY) {
    const live = new LiveProgress((s) => void process.stdout.write(s));
    return { listener: live.listener, finish: () => live.finish() };
  }
  return { listener: plainProgress((s) => void process.stdout.write(s)), finish: () => undefined };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** prompt asks on the terminal; a password is not echoed. Without a terminal there is no one to ask. */
async function prompt(question: string, secret: boolean): Promise<string> {
  if (!process.stdin.isTTY) throw new InvalidArgumentError('cannot perform an interactive login from a non TTY device: use -u and --password-stdin');
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _e, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, (answer) => resolve(answer));
      muted = secret;
    });
  } finally {
    rl.close();
    if (secret) process.stderr.write('\n');
  }
}
