import { ageWordsIn, asksAQuestion, regionIn, schoolIn } from './slots.ts';

/**
 * The question a long message asks. Students often write several sentences of background — what
 * happened, how they feel, what others said — and bury the question at the end ("…就想问下 按规定
 * 高职到底要在单位实习多久"). Searched as a whole, the background drowns the question; searched
 * alone, the question loses the student's situation. The question is the part after the last
 * words that announce it (就想问下, 请问, 想知道, my question is), else the last sentence that
 * asks; the region, kind of school and age the background names are kept in front of it.
 *
 * Only the question is read this way: crisis, a request for a person and a complaint are heard
 * in the whole message before (see the conversation core).
 *
 * @example questionInMessage('我在河南一个高职读大三 我妈觉得太早了 室友说随便去两周就行 就想问下 按规定到底要在单位实习多久')
 * // '河南 高职 按规定到底要在单位实习多久'
 */
export function questionInMessage(message: string): string | null {
  const text = message.normalize('NFKC').trim();
  const inEnglish = english(text);
  if (inEnglish ? text.split(/\s+/u).length < longEnglishMessage : [...text].length < longMessage) return null;
  const found = inEnglish ? englishQuestion(text) : chineseQuestion(text);
  if (!found) return null;
  const { question, context } = found;
  // nothing was cut off: the message is its question
  if (context.trim() === '' || [...question].length >= [...text].length * 0.8) return null;
  const scene = sceneFor(question, context);
  return [...situationIn(context, [...scene, question].join(' ')), ...scene, question].join(' ');
}

/** "他们会不会泄露…", "像我这种情况…": a question that points back into the background it follows. */
const pointsIntoBackground = /他们|她们|(?<!其)他|她|它|这种情况|这种条件|这样的|像我这|我这种|(?:they|them|their|he|she|it|my situation|someone like me)/iu;

/**
 * The background a question points back into: the clause that sets the scene (its first, where a
 * student names the place or the people: "上周去拉萨那个人力资源服务机构做了个测评") and the ones
 * that say who the student is ("我是少数民族", "家里条件也不好").
 */
function sceneFor(question: string, context: string): string[] {
  if (!pointsIntoBackground.test(question)) return [];
  const clauses = context.split(english(context) ? /(?<=[.?!])\s+/u : clauseBreaks).filter(Boolean);
  const scene = clauses.filter((clause, index) => index === 0 || /^(?:我是|我家|家里|家庭|i am|i'm)/iu.test(clause));
  return scene;
}

/** Below this many characters (words, in English) a message is read as it stands. */
const longMessage = 40;
const longEnglishMessage = 30;

/** Words that announce the question after the background ("就想问下", "请问", "想知道"). */
const announcesQuestion =
  /(?:想|要)?(?:问(?:一)?下|问问|问一问|请问|问个问题|请教(?:一)?下)|想(?:知道|了解(?:一下)?|弄清楚|搞清楚|搞明白|弄明白|确认(?:一)?下)|我的问题是|问题是|所以(?:说)?/gu;

const englishAnnounces = /\b(?:my question is|i (?:want|would like|'d like) to know|i wonder(?:ed)?|i was wondering|can you tell me|could you tell me|please tell me)\b[:,]?\s*/giu;

/** Where a Chinese message divides into clauses: punctuation and the spaces students type for it. */
const clauseBreaks = /[，,。！!？?；;：:\s…～~]+/u;

function chineseQuestion(text: string): { question: string; context: string } | null {
  // the last announcement that is followed by a question
  let best: { question: string; context: string } | null = null;
  for (const match of text.matchAll(announcesQuestion)) {
    const rest = text.slice(match.index + match[0].length).replace(/^[，,。：:\s]+/u, '').trim();
    // what follows asks at once ("就想问下 按规定要实习多久"), not after more background ("让我去问下教务处 教务处又说…")
    const opening = rest.split(clauseBreaks).filter(Boolean).slice(0, 2).join(' ');
    if (hanCount(rest) >= 4 && asksAQuestion(opening)) best = { question: rest, context: text.slice(0, match.index) };
  }
  if (best) return best;
  // else the last clause that asks, with the clauses after it (…有没有这个说法) and the one before
  // it when it says too little alone ("护理算不算")
  const clauses = text.split(clauseBreaks).filter(Boolean);
  let last = -1;
  for (let i = clauses.length - 1; i >= 0 && last === -1; i -= 1) if (asksAQuestion(clauses[i]!)) last = i;
  if (last <= 0) return null;
  let first = last;
  while (first > 0 && hanCount(clauses.slice(first, last + 1).join('')) < 8) first -= 1;
  return { question: clauses.slice(first).join(' '), context: clauses.slice(0, first).join(' ') };
}

function englishQuestion(text: string): { question: string; context: string } | null {
  let best: { question: string; context: string } | null = null;
  for (const match of text.matchAll(englishAnnounces)) {
    const rest = text.slice(match.index + match[0].length).trim();
    if (rest.split(/\s+/u).length >= 4) best = { question: rest, context: text.slice(0, match.index) };
  }
  if (best) return best;
  const sentences = text.split(/(?<=[.?!])\s+/u).filter(Boolean);
  let last = -1;
  for (let i = sentences.length - 1; i >= 0 && last === -1; i -= 1) if (/\?\s*$/u.test(sentences[i]!)) last = i;
  if (last <= 0) return null;
  // a short question ("Is that allowed?") keeps the sentences before it that say what "that" is
  let first = last;
  while (first > 0 && sentences.slice(first, last + 1).join(' ').split(/\s+/u).length < 8) first -= 1;
  return { question: sentences.slice(first).join(' '), context: sentences.slice(0, first).join(' ') };
}

/** The region, kind of school and age the background names and the question does not. */
function situationIn(context: string, question: string): string[] {
  const words: string[] = [];
  const region = regionIn(context);
  if (region && !regionIn(question)) words.push(region.word);
  const school = schoolIn(context);
  if (school && !schoolIn(question)) words.push(school.word);
  const age = ageWordsIn(context);
  if (age && !ageWordsIn(question)) words.push(age);
  return words;
}

function hanCount(text: string): number {
  return [...text.replace(/[^\p{Script=Han}]/gu, '')].length;
}

function english(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length > 0 && (letters.match(/[a-z]/giu)?.length ?? 0) / letters.length > 0.8;
}
