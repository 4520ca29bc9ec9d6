/**
 * The "noisy digit glyphs" task of the feed-forward net (whitepaper §2.2.5: "as a proof of concept … a simple
 * feed-forward net"; DESIGN.md §1.7): classify an 8×8 grey-level image of a digit 0–9.
 *
 * Each image is a 5×7 bitmap-font digit placed at a random offset in the 8×8 frame (4 × 2 = 8 placements),
 * drawn at a random ink intensity, with Gaussian pixel noise and a few salt-and-pepper pixels. Pixels are int8
 * in [0, 127] (the engine's classify input is an int8 vector), row-major, 64 values. Deterministic per seed.
 */
import { BaseError } from '../../common/errors.ts';
import { SeededRandom } from '../../common/clock.ts';

export interface GlyphTaskSpec {
  readonly name: string;
  /** Image side in pixels (the input vector has side² entries). */
  readonly side: number;
  /** Number of classes (digits 0–9). */
  readonly classes: number;
  /** Standard deviation of the additive Gaussian pixel noise, as a fraction of full scale. */
  readonly noise: number;
  /** Probability that a pixel is replaced by pure black or white. */
  readonly saltPepper: number;
}

export const GLYPH_TASK_SPEC: GlyphTaskSpec = {
  name: 'noisy-digit-glyphs',
  side: 8, // 64 inputs: the 64 → 128 → 64 → 10 net of docs/models.md
  classes: 10,
  noise: 0.25, // heavy enough that a nearest-template rule is not perfect, light enough for ~98% accuracy
  saltPepper: 0.03, // ≈ 2 flipped pixels per image
};

export interface GlyphExample {
  /** 64 int8 pixels in [0, 127], row-major. */
  pixels: Int8Array;
  label: number;
}

/** 5×7 font, one string per row, '#' = ink. */
const FONT: readonly string[][] = [
  [' ### ', '#   #', '#  ##', '# # #', '##  #', '#   #', ' ### '],
  ['  #  ', ' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  [' ### ', '#   #', '    #', '   # ', '  #  ', ' #   ', '#####'],
  ['#####', '   # ', '  #  ', '   # ', '    #', '#   #', ' ### '],
  ['   # ', '  ## ', ' # # ', '#  # ', '#####', '   # ', '   # '],
  ['#####', '#    ', '#### ', '    #', '    #', '#   #', ' ### '],
  ['  ## ', ' #   ', '#    ', '#### ', '#   #', '#   #', ' ### '],
  ['#####', '    #', '   # ', '  #  ', ' #   ', ' #   ', ' #   '],
  [' ### ', '#   #', '#   #', ' ### ', '#   #', '#   #', ' ### '],
  [' ### ', '#   #', '#   #', ' ####', '    #', '   # ', ' ##  '],
];

export class GlyphTaskError extends BaseError<{ argument: string; reason: string }> {
  constructor(argument: string, reason: string) {
    super('TASK_BAD_ARGUMENT', `bad glyph task ${argument}: ${reason}`, { details: { argument, reason } });
  }
}

/** Most examples one call may generate. */
export const MAX_GLYPH_COUNT = 1_000_000;

/** The clean template of `digit` at offset (dx, dy), as 0/1 per pixel. */
export function glyphTemplate(digit: number, dx: number, dy: number, side = GLYPH_TASK_SPEC.side): Uint8Array {
  const rows = FONT[digit];
  if (rows === undefined) throw new GlyphTaskError('digit', `${digit} is not in 0–9`);
  const out = new Uint8Array(side * side);
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) if (row[x] === '#') out[(y + dy) * side + x + dx] = 1;
  });
  return out;
}

/** `count` labelled images drawn from `seed` (uint32); labels are uniform over 0–9. */
export function generateGlyphs(seed: number, count: number, spec: GlyphTaskSpec = GLYPH_TASK_SPEC): GlyphExample[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new GlyphTaskError('seed', 'must be a uint32');
  if (!Number.isInteger(count) || count < 0 || count > MAX_GLYPH_COUNT) throw new GlyphTaskError('count', `must be an integer in [0, ${MAX_GLYPH_COUNT}]`);
  const rng = new SeededRandom(seed);
  const uniform = (n: number): number => Math.floor(rng.nextFloat() * n);
  const out: GlyphExample[] = [];
  for (let n = 0; n < count; n++) {
    const label = uniform(spec.classes);
    const template = glyphTemplate(label, uniform(spec.side - 4), uniform(spec.side - 6), spec.side);
    const ink = 0.6 + 0.4 * rng.nextFloat();
    const pixels = new Int8Array(spec.side * spec.side);
    for (let i = 0; i < pixels.length; i++) {
      let v = template[i]! * ink + spec.noise * gaussian(rng);
      if (rng.nextFloat() < spec.saltPepper) v = rng.nextFloat() < 0.5 ? 0 : 1;
      pixels[i] = Math.round(127 * Math.min(1, Math.max(0, v)));
    }
    out.push({ pixels, label });
  }
  return out;
}

/** True iff `answer` (a class id) is the label of the example. */
export function scoreGlyph(example: GlyphExample, answer: number): boolean {
  return Number.isInteger(answer) && answer === example.label;
}

function gaussian(rng: SeededRandom): number {
  const u1 = (rng.nextU32() + 1) / 4294967297;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextFloat());
}
