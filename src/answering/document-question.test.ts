import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotOf } from '../knowledge/corpus.ts';
import { readUploadPaths } from '../knowledge/ingest.ts';
import { repoRoot } from '../paths.ts';
import { Replies } from '../prompts.ts';
import { CorpusLsaEmbeddings } from '../retrieval/embeddings/corpus-lsa.ts';
import { HybridSearch, InMemoryDenseSearch, indexTextOf } from '../retrieval/hybrid-search.ts';
import { loadLexicon } from '../retrieval/lexicon.ts';
import { Tokenizer } from '../retrieval/tokenizer.ts';
import { PolicyAnswerer } from './answer-question.ts';
import type { DocumentInfo } from '../knowledge/snapshot.ts';
import type { Clause } from '../knowledge/types.ts';
import { addresseesIn, clausesStating, documentQuestionOf, pointedDocumentQuestionOf } from './document-question.ts';

describe('documentQuestionOf', () => {
  it('reads who issued a document it names, and from when it applies', () => {
    expect(documentQuestionOf('这个奖学金的新规定是哪几个部门发的啊')).toBe('issuer');
    expect(documentQuestionOf('这个创业贷款的文件是谁出台的')).toBe('issuer');
    expect(documentQuestionOf('这政策啥时候开始生效的？能管几年')).toBe('effective');
    expect(documentQuestionOf('新规定从啥时候开始算 管几年')).toBe('effective');
    expect(documentQuestionOf('When does this policy take effect?')).toBe('effective');
  });

  it('reads whom a document was sent to apart from who sent it', () => {
    expect(documentQuestionOf('山东这个职业指导文件是发给谁的')).toBe('addressee');
    expect(documentQuestionOf('这个通知是下发给哪些单位的')).toBe('addressee');
    expect(documentQuestionOf('这个文件是谁发的')).toBe('issuer');
  });

  it('finds the line above a notice’s text that names whom it is sent to', () => {
    expect(addresseesIn('山东省人力资源和社会保障厅 山东省教育厅\n各市人力资源社会保障局，各普通高等学校：\n为全面贯彻党的二十大精神，提出如下意见：')).toBe('各市人力资源社会保障局，各普通高等学校');
    expect(addresseesIn('各设区市教育局、人力资源社会保障局：\n现将有关事项通知如下。')).toBe('各设区市教育局、人力资源社会保障局');
    // a sentence ending in a colon is no such line
    expect(addresseesIn('为做好毕业生就业工作，提出如下意见：')).toBeNull();
  });

  it('leaves questions about the rules alone: who does a task, when money is paid', () => {
    expect(documentQuestionOf('哪个部门负责审核奖励名单')).toBeNull();
    expect(documentQuestionOf('奖金什么时候发')).toBeNull();
    expect(documentQuestionOf('补贴什么时候开始申请')).toBeNull();
  });

  it('hears a question about a document the message points at by words of its title', () => {
    expect(pointedDocumentQuestionOf('山东这份职业指导意见是哪天发的')).toBe('issued');
    expect(pointedDocumentQuestionOf('山东那个关于职业指导队伍建设的意见是哪天发的')).toBe('issued');
    expect(pointedDocumentQuestionOf('拉萨那个规范是谁起草的')).toBe('issuer');
    expect(pointedDocumentQuestionOf('这个规定是哪个地方的')).toBe('region');
    // no document pointed at, or nothing asked about its source
    expect(pointedDocumentQuestionOf('职业指导之星是谁评的')).toBeNull();
    expect(pointedDocumentQuestionOf('这份意见里金课评几门')).toBeNull();
  });
});

const document = (fields: Partial<DocumentInfo>): DocumentInfo => ({
  id: 'doc',
  title: '某某规范',
  issuer: '某某大学（起草单位）',
  region: '拉萨市',
  date: null,
  dateNote: null,
  status: 'draft',
  audience: '高校',
  ...fields,
});

let ordinal = 0;
const clause = (locator: string, text: string, docId = 'doc'): Clause => ({
  id: `${docId}#${(ordinal += 1)}`,
  docId,
  locator,
  headingPath: [],
  text,
  context: '',
  ordinal,
  part: 1,
  parts: 1,
});

describe('clausesStating', () => {
  const clauses = [
    clause('前言', '本标准起草单位：某某大学。'),
    clause('4.1', '服务机构应在拉萨市范围内开展服务。'),
    clause('9', '本规定自发布之日起施行。'),
    clause('前言', '本标准起草单位：另一所大学。', 'other'),
  ];
  const locators = (found: Clause[]): string[] => found.map(({ docId, locator }) => `${docId} ${locator}`);

  it('finds the clause naming who issued or drafted the document, without the note in brackets', () => {
    expect(locators(clausesStating('issuer', document({}), clauses))).toEqual(['doc 前言']);
  });

  it('prefers the signature block, which holds the issuers and the date, to a rule naming an issuer', () => {
    const signed = [
      clause('序言', '山东省人力资源和社会保障厅 山东省教育厅\n各市人力资源社会保障局：', 's'),
      clause('一、', '山东省教育厅要加强指导。', 's'),
      clause('落款', '山东省人力资源和社会保障厅\n山东省教育厅\n2023年11月23日', 's'),
    ];
    const shandong = document({ id: 's', issuer: '山东省人力资源和社会保障厅、山东省教育厅', date: '2023-11-23', region: '山东省' });
    expect(locators(clausesStating('issuer', shandong, signed))).toEqual(['s 落款']);
    expect(locators(clausesStating('issued', shandong, signed))).toEqual(['s 落款']);
  });

  it('cites every clause of a cover 通知 for who issued it', () => {
    const wrapped = [clause('印发通知', '为……，省教育厅、省财政厅研究制定了《某某办法》，现印发给你们。', 'w'), clause('印发通知（二）', '请遵照执行。', 'w'), clause('落款', '省教育厅', 'w')];
    expect(locators(clausesStating('issuer', document({ id: 'w', issuer: '省教育厅、省财政厅' }), wrapped))).toEqual(['w 印发通知', 'w 印发通知（二）']);
  });

  it('reads from when it applies in the closing article, falls back to it for when it was issued, and finds a clause naming the region', () => {
    expect(locators(clausesStating('effective', document({}), clauses))).toEqual(['doc 9']);
    expect(locators(clausesStating('issued', document({}), clauses))).toEqual(['doc 9']);
    expect(locators(clausesStating('region', document({}), clauses))).toEqual(['doc 4.1']);
    expect(clausesStating('region', document({ region: '全国' }), clauses)).toEqual([]);
  });
});

describe('a question about the only document an administrator added', () => {
  const replies = new Replies();
  let answerer: PolicyAnswerer;
  beforeAll(async () => {
    // an upload as an administrator makes it: a cover 通知 wrapping the 办法, a signature block
    const uploads = await readUploadPaths([path.join(repoRoot, 'eval', 'new-document-blind-2', 'document.txt')]);
    const snapshot = snapshotOf(
      uploads.map((upload) => upload.document),
      0,
    );
    const lexicon = loadLexicon();
    const tokenizer = new Tokenizer(lexicon);
    const texts = snapshot.clauses.map((clause) => indexTextOf(clause, snapshot.documents.get(clause.docId)));
    const embeddings = new CorpusLsaEmbeddings({ tokenizer }).fit(texts);
    const vectors = snapshot.clauses.map((clause, index) => ({ id: clause.id, vector: embeddings.embed(texts[index]!) }));
    answerer = new PolicyAnswerer(new HybridSearch(snapshot, lexicon, tokenizer, new InMemoryDenseSearch((text) => embeddings.embedQuery(text), vectors)), replies);
  });

  it('names its issuers first and cites the 通知 that says who drew it up', async () => {
    const result = await answerer.answer('这个技能比赛奖励的文件是哪几个部门发的？');
    expect(result.outcome).toBe('answer');
    const lead = result.answer.slice(0, result.answer.indexOf(replies.render('zh', 'answer_quote_heading')));
    for (const issuer of ['福建省教育厅', '福建省财政厅', '福建省人力资源和社会保障厅']) expect(lead).toContain(issuer);
    expect(result.citations.some((citation) => citation.text.includes('研究制定了《福建省职业院校学生技能竞赛奖励办法》'))).toBe(true);
  });

  it('leads with the article that says from when it applies and for how long, though the question names no topic', async () => {
    const result = await answerer.answer('新规定从啥时候开始算 管几年');
    expect(result.outcome).toBe('answer');
    const lead = result.answer.slice(0, result.answer.indexOf(replies.render('zh', 'answer_quote_heading')));
    expect(lead).toContain('2026年5月1日起施行');
    expect(lead).toContain('有效期5年');
  });
});
