import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { knowledgeDir } from '../paths.ts';
import { normalizeText } from './normalize.ts';

/**
 * The administrator-editable word lists behind retrieval, read from `knowledge/lexicon/`:
 * a jieba user dictionary, synonym groups (synonyms.tsv and the larger thesaurus.tsv), an
 * English→Chinese glossary and stopwords.
 */
export interface Lexicon {
  /** jieba user-dictionary lines (`词 频率 词性`), comments removed. */
  dictionary: string;
  /** Synonym groups; the first term of each is the corpus's own word. */
  synonyms: string[][];
  /** English phrase (lower-case) → Chinese terms. */
  glossary: Map<string, string[]>;
  stopwords: Set<string>;
  englishStopwords: Set<string>;
  /** Question words (中文 or English phrase) → words an answer to such a question tends to hold. */
  questionHints: Map<string, string[]>;
}

function dataLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\r?\n/u)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function tabFields(line: string): string[] {
  return line
    .split('\t')
    .map((field) => normalizeText(field))
    .filter((field) => field !== '');
}

/** Reads the lexicon from a directory (default `knowledge/lexicon`). Missing files read as empty. */
export function loadLexicon(dir = path.join(knowledgeDir, 'lexicon')): Lexicon {
  const glossary = new Map<string, string[]>();
  for (const line of dataLines(path.join(dir, 'glossary.tsv'))) {
    const [english, ...chinese] = tabFields(line);
    if (english && chinese.length > 0) glossary.set(english, [...(glossary.get(english) ?? []), ...chinese]);
  }
  // The thesaurus: each line a document's term, then students' words and English equivalents.
  // Its Chinese words join the synonym groups; its English words the glossary (glossary.tsv first).
  const thesaurus: string[][] = [];
  for (const line of dataLines(path.join(dir, 'thesaurus.tsv'))) {
    const fields = tabFields(line);
    const chinese = fields.filter((field) => /\p{Script=Han}/u.test(field));
    const english = fields.filter((field) => !/\p{Script=Han}/u.test(field));
    if (chinese.length === 0) continue;
    if (chinese.length > 1) thesaurus.push(chinese);
    for (const phrase of english) if (!glossary.has(phrase)) glossary.set(phrase, [chinese[0]!]);
  }
  const questionHints = new Map<string, string[]>();
  for (const line of dataLines(path.join(dir, 'question-hints.tsv'))) {
    const [cue, ...hints] = tabFields(line);
    if (cue && hints.length > 0) questionHints.set(cue, hints);
  }
  return {
    questionHints,
    dictionary: dataLines(path.join(dir, 'dictionary.txt')).join('\n'),
    synonyms: [
      ...dataLines(path.join(dir, 'synonyms.tsv'))
        .map(tabFields)
        .filter((group) => group.length > 1),
      ...thesaurus,
    ],
    glossary,
    stopwords: new Set(dataLines(path.join(dir, 'stopwords.txt')).map(normalizeText)),
    englishStopwords: new Set(dataLines(path.join(dir, 'english-stopwords.txt')).map(normalizeText)),
  };
}
