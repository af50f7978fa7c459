import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The repository root, resolved from this file so that `npx zhiyin` works from any directory.
 * It holds both from `src/paths.ts` and from the prebuilt `dist/zhiyin.mjs` (one level deep too);
 * other modules find their files through it, never through their own `import.meta.url`.
 */
export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Where the policy documents, lexicon and career data live (`knowledge/`). */
export const knowledgeDir = path.join(repoRoot, 'knowledge');

/** Student-facing text templates (`prompts/`). */
export const promptsDir = path.join(repoRoot, 'prompts');
