import { describe, expect, it } from 'vitest';
import type { DocumentInfo } from '../knowledge/snapshot.ts';
import type { Clause } from '../knowledge/types.ts';
import { statingClause } from './document-facts.ts';

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

describe('statingClause', () => {
  const clauses = [
    clause('前言', '本标准起草单位：某某大学。'),
    clause('4.1', '服务机构应在拉萨市范围内开展服务。'),
    clause('9', '本规定自发布之日起施行。'),
    clause('前言', '本标准起草单位：另一所大学。', 'other'),
  ];

  it('finds the clause naming who issued or drafted the document, without the note in brackets', () => {
    expect(statingClause('who', document({}), clauses)?.locator).toBe('前言');
    expect(statingClause('who', document({}), clauses)?.docId).toBe('doc');
  });

  it('prefers the signature block, which holds the issuers and the date', () => {
    const signed = [clause('一、', '山东省教育厅要加强指导。', 's'), clause('落款', '山东省人力资源和社会保障厅\n山东省教育厅\n2023年11月23日', 's')];
    const shandong = document({ id: 's', issuer: '山东省人力资源和社会保障厅、山东省教育厅', date: '2023-11-23', region: '山东省' });
    expect(statingClause('who', shandong, signed)?.locator).toBe('落款');
    expect(statingClause('when', shandong, signed)?.locator).toBe('落款');
  });

  it('falls back to the clause saying when it takes effect, and finds a clause naming the region', () => {
    expect(statingClause('when', document({}), clauses)?.locator).toBe('9');
    expect(statingClause('where', document({}), clauses)?.locator).toBe('4.1');
    expect(statingClause('where', document({ region: '全国' }), clauses)).toBeNull();
    expect(statingClause('document', document({}), clauses)).toBeNull();
  });
});
