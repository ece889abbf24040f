/**
 * registry-bench: push and pull an image of ~10 layers and ~200 MB against a local
 * docker-registry with strata's CLI, and the same image with `skopeo copy` in the same run, and
 * print the times side by side. Each tool gets its own registry, so neither profits from blobs the
 * other uploaded. Sizes: STRATA_BENCH_LAYERS (10) × STRATA_BENCH_LAYER_MB (20).
 * Run: `bash test/bench/registry-bench.sh` (builds first).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { makeTestImage } from '../helpers/registry-image.js';
import { startRegistry } from '../helpers/registry-server.js';

/** cliPath: this file runs compiled as dist/test/bench/registry-bench.js; the command as shipped is dist/strata. */
const cliPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'strata');
const layers = Number(process.env.STRATA_BENCH_LAYERS ?? 10);
const layerMB = Number(process.env.STRATA_BENCH_LAYER_MB ?? 20);

function timed(label: string, cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`  ${label.padEnd(34)} ${s.toFixed(2)} s\n`);
  return s;
}

const rounds = Number(process.env.STRATA_BENCH_ROUNDS ?? 3);

function best(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  return `best ${sorted[0]!.toFixed(2)} s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} s`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-registry-bench-'));
  try {
    const srcRoot = join(dir, 'src');
    const store = openStore(srcRoot);
    const img = await makeTestImage(store, 'bench/image:1', { layers, layerBytes: layerMB << 20, seed: 'bench' });
    store.close();
    const mb = img.size / 1e6;
    process.stdout.write(`registry bench: ${layers} layers, ${mb.toFixed(0)} MB (incompressible), docker-registry on 127.0.0.1, ${rounds} rounds, fresh registries each round\n`);
    // skopeo's source for its push: the same image as an OCI layout (made once, not timed)
    const layout = join(dir, 'layout');
    {
      const reg = await startRegistry('none');
      execFileSync(cliPath, ['--root', srcRoot, 'tag', 'bench/image:1', `${reg.host}/bench/image:1`], { stdio: 'ignore' });
      execFileSync(cliPath, ['--root', srcRoot, 'push', '-q', `${reg.host}/bench/image:1`], { stdio: 'ignore' });
      execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/bench/image:1`, `oci:${layout}:1`], { stdio: 'ignore' });
      await reg.stop();
    }
    const t = { pushStrata: [] as number[], pushSkopeo: [] as number[], pullStrata: [] as number[], pullSkopeo: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const [a, b] = await Promise.all([startRegistry('none'), startRegistry('none')]);
      try {
        const strataTag = `${a.host}/bench/image:1`;
        execFileSync(cliPath, ['--root', srcRoot, 'tag', 'bench/image:1', strataTag], { stdio: 'ignore' });
        t.pushStrata.push(timed('strata push', cliPath, ['--root', srcRoot, 'push', '-q', strataTag]));
        t.pushSkopeo.push(timed('skopeo copy oci: → docker://', 'skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:1`, `docker://${b.host}/bench/image:1`]));
        t.pullStrata.push(timed('strata pull (empty store)', cliPath, ['--root', join(dir, `dst${round}`), 'pull', '-q', strataTag]));
        t.pullSkopeo.push(timed('skopeo copy docker:// → oci:', 'skopeo', ['copy', '--src-tls-verify=false', `docker://${b.host}/bench/image:1`, `oci:${join(dir, `layout${round}`)}:1`]));
      } finally {
        await Promise.all([a.stop(), b.stop()]);
        rmSync(join(dir, `dst${round}`), { recursive: true, force: true });
        rmSync(join(dir, `layout${round}`), { recursive: true, force: true });
      }
    }
    const startup = [0, 1, 2].map(() => timed('strata --version (start-up)', cliPath, ['--version']));
    process.stdout.write(`CLI start-up (included in strata's times): ${best(startup)}\n`);
    process.stdout.write(`push: strata ${best(t.pushStrata)} | skopeo ${best(t.pushSkopeo)}\n`);
    process.stdout.write(`pull: strata ${best(t.pullStrata)} | skopeo ${best(t.pullSkopeo)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`registry-bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
