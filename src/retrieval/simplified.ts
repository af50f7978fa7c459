import * as OpenCC from 'opencc-js/t2cn';

let convert: ((text: string) => string) | undefined;

/**
 * Traditional characters folded to simplified (OpenCC's t → cn, through opencc-js): the documents
 * are in simplified Chinese, and a student from Hong Kong or Taiwan — or on a traditional input
 * method — asks 實習單位能扣我身份證嗎. Text without traditional characters comes back unchanged.
 *
 * @example toSimplified('實習單位能扣我身份證嗎') // '实习单位能扣我身份证吗'
 */
export function toSimplified(text: string): string {
  if (!/\p{Script=Han}/u.test(text)) return text;
  const fold = (convert ??= OpenCC.Converter({ from: 't', to: 'cn' }));
  return fold(text);
}
