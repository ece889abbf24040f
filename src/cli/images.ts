import type { Command } from 'commander';
import { parseReference, referenceString } from '../image/reference.js';
import { collectGarbage } from '../store/gc.js';
import { pruneUnusedSnapshots } from './snapshot-upkeep.js';
import { removeImage } from '../store/remove-image.js';
import { resolveImage } from '../store/resolve-image.js';
import { StrataError } from '../util/errors.js';
import { formatRows } from './format/output.js';
import { compileTemplate, goJSON } from './format/template.js';
import { listImages, type ImagesOptions } from './image-list.js';
import { HISTORY_HEADERS, historyRows, inspectImage } from './image-views.js';
import { collect, out, withStore } from './store-access.js';

/** register adds images / image ls, tag, rmi / image rm, inspect / image inspect, history. */
export function register(program: Command): void {
  const image = imageGroup(program);
  defineImages(program.command('images [REPOSITORY[:TAG]]').description('List images'));
  defineImages(image.command('ls [REPOSITORY[:TAG]]').alias('list').description('List images'));
  defineTag(program.command('tag <SOURCE_IMAGE[:TAG]> <TARGET_IMAGE[:TAG]>'));
  defineTag(image.command('tag <SOURCE_IMAGE[:TAG]> <TARGET_IMAGE[:TAG]>'));
  defineRmi(program.command('rmi <IMAGE...>'));
  defineRmi(image.command('rm <IMAGE...>').alias('remove'));
  defineInspect(program.command('inspect <IMAGE...>'));
  defineInspect(image.command('inspect <IMAGE...>'));
  defineHistory(program.command('history <IMAGE>'));
  defineHistory(image.command('history <IMAGE>'));
}

/** imageGroup returns the `image` command, creating it once (image-io.ts adds to it too). */
export function imageGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'image') ?? program.command('image').description('Manage images');
}


function defineImages(cmd: Command): void {
  cmd
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--digests', 'Show digests')
    .option('--no-trunc', "Don't truncate output")
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .action(async (repo: string | undefined, opts: ImagesOptions & { trunc?: boolean }, c: Command) => {
      await withStore(c, async (store) => out(await listImages(store, repo, { ...opts, noTrunc: opts.trunc === false })));
    });
}

function defineTag(cmd: Command): void {
  cmd.description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE').action(async (source: string, target: string, _o: unknown, c: Command) => {
    await withStore(c, (store) => {
      const img = resolveImage(store, source);
      const ref = parseReference(target);
      if (ref.digest) throw new StrataError('INVALID_REFERENCE', `refusing to create a tag with a digest reference`);
      store.images.setTag(referenceString(ref), img.id);
    });
  });
}

function defineRmi(cmd: Command): void {
  cmd
    .description('Remove one or more images')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .action(async (args: string[], opts: { force?: boolean; prune?: boolean }, c: Command) => {
      await withStore(c, async (store) => {
        const errors: string[] = [];
        let removed = false;
        for (const a of args) {
          try {
            for (const e of removeImage(store, a, { force: opts.force ?? false, noPrune: opts.prune === false })) {
              out(e.kind === 'untagged' ? `Untagged: ${e.ref}\n` : `Deleted: ${e.id}\n`);
              removed ||= e.kind === 'deleted';
            }
          } catch (err) {
            if (!(err instanceof StrataError)) throw err;
            errors.push(err.message);
          }
        }
        if (removed) {
          await collectGarbage(store);
          await pruneUnusedSnapshots(store);
        }
        if (errors.length) {
          // docker rmi goes on with the other images and reports every failure at the end.
          for (const e of errors.slice(0, -1)) process.stderr.write(`Error response from daemon: ${e}\n`);
          throw new StrataError('RMI_FAILED', errors.at(-1)!);
        }
      });
    });
}

function defineInspect(cmd: Command): void {
  cmd
    .description('Display detailed information on one or more images')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (args: string[], opts: { format?: string }, c: Command) => {
      await withStore(c, async (store) => {
        const docs: Record<string, unknown>[] = [];
        const missing: string[] = [];
        for (const a of args) {
          try {
            docs.push(await inspectImage(store, resolveImage(store, a)));
          } catch (err) {
            if (!(err instanceof StrataError) || err.code !== 'IMAGE_NOT_FOUND') throw err;
            missing.push(a);
          }
        }
        if (opts.format && opts.format !== 'json') {
          const render = compileTemplate(opts.format);
          out(docs.map((d) => `${render(d)}\n`).join(''));
        } else {
          out(`${indentJSON(docs)}\n`);
        }
        if (missing.length) throw new StrataError('IMAGE_NOT_FOUND', `No such image: ${missing.join(', ')}`);
      });
    });
}

/** indentJSON is Go's json.MarshalIndent with 4 spaces, as `docker inspect` prints. */
function indentJSON(v: unknown): string {
  if (Array.isArray(v) && v.length === 0) return '[]';
  return goJSON(v) === 'null' ? 'null' : JSON.stringify(v, null, 4).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function defineHistory(cmd: Command): void {
  cmd
    .description('Show the history of an image')
    .option('-H, --human [bool]', 'Print sizes and dates in human readable format', 'true')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .action(async (arg: string, opts: { human: string | boolean; trunc?: boolean; quiet?: boolean; format?: string }, c: Command) => {
      await withStore(c, async (store) => {
        const img = resolveImage(store, arg);
        const human = opts.human === true || opts.human === 'true' || opts.human === '1';
        const rows = await historyRows(store, img, { human, noTrunc: opts.trunc === false });
        if (opts.quiet) {
          out(rows.map((r) => `${r.ID}\n`).join(''));
          return;
        }
        const defaultTable = '{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
        out(formatRows(rows, { ...(opts.format !== undefined ? { format: opts.format } : {}), defaultTable, headers: HISTORY_HEADERS }));
      });
    });
}
