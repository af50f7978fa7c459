// Builds the prebuilt `zhiyin` (dist/zhiyin.mjs, used by src/cli/zhiyin.js while it is fresh) and
// the worker threads' entries (dist/upload-worker.mjs, dist/lsa-eigen-worker.mjs): `npm run prepare` runs this file.
// The CLI is split at its dynamic imports (esbuild --splitting), so that a command loads only
// what it imports: `zhiyin --help` and `zhiyin users …` never load the retrieval stack. The
// chunks sit next to zhiyin.mjs, one level below the repository root, where src/paths.ts expects
// its code to be. It also makes the template a new embedded data directory starts from (initdb
// done, migrations applied: src/store/data-dir-template.ts), so a first start runs no initdb.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' };

/**
 * Writes `<outdir>/zhiyin.mjs` (with its `chunk-*.mjs`), `<outdir>/upload-worker.mjs` and
 * `<outdir>/lsa-eigen-worker.mjs`.
 *
 * @example await bundleCli(path.join(root, 'dist'));
 */
export async function bundleCli(outdir) {
  await build({
    ...common,
    entryPoints: { zhiyin: path.join(root, 'src/cli/run.ts') },
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
  });
  await build({ ...common, entryPoints: [path.join(root, 'src/knowledge/upload-worker.ts')], outfile: path.join(outdir, 'upload-worker.mjs') });
  await build({ ...common, entryPoints: [path.join(root, 'src/retrieval/embeddings/lsa-eigen-worker.ts')], outfile: path.join(outdir, 'lsa-eigen-worker.mjs') });
}

/**
 * Writes `<outdir>/pgdata-<key>`, the data-directory template for the current sources.
 *
 * @example await buildTemplate(path.join(root, 'dist'));
 */
export async function buildTemplate(outdir) {
  const { tsImport } = await import('tsx/esm/api');
  const { buildDataDirTemplate } = await tsImport('../store/build-data-dir-template.ts', import.meta.url);
  return buildDataDirTemplate(outdir);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleCli(path.join(root, 'dist'));
  await buildTemplate(path.join(root, 'dist'));
}
