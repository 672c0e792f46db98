import { intBetween, pick, type Random } from './random.js';
import { tokenize } from './tokenizer.js';
import { CODE_SNIPPETS, WORDS, type PartOfSpeech } from './vocabulary.js';

interface Word {
  text: string;
  pos: PartOfSpeech;
}

// Clause shapes; `?` marks a part that is dropped half the time.
const CLAUSES: readonly (readonly string[])[] = [
  ['det', 'adj?', 'noun', 'verb', 'det', 'adj?', 'noun'],
  ['det', 'noun', 'adv?', 'verb', 'det', 'noun', 'prep', 'det', 'adj?', 'noun'],
  ['det', 'adj', 'noun', 'verb', 'det', 'noun', 'adv'],
  ['det', 'noun', 'prep', 'det', 'noun', 'verb', 'det', 'adj?', 'noun'],
];
const SHORT_SENTENCES: Record<1 | 2 | 3, readonly string[]> = {
  1: ['Indeed.', 'Exactly.', 'Agreed.', 'Right.'],
  2: ['That helps.', 'Try it.', 'Measure first.', 'Nothing more.'],
  3: ['That is all.', 'Start with that.', 'Keep it simple.', 'Hope this helps.'],
};
const CLOSING_POS: ReadonlySet<PartOfSpeech> = new Set(['noun', 'adv']);
const MIN_SENTENCE_IN_TOKENS = 6;
const MAX_SENTENCE_IN_TOKENS = 20;

/**
 * Writes an English-looking answer of exactly `tokenCount` tokens (per {@link tokenize}):
 * paragraphs of sentences, now and then a heading, a bulleted list or a fenced code block,
 * so chat UIs have Markdown to render. The same `random` sequence gives the same text.
 * @example
 * const pieces = composeAnswer(seededRandom(digest('hi')), 50);
 * pieces.length; // 50
 */
export function composeAnswer(random: Random, tokenCount: number): string[] {
  const pieces: string[] = [];
  let usedCode = false;
  let lists = 0;
  let sentencesInParagraph = 0;
  const append = (text: string, separator: string) => {
    const last = pieces.length - 1;
    if (last >= 0) pieces[last] = pieces[last].trimEnd() + separator;
    pieces.push(...tokenize(text));
  };

  if (tokenCount >= 150 && random() < 0.3) {
    append(heading(random), '');
    sentencesInParagraph = Infinity;
  }
  while (pieces.length < tokenCount) {
    const remaining = tokenCount - pieces.length;
    const roll = random();
    const code = pick(random, CODE_SNIPPETS);
    if (!usedCode && remaining >= tokenize(code).length + 20 && pieces.length >= 30 && roll < 0.12) {
      append(code, '\n\n');
      usedCode = true;
      sentencesInParagraph = Infinity;
    } else if (lists < 2 && remaining >= 30 && pieces.length >= 20 && roll > 0.85) {
      append(list(random, remaining - 10), '\n\n');
      lists++;
      sentencesInParagraph = Infinity;
    } else {
      const newParagraph = sentencesInParagraph >= intBetween(random, 2, 5);
      append(sentence(random, sentenceLength(random, remaining), '.'), pieces.length === 0 ? '' : newParagraph ? '\n\n' : ' ');
      sentencesInParagraph = newParagraph ? 1 : sentencesInParagraph + 1;
    }
  }
  pieces[pieces.length - 1] = pieces[pieces.length - 1]?.trimEnd() ?? '';
  return tokenCount > 0 ? pieces : [];
}

// Leaves no remainder too short for a sentence of its own.
function sentenceLength(random: Random, remaining: number): number {
  const length = intBetween(random, MIN_SENTENCE_IN_TOKENS, MAX_SENTENCE_IN_TOKENS);
  return remaining - length < MIN_SENTENCE_IN_TOKENS ? remaining : length;
}

function heading(random: Random): string {
  const words = clause(random, intBetween(random, 2, 4)).map((w) => capitalize(w.text.replace(/,$/, '')));
  return `### ${words.join(' ')}`;
}

// A lead-in sentence and items; never more than `budget` tokens.
function list(random: Random, budget: number): string {
  const intro = intBetween(random, 4, 8);
  const numbered = random() < 0.4;
  const lines = [sentence(random, intro, ':'), ''];
  let used = intro;
  for (let item = 1; item <= intBetween(random, 2, 5); item++) {
    const words = intBetween(random, 4, 8);
    if (used + 1 + words > budget) break;
    const text = sentence(random, words, random() < 0.5 ? '.' : '');
    const bolded = random() < 0.4 ? text.replace(/^(\S+)/, '**$1**') : text;
    lines.push(`${numbered ? `${item}.` : '-'} ${bolded}`);
    used += 1 + words;
  }
  return lines.join('\n');
}

/** A capitalised sentence of exactly `length` words, ending in `end`. */
function sentence(random: Random, length: number, end: string): string {
  if (length <= 3 && end === '.') return pick(random, SHORT_SENTENCES[length as 1 | 2 | 3]);
  const words = clause(random, length);
  const last = words.length - 1;
  if (!CLOSING_POS.has(words[last].pos)) {
    words[last] = { text: pick(random, WORDS.noun), pos: 'noun' };
    if (last > 0) words[last - 1].text = words[last - 1].text.replace(/,$/, '');
  }
  const texts = words.map((w, i) => (w.text === 'a' && /^[aeio]/.test(words[i + 1]?.text ?? '') ? 'an' : w.text));
  texts[0] = capitalize(texts[0]);
  if (random() < 0.05) {
    const at = words.findIndex((w) => w.pos === 'noun');
    if (at > 0) texts[at] = `**${texts[at]}**`;
  }
  return `${texts.join(' ')}${end}`;
}

/** Clauses joined by ", <conjunction>" until `length` words are reached. */
function clause(random: Random, length: number): Word[] {
  const words: Word[] = [];
  while (words.length < length) {
    if (words.length > 0) {
      words[words.length - 1].text += ',';
      words.push({ text: pick(random, WORDS.conj), pos: 'conj' });
    }
    for (const slot of pick(random, CLAUSES)) {
      if (slot.endsWith('?') && random() < 0.5) continue;
      const pos = slot.replace('?', '') as PartOfSpeech;
      words.push({ text: pick(random, WORDS[pos]), pos });
    }
  }
  return words.slice(0, length);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
