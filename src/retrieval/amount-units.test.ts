import { describe, expect, it } from 'vitest';
import { outsideAmounts, wordsOutsideAmounts } from './amount-units.ts';
import { loadLexicon } from './lexicon.ts';
import { Tokenizer } from './tokenizer.ts';

const tokenizer = new Tokenizer(loadLexicon());

describe('amounts of units that hold a word of their own', () => {
  it('blanks out "20个工作日", so a question’s 工作 is not found in it', () => {
    expect(outsideAmounts('应当在20个工作日内完成审核')).not.toContain('工作');
    expect(outsideAmounts('做好毕业生就业工作，5个工作日内办结')).toContain('就业工作');
  });

  it('indexes the unit of an amount as the unit only: 工作日 stays a word, 工作 does not come from it', () => {
    expect(tokenizer.words('审核完成后20个工作日内发放')).toContain('工作');
    const words = wordsOutsideAmounts('审核完成后20个工作日内发放', tokenizer);
    expect(words).toContain('工作日');
    expect(words).not.toContain('工作');
    // work named outside the amount is still work
    expect(wordsOutsideAmounts('就业工作在20个工作日内完成', tokenizer).filter((word) => word === '工作')).toHaveLength(1);
  });
});
