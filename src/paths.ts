import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, resolved from this file so that `npx zhiyin` works from any directory. */
export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Where the policy documents, lexicon and career data live (`knowledge/`). */
export const knowledgeDir = path.join(repoRoot, 'knowledge');

/** Student-facing text templates (`prompts/`). */
export const promptsDir = path.join(repoRoot, 'prompts');
