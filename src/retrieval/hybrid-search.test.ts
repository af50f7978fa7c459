import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotOf } from '../knowledge/corpus.ts';
import { realCorpus, type RealCorpus } from '../testing/corpus-fixture.ts';
import { HybridSearch, InMemoryDenseSearch, indexTextOf, lexicalIndexKey, lexicalPostingsOf, schoolTypesIn, type RankedClause } from './hybrid-search.ts';
import { Postings } from './postings.ts';
import { loadLexicon } from './lexicon.ts';
import { Tokenizer } from './tokenizer.ts';

const located = (results: RankedClause[]): string[] => results.map(({ clause }) => `${clause.docId} ${clause.locator}`);

describe('HybridSearch on the real knowledge base', () => {
  let corpus: RealCorpus;
  const holdsIdCardRule = ({ clause }: RankedClause): boolean =>
    clause.docId === 'liaoning-zhongzhi-quality' && clause.locator === '二、11.' && clause.text.includes('扣押');

  beforeAll(async () => {
    corpus = await realCorpus();
  });

  it('finds the Liaoning rule against keeping ID cards for 实习单位能扣我身份证吗', async () => {
    const { results } = await corpus.search.search('实习单位能扣我身份证吗', 5);
    expect(results.slice(0, 3).some(holdsIdCardRule), located(results).join('\n')).toBe(true);
  });

  it('finds the same clause for the English question about an internship deposit', async () => {
    const { query, results } = await corpus.search.search('Can the school charge an internship deposit?', 5);
    expect(query.english).toBe(true);
    const top = results.slice(0, 3);
    expect(top.some(holdsIdCardRule), located(results).join('\n')).toBe(true);
    expect(top.find(holdsIdCardRule)!.clause.text).toContain('不得向学生收取实习押金');
  });

  it('puts first the part of a split clause whose own words hold the question (the parts share their variants)', async () => {
    const question = '学校的就业信息网站都有哪些功能';
    const holdsFunctions = (ranked: RankedClause | undefined): boolean => !!ranked && ranked.clause.locator === '三、（二）2.' && ranked.clause.text.includes('等功能');
    expect(holdsFunctions((await corpus.search.search(question, 1)).results[0])).toBe(true);
    // without the tie-break, a sibling part that only names the website comes first
    const unbroken = new HybridSearch(corpus.snapshot, corpus.lexicon, corpus.tokenizer, corpus.search.dense, { partWeight: 0 });
    const { results } = await unbroken.search(question, 3);
    expect(results[0]!.clause.locator, located(results).join('\n')).toBe('三、（二）2.');
    expect(holdsFunctions(results[0])).toBe(false);
  });

  it('answers a list question from the part that opens the list (its lead-in), not a later part holding as much', async () => {
    const { results } = await corpus.search.search('拉萨就业指导服务包括哪些内容', 10);
    const parts = results.filter(({ clause }) => clause.docId === 'lasa-draft-graduate-guidance-standard' && clause.text.match(/^（\d）|应包括且不限于/u));
    expect(parts[0]?.clause.text, located(results).join('\n')).toContain('应包括且不限于以下内容');
  });

  it('reads a Chinese term spelled in pinyin in an English question: a "dinggang" internship is 顶岗实习', async () => {
    const { query, results } = await corpus.search.search('Can my school send a 15 year old on a dinggang internship?', 5);
    expect(query.repairs).toContain('顶岗');
    const plain = await corpus.search.search('Can my school send a 15 year old on a internship?', 5);
    expect(plain.query.repairs).toEqual([]);
    expect(results.slice(0, 3).some(({ clause }) => clause.text.includes('顶岗实习')), located(results).join('\n')).toBe(true);
  });

  it('finds it by words alone, without a dense search', async () => {
    const lexicalOnly = new HybridSearch(corpus.snapshot, corpus.lexicon, corpus.tokenizer, null);
    const { results } = await lexicalOnly.search('实习单位能扣我身份证吗', 5);
    expect(results.slice(0, 3).some(holdsIdCardRule)).toBe(true);
    expect(results.every((result) => result.denseRank === null)).toBe(true);
  });

  it('repairs a pinyin typo and finds the clause the student meant: 学业辅倒 → 第五条 开展学业辅导', async () => {
    const { query, results } = await corpus.search.search('学业辅倒', 5);
    expect(query.repairs).toContain('辅导');
    expect(located(results)[0]).toBe('moe-2018-zhongzhi-guidance 第五条');
  });

  it('takes no question word, particle or everyday word for a typo: 几级 is not 积极, 里的 not 立德, 一直 not 一支', () => {
    expect(corpus.search.analyze('山东高校的职业指导体系分几级').repairs).not.toContain('积极');
    expect(corpus.search.analyze('大学里的就业指导课是必修吗').repairs).not.toContain('立德');
    expect(corpus.search.analyze('老师会不会一直念ppt').repairs).not.toContain('一支');
    // a word of the language that sounds like a term of the lexicon is still repaired with a neighbour (职业知道 → 职业指导)
    expect(corpus.search.analyze('职业知道老师平时负责哪些工作').repairs).toContain('职业指导');
  });

  it('repairs 投述 to 投诉 and finds the complaint deadline 8.5', async () => {
    const { query, results } = await corpus.search.search('投述多久有结果', 5);
    expect(query.repairs).toContain('投诉');
    expect(located(results.slice(0, 3))).toContain('lasa-draft-graduate-guidance-standard 8.5');
  });

  it('reads the regions a question names, Tibet as the corpus’s Lhasa', () => {
    expect([...corpus.search.regionsIn('山东高校要配几名老师')]).toEqual(['山东省']);
    expect([...corpus.search.regionsIn('西藏 高校 见习')]).toEqual(['拉萨市']);
    expect([...corpus.search.regionsIn('高校要配几名老师')]).toEqual([]);
  });

  it('reads the kinds of school a question or an audience names', () => {
    expect([...schoolTypesIn('中职学校要不要公布毕业生的就业情况')]).toEqual(['中职']);
    expect([...schoolTypesIn('普通高等学校毕业生')]).toEqual(['高校']);
    expect([...schoolTypesIn('高校及中职毕业生就业指导服务机构')].sort()).toEqual(['中职', '高校'].sort());
    expect([...schoolTypesIn('职业指导教师的职责')]).toEqual([]);
  });

  it('prefers the national 中职 rule over the Henan 高校 one when the question names 中职', async () => {
    const { results } = await corpus.search.search('中职学校要不要公布毕业生的就业情况', 5);
    expect(located(results)[0]).toBe('moe-2018-zhongzhi-guidance 第二十一条');
  });

  it('reads "the result of my complaint" as the complaint outcome, not a test result: 8.5 first', async () => {
    const { results } = await corpus.search.search('How long does the service agency have to tell me the result of my complaint?', 5);
    expect(located(results)[0]).toBe('lasa-draft-graduate-guidance-standard 8.5');
  });

  it('does not take a piece of a word the student typed whole for the word: 校园 is half of 校园霸凌', () => {
    const query = corpus.search.analyze('校园霸凌怎么处理');
    const piece = corpus.search.textCoverage(query, '加强校园文化建设，及时处理。');
    const whole = corpus.search.textCoverage(query, '对校园欺凌事件及时处理。');
    expect(piece).toBeLessThan(whole);
  });

  it('returns at most k clauses, each with its document and a coverage between 0 and 1', async () => {
    const { results } = await corpus.search.search('职业指导教师的职责', 4);
    expect(results).toHaveLength(4);
    for (const result of results) {
      expect(result.document.id).toBe(result.clause.docId);
      expect(result.coverage).toBeGreaterThanOrEqual(0);
      expect(result.coverage).toBeLessThanOrEqual(1);
    }
  });

  it('finds nothing for a message without searchable words', async () => {
    const { results } = await corpus.search.search('？？？', 5);
    expect(results).toEqual([]);
  });
});

describe('HybridSearch fusion', () => {
  const lexicon = loadLexicon();
  const tokenizer = new Tokenizer(lexicon);
  const snapshot = snapshotOf([
    {
      id: 'doc',
      title: '测试文件',
      issuer: '教育部',
      region: '全国',
      date: null,
      dateNote: null,
      status: 'in-force',
      audience: '中等职业学校',
      body: [
        '第一条 押金押金押金。',
        '第二条 押金，说明说明说明。',
        '第三条 押金，说明说明说明说明说明说明说明。',
        '第四条 其他内容。',
      ].join('\n\n'),
    },
  ]);
  // The dense side: the question points along the first axis; 第三条 lies on it, 第四条 near it,
  // 第二条 at 45°, 第一条 at right angles (no similarity, so not a dense hit). `ghost`, last, is no clause.
  const dense = new InMemoryDenseSearch(async () => [1, 0, 0], [
    { id: 'doc#0', vector: [0, 1, 0] },
    { id: 'doc#1', vector: [1, 1, 0] },
    { id: 'doc#2', vector: [1, 0, 0] },
    { id: 'doc#3', vector: [0.9, 0.1, 0] },
    { id: 'ghost', vector: [0.5, 0, 1] },
  ]);
  const options = { rrfK: 1, lexicalWeight: 1, denseWeight: 0.8, bigramWeight: 0 };

  it('keeps each retriever’s rank, and drops hits that are not clauses of the snapshot', async () => {
    const { results } = await new HybridSearch(snapshot, lexicon, tokenizer, dense, options).search('押金', 10);
    const ranks = Object.fromEntries(results.map((result) => [result.clause.locator, [result.lexicalRank, result.denseRank]]));
    expect(ranks).toEqual({
      第一条: [1, null],
      第二条: [2, 3],
      第三条: [3, 1],
      第四条: [null, 2],
    });
  });

  it('scores each clause by reciprocal rank, weighted per retriever', async () => {
    const plainFusion = new HybridSearch(snapshot, lexicon, tokenizer, dense, { ...options, rerank: false });
    const { results } = await plainFusion.search('押金', 10);
    const score = Object.fromEntries(results.map((result) => [result.clause.locator, result.score]));
    expect(score.第一条).toBeCloseTo(1 / 2, 10);
    expect(score.第二条).toBeCloseTo(1 / 3 + 0.8 / 4, 10);
    expect(score.第三条).toBeCloseTo(1 / 4 + 0.8 / 2, 10);
    expect(score.第四条).toBeCloseTo(0.8 / 3, 10);
  });

  it('ranks a clause both retrievers agree on above the best of either one alone', async () => {
    const { results } = await new HybridSearch(snapshot, lexicon, tokenizer, dense, options).search('押金', 10);
    expect(results.map((result) => result.clause.locator)).toEqual(['第三条', '第二条', '第一条', '第四条']);
  });

  it('indexes a clause with its document title, headings and region, but not its own number', () => {
    const [clause] = snapshot.clauses;
    expect(indexTextOf(clause!, snapshot.documents.get('doc'))).toBe('测试文件  押金押金押金。 全国');
  });
});

describe('HybridSearch over stored lexical indexes', () => {
  let corpus: RealCorpus;

  beforeAll(async () => {
    corpus = await realCorpus();
  });

  it('ranks from postings read back from their bytes exactly as from the clauses', async () => {
    const built = new HybridSearch(corpus.snapshot, corpus.lexicon, corpus.tokenizer, null);
    const { words, bigrams } = built.lexicalPostings;
    const stored = { words: Postings.fromBytes(words.toBytes()), bigrams: Postings.fromBytes(bigrams.toBytes()) };
    const loaded = new HybridSearch(corpus.snapshot, corpus.lexicon, corpus.tokenizer, null, {}, stored);
    for (const question of ['实习单位能扣我身份证吗', '学业辅倒', '中职学校要配几名职业指导老师？', 'Can the school charge an internship deposit?', '顶岗实习每天工作多长时间']) {
      const [expected, found] = await Promise.all([built.search(question, 10), loaded.search(question, 10)]);
      expect(found.results.map(({ clause, score, lexicalScore }) => [clause.id, score, lexicalScore])).toEqual(expected.results.map(({ clause, score, lexicalScore }) => [clause.id, score, lexicalScore]));
    }
  });

  it('keys an index by what it is built from: the same snapshot gives the same key, a changed clause or dictionary another', () => {
    const { snapshot, lexicon, tokenizer } = corpus;
    const key = lexicalIndexKey(snapshot, lexicon, tokenizer);
    expect(lexicalIndexKey({ ...snapshot, clauses: [...snapshot.clauses] }, lexicon, tokenizer)).toBe(key);
    const [first, ...rest] = snapshot.clauses;
    expect(lexicalIndexKey({ ...snapshot, clauses: [{ ...first!, text: `${first!.text}。` }, ...rest] }, lexicon, tokenizer)).not.toBe(key);
    expect(lexicalIndexKey({ ...snapshot, clauses: [...rest, first!] }, lexicon, tokenizer)).not.toBe(key);
    expect(lexicalIndexKey(snapshot, { ...lexicon, dictionary: `${lexicon.dictionary}\n顶岗实习生 10 n` }, tokenizer)).not.toBe(key);
  });

  it('refuses postings of another number of clauses', () => {
    const { words, bigrams } = lexicalPostingsOf({ ...corpus.snapshot, clauses: corpus.snapshot.clauses.slice(1) }, corpus.tokenizer);
    expect(() => new HybridSearch(corpus.snapshot, corpus.lexicon, corpus.tokenizer, null, {}, { words, bigrams })).toThrow(/another number/u);
  });
});

/** A knowledge base of one document of these clauses (every clause is indexed with the title, so its words are in every clause). */
const searchOverOneDocument = (title: string, body: string[]): HybridSearch => {
  const lexicon = loadLexicon();
  const snapshot = snapshotOf([
    { id: 'subsidy', title, issuer: '某省人力资源和社会保障厅', region: '全国', date: null, dateNote: null, status: 'in-force', audience: '', body: body.join('\n\n') },
  ]);
  return new HybridSearch(snapshot, lexicon, new Tokenizer(lexicon), null);
};

describe('HybridSearch coverage on a document alone in the knowledge base', () => {
  // every clause is indexed with the title, so its words (毕业生, 补贴) are in every clause
  const search = searchOverOneDocument('某省毕业生求职创业补贴办法', ['第一条 求职创业补贴标准为每人2000元，一次性发放。', '第二条 审核通过的，应当在20个工作日内发放到位。', '第三条 毕业生可以在线申领补贴。']);
  const coverageOf = async (question: string, locator: string): Promise<number> =>
    (await search.search(question, 10)).results.find(({ clause }) => clause.locator === locator)?.coverage ?? 0;

  it('counts the words every clause shares, so one unknown word does not sink the question', async () => {
    expect(await coverageOf('毕业以后开个小店有补贴吗', '第一条')).toBeGreaterThan(0.4);
  });

  it('does not find 工作 in "20个工作日", and answers 多少钱 from the clause with an amount', async () => {
    const { results } = await search.search('找工作的补贴能拿多少钱', 3);
    expect(results[0]!.clause.locator).toBe('第一条');
    const work = (await search.search('工作', 10)).results.find(({ clause }) => clause.locator === '第二条');
    expect(work?.lexicalRank ?? null).toBeNull();
    expect(work?.coverage ?? 0).toBe(0);
  });

  it('takes another word of the student’s thesaurus group as the student’s word: 申领 holds 申请', async () => {
    expect(await coverageOf('补贴怎么申请', '第三条')).toBe(1);
  });
});

describe('HybridSearch coverage of a compound the student typed', () => {
  const search = searchOverOneDocument('某省毕业生求职补贴办法', ['第一条 求职补贴标准为每人2000元，一次性发放到个人银行账户。', '第二条 审核通过的，应当在20个工作日内发放到位。']);

  it('does not take 个人所得税 as held by a clause that says only 个人, nor as known to a knowledge base that never says 所得税', async () => {
    const { query, results } = await search.search('补贴要交个人所得税吗', 10);
    const first = results.find(({ clause }) => clause.locator === '第一条')!;
    // the clause holds 补贴 and 个人, not the tax: the tax is what it lacks
    expect(search.missingWeight(query, first)).toBeGreaterThan(0);
    expect(first.coverage).toBeLessThan(0.9);
    const tax = search.unknownShare(query);
    expect(tax).toBeGreaterThan(0.3);
    // 个人 alone is a word the knowledge base knows
    expect(search.unknownShare(search.analyze('个人补贴'))).toBe(0);
  });
});
