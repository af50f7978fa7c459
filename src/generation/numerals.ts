/** Chinese numeral characters, digits and units, as they appear in 五个工作日, 二〇一八年, 百分之零点五. */
export const chineseNumeralChars = '零〇一二两三四五六七八九十百千万亿点';

const digits: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const smallUnits: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const bigUnits: Record<string, number> = { 万: 1e4, 亿: 1e8 };

/**
 * The value of a Chinese numeral: 十五 → 15, 二十 → 20, 一百零五 → 105, 三万 → 30000,
 * 二〇一八 → 2018 (digit by digit), 零点五 → 0.5. Null when the text is not a numeral.
 *
 * @example chineseNumeralValue('二十') // 20
 */
export function chineseNumeralValue(text: string): number | null {
  if (text === '' || [...text].some((char) => !chineseNumeralChars.includes(char))) return null;
  const [whole = '', fraction] = text.split('点');
  if (text.split('点').length > 2) return null;
  let value: number | null;
  if (whole === '') value = fraction === undefined ? null : 0;
  else if ([...whole].every((char) => char in digits)) {
    // 二〇一八: read digit by digit; a lone digit is itself.
    value = Number([...whole].map((char) => digits[char]).join(''));
  } else {
    value = unitValue(whole);
  }
  if (value === null) return null;
  if (fraction !== undefined) {
    if (fraction === '' || [...fraction].some((char) => !(char in digits))) return null;
    value = Number(`${value}.${[...fraction].map((char) => digits[char]).join('')}`);
  }
  return value;
}

/** 一百零五, 三万二千: digits scaled by 十/百/千 within sections scaled by 万/亿. */
function unitValue(text: string): number | null {
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const char of text) {
    if (char in digits) {
      if (digit !== null && digits[char] !== 0 && digit !== 0) return null; // 二三 is not a number here
      digit = digits[char]!;
    } else if (char in smallUnits) {
      section += (digit ?? 1) * smallUnits[char]!;
      digit = null;
    } else if (char in bigUnits) {
      total = (total + section + (digit ?? 0)) * bigUnits[char]!;
      section = 0;
      digit = null;
    } else {
      return null;
    }
  }
  return total + section + (digit ?? 0);
}

const englishWords: Record<string, number> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
  thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, thousand: 1000,
};

/** English number words that state a quantity (two…ninety, hundred, thousand); `one` and `a` are too common to count. */
export const englishNumberWord = new RegExp(`\\b(${Object.keys(englishWords).join('|')})\\b`, 'giu');

/** The value of an English number word, or null. */
export function englishNumberValue(word: string): number | null {
  return englishWords[word.toLowerCase()] ?? null;
}

/** A number as the claims compare it: no trailing zeros, no thousands separators (1,000.50 → "1000.5"). */
export function canonicalNumber(value: number): string {
  return String(Number(value.toFixed(6)));
}
