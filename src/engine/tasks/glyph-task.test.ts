import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateGlyphs, glyphTemplate, GlyphTaskError, scoreGlyph } from './glyph-task.ts';

test('generateGlyphs is deterministic per seed and differs between seeds', () => {
  const a = generateGlyphs(5, 100);
  assert.deepEqual(a, generateGlyphs(5, 100));
  assert.notDeepEqual(a, generateGlyphs(6, 100));
});

test('images are 64 int8 pixels in [0, 127] and labels cover 0–9', () => {
  const seen = new Set<number>();
  for (const ex of generateGlyphs(1, 500)) {
    assert.equal(ex.pixels.length, 64);
    for (const p of ex.pixels) assert.ok(p >= 0 && p <= 127);
    seen.add(ex.label);
  }
  assert.equal(seen.size, 10);
});

test('a noisy image is closer to its own digit template than to the others, most of the time', () => {
  // Nearest template (best over the 8 placements) should be right for most images: the label is meaningful.
  let right = 0;
  const examples = generateGlyphs(2, 300);
  for (const ex of examples) {
    let best = -1;
    let bestScore = -Infinity;
    for (let d = 0; d < 10; d++) {
      for (let dx = 0; dx < 4; dx++) for (let dy = 0; dy < 2; dy++) {
        const t = glyphTemplate(d, dx, dy);
        let s = 0;
        for (let i = 0; i < 64; i++) s += (t[i]! * 2 - 1) * ex.pixels[i]!;
        if (s > bestScore) { bestScore = s; best = d; }
      }
    }
    if (scoreGlyph(ex, best)) right++;
  }
  assert.ok(right / examples.length > 0.8, `nearest-template accuracy ${right / examples.length}`);
});

test('bad arguments are typed errors', () => {
  assert.throws(() => generateGlyphs(-1, 1), GlyphTaskError);
  assert.throws(() => generateGlyphs(1, 2e6), GlyphTaskError);
  assert.throws(() => glyphTemplate(10, 0, 0), GlyphTaskError);
  assert.equal(scoreGlyph({ pixels: new Int8Array(64), label: 3 }, 3.5), false);
});
