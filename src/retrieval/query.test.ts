import { describe, expect, it } from 'vitest';
import { loadLexicon } from './lexicon.ts';
import { analyzeQuery, headsOf, piecesOfTypedWords, synonymExpansions, translateEnglish, wordForms, withTheirPieces } from './query.ts';
import { Tokenizer } from './tokenizer.ts';

const lexicon = loadLexicon();
const tokenizer = new Tokenizer(lexicon);

describe('analyzeQuery on a Chinese question', () => {
  const query = analyzeQuery('中职学校能收保证金吗？', lexicon, tokenizer);

  it('searches with the question itself, normalised', () => {
    expect(query.english).toBe(false);
    expect(query.text).toBe('中职学校能收保证金吗?');
    expect(query.searchText).toBe(query.text);
  });

  it('expands a student’s word to the documents’ word only, never to other student words', () => {
    expect(query.terms.has('抵押金')).toBe(false);
    const documentsWord = analyzeQuery('押金交多少', lexicon, tokenizer);
    expect(documentsWord.terms.has('保证金')).toBe(false);
    expect(documentsWord.terms.get('押金')).toBe(1);
  });

  it('weighs the student’s own words 1 and the synonyms it adds less', () => {
    expect(query.terms.get('保证金')).toBe(1);
    expect(query.terms.get('中职')).toBe(1);
    for (const expansion of ['中等职业学校', '押金']) {
      expect(query.terms.get(expansion), expansion).toBeGreaterThan(0);
      expect(query.terms.get(expansion), expansion).toBeLessThan(1);
    }
    for (const [term, weight] of query.terms) if (!query.ownTerms.includes(term)) expect(weight, term).toBeLessThan(1);
  });

  it('groups own words with the synonyms that stand in for them, as one concept each', () => {
    const conceptOf = (term: string) => query.concepts.find((concept) => concept.terms.includes(term));
    expect(conceptOf('中职')!.phrases).toEqual(expect.arrayContaining(['中职学校', '中等职业学校']));
    expect(conceptOf('保证金')!.phrases).toEqual(expect.arrayContaining(['保证金', '押金']));
    expect(query.repairs).toEqual([]);
  });

  it('keeps a general word general: 押金 and 工资 are not read as the internship’s 实习押金 and 实习报酬', () => {
    const general = analyzeQuery('宿舍押金和工资', lexicon, tokenizer);
    expect(general.terms.has('实习押金')).toBe(false);
    expect(general.terms.has('实习报酬')).toBe(false);
  });

  it('notes when the question asks for a time or a number', () => {
    expect(query.answerType).toBeNull();
    expect(analyzeQuery('投诉多久有结果', lexicon, tokenizer).answerType).toBe('duration');
    expect(analyzeQuery('中职学校要配几名职业指导老师', lexicon, tokenizer).answerType).toBe('quantity');
  });
});

describe('analyzeQuery on a Chinese question with English words in it', () => {
  it('reads the English words through the glossary, weighed as a synonym', () => {
    const query = analyzeQuery('就业指导课是必修还是elective啊', lexicon, tokenizer);
    expect(query.english).toBe(false);
    expect(query.terms.get('选修')).toBeGreaterThan(0);
    expect(query.terms.get('选修')).toBeLessThan(1);
    expect(query.concepts.find((concept) => concept.terms.includes('elective'))!.phrases).toEqual(['elective']);
  });

  it('leaves English stopwords and unknown words as they are', () => {
    const query = analyzeQuery('the 实习 zzzq', lexicon, tokenizer);
    expect([...query.terms.keys()].filter((term) => /\p{Script=Han}/u.test(term))).toEqual(['实习']);
  });
});

describe('analyzeQuery on an English question', () => {
  const query = analyzeQuery('Can the school charge an internship deposit?', lexicon, tokenizer);

  it('is recognised as English and searched in Chinese through the glossary', () => {
    expect(query.english).toBe(true);
    expect(query.searchText.split(' ')).toEqual(expect.arrayContaining(['学校', '收取', '实习押金']));
    expect(query.searchText).not.toMatch(/can|the|deposit/u);
  });

  it('counts the glossary’s rendering as the student’s own words', () => {
    expect(query.terms.get('实习押金')).toBe(1);
    expect(query.terms.get('押金')).toBe(1);
    expect(query.terms.has('保证金')).toBe(false);
  });
});

describe('translateEnglish', () => {
  it('prefers the longest glossary phrase', () => {
    expect(translateEnglish('internship fee', lexicon).split(' ')).toEqual(['实习费用']);
    expect(translateEnglish('id card', lexicon)).toBe('居民身份证');
  });

  it('drops English stopwords and keeps words the glossary does not know', () => {
    expect(translateEnglish('What is the blockchain policy', lexicon).split(' ')).toContain('blockchain');
    expect(translateEnglish('What is the', lexicon)).toBe('');
  });

  it('finds a word through its base form: guiding → guide, schools → school', () => {
    const small = { glossary: new Map([['guide', ['指导']], ['school', ['学校']], ['carry', ['开展']]]), englishStopwords: new Set<string>() };
    expect(translateEnglish('guiding schools', small)).toBe('指导 学校');
    expect(translateEnglish('carried', small)).toBe('开展');
    expect(lexicon.glossary.has('schools')).toBe(false);
    expect(translateEnglish('schools', lexicon)).toBe('学校');
  });

  it('keeps Chinese words written inside an English question', () => {
    expect(translateEnglish('What is 顶岗实习?', lexicon).split(' ')).toContain('顶岗实习');
  });
});

describe('wordForms', () => {
  it.each([
    ['guiding', 'guide'],
    ['schools', 'school'],
    ['carried', 'carry'],
    ['policies', 'policy'],
    ['stopping', 'stop'],
    ['internship fees', 'internship fee'],
  ])('offers %s → %s', (word, base) => {
    expect(wordForms(word)).toContain(base);
  });

  it('offers nothing for a word with no ending to strip, and never the word itself', () => {
    expect(wordForms('guide')).toEqual([]);
    expect(wordForms('class')).not.toContain('class');
  });
});

describe('synonymExpansions', () => {
  it('adds the group of a synonym the text uses, without the word itself', () => {
    const expansions = synonymExpansions('中职学校', lexicon);
    expect(expansions).toContain('中等职业学校');
    expect(expansions).not.toContain('中职学校');
  });

  it('matches Latin synonyms as whole words only', () => {
    expect(synonymExpansions('能去ktv吗', lexicon)).toContain('营业性娱乐场所');
    expect(synonymExpansions('能去ktvx吗', lexicon)).not.toContain('营业性娱乐场所');
  });
});

describe('concepts of a question', () => {
  it('takes a word and the pieces search mode cuts from it as one concept when counting a share of the question', () => {
    const concept = (word: string): { terms: string[]; phrases: string[] } => ({ terms: [word], phrases: [word] });
    expect(withTheirPieces([concept('补贴'), concept('批下'), concept('下来'), concept('批下来')])).toEqual([
      concept('补贴'),
      { terms: ['批下来', '批下', '下来'], phrases: ['批下来'] },
    ]);
    const query = analyzeQuery('是一对一面谈吗', lexicon, tokenizer);
    expect(query.concepts.length).toBeGreaterThan(withTheirPieces(query.concepts).length);
  });

  it('reads a graduate’s 三方协议 as the 就业协议书, not as an internship agreement', () => {
    const query = analyzeQuery('毕业前签三方协议要注意什么', lexicon, tokenizer);
    expect(query.terms.get('就业协议书')).toBeGreaterThan(0);
    expect(query.terms.has('实习协议')).toBe(false);
  });

  it('reaches the documents’ terms from students’ everyday words (欺负人 → 欺凌, 国标 → 国家标准, AI → 人工智能, 记过 → 纪律处分)', () => {
    expect(analyzeQuery('学校里有人老欺负人', lexicon, tokenizer).terms.has('欺凌')).toBe(true);
    expect(analyzeQuery('测评工具要符合啥国标', lexicon, tokenizer).terms.has('国家标准')).toBe(true);
    expect(analyzeQuery('想学AI相关的专业', lexicon, tokenizer).terms.has('人工智能')).toBe(true);
    expect(analyzeQuery('被记过了还能评奖吗', lexicon, tokenizer).terms.has('纪律处分')).toBe(true);
  });

  it('reaches the formal terms of loan, subsidy and scholarship rules from students’ words', () => {
    // the formal term is searched for (as its words, when it is several), or known as the student's word's kin
    const reaches = (question: string, term: string): boolean => {
      const query = analyzeQuery(question, lexicon, tokenizer);
      return tokenizer.words(term).every((word) => query.terms.has(word)) || query.concepts.some((concept) => concept.kin?.includes(term));
    };
    expect(reaches('钱还不上能不能往后推', '展期')).toBe(true);
    expect(reaches('贷款还清了还能再贷一次吗', '结清')).toBe(true);
    expect(reaches('贷款还清了还能再贷一次吗', '再次申请')).toBe(true);
    expect(reaches('注册了个小公司能贷多少', '小型微型企业')).toBe(true);
    expect(reaches('材料交了多久放款', '放贷')).toBe(true);
    expect(reaches('要拿房子抵押吗', '抵押')).toBe(true);
    expect(reaches('体测没过能评奖吗', '体质健康测试')).toBe(true);
    expect(reaches('奖学金打到哪张卡', '发放')).toBe(true);
  });

  it('reads an unknown hyphenated English word as its parts (job-fair hall → 招聘会议厅), a known one whole (part-time → 兼职)', () => {
    expect(translateEnglish('how much job-fair hall space is needed', lexicon)).toContain('招聘会议厅');
    expect(translateEnglish('Is a part-time teacher allowed?', lexicon)).toContain('兼职');
  });

  it('knows the other words of a student’s thesaurus group (申请 → 申领) without searching for them', () => {
    const query = analyzeQuery('补贴怎么申请', lexicon, tokenizer);
    const applying = query.concepts.find((concept) => concept.terms.includes('申请'));
    expect(applying?.kin).toContain('申领');
    expect(query.terms.has('申领')).toBe(false);
  });
});

describe('pieces and heads of typed words', () => {
  it('keeps, for each piece search mode cut from a typed word, the word it was cut from', () => {
    const query = analyzeQuery('服务机构的工作人员有啥条件', lexicon, tokenizer);
    expect(query.pieces.get('人员')).toBe('工作人员');
    expect(query.pieces.get('机构')).toBe('服务机构');
    expect(query.pieces.has('条件')).toBe(false);
  });

  it('takes a piece the student also typed on its own as a word, not a piece', () => {
    expect(piecesOfTypedWords([{ word: '职业学校', pieces: ['职业', '学校'] }, { word: '学校', pieces: [] }])).toEqual(new Map([['职业', '职业学校']]));
  });

  it('names the head of a long compound: the longest piece that ends it', () => {
    const { heads } = analyzeQuery('领了补贴要交个人所得税吗 工作人员管不管', lexicon, tokenizer);
    expect(heads.get('个人所得税')).toBe('所得税');
    expect(heads.get('工作人员')).toBe('人员');
    // a three-character word is too short to tell its head from a stray piece (毕业生 → 业生)
    expect(analyzeQuery('毕业生要交什么', lexicon, tokenizer).heads.size).toBe(0);
    // a phrase that ends in no noun has no head (休学在家: 在家)
    expect(analyzeQuery('我现在休学在家能参加评选吗', lexicon, tokenizer).heads.size).toBe(0);
    expect(headsOf(new Map([['休学', '休学在家'], ['在家', '休学在家']]), (word) => word !== '在家').size).toBe(0);
    // an English question's Chinese words are renderings, not words the student chose
    expect(analyzeQuery('Do career service staff need experience?', lexicon, tokenizer).heads.size).toBe(0);
  });
});
