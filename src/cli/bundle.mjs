// Builds the prebuilt `zhiyin` (dist/zhiyin.mjs, used by src/cli/zhiyin.js while it is fresh) and
// the upload parser's worker (dist/upload-worker.mjs): `npm run prepare` runs this file.
// The CLI is split at its dynamic imports (esbuild --splitting), so that a command loads only
// what it imports: `zhiyin --help` and `zhiyin users …` never load the retrieval stack. The
// chunks sit next to zhiyin.mjs, one level below the repository root, where src/paths.ts expects
// its code to be.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' };

/**
 * Writes `<outdir>/zhiyin.mjs` (with its `chunk-*.mjs`) and `<outdir>/upload-worker.mjs`.
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
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleCli(path.join(root, 'dist'));
}
