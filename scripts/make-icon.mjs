// Renders the Marketplace / Open VSX icon (media/icon.png, 256×256) from media/icon.svg, the
// activity-bar glyph: its bars in the panel's "raw probability" blue and its arrow in the
// "after sampling" orange, on a rounded square of the gallery banner colour (package.json
// `galleryBanner.color`, so listing header and icon match).
//
//   node scripts/make-icon.mjs            writes media/icon.png
//   node scripts/make-icon.mjs --check    exits 1 when media/icon.png is not what the SVG renders to
import { Resvg } from '@resvg/resvg-js';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ICON_SVG = join(root, 'media/icon.svg');
export const ICON_PNG = join(root, 'media/icon.png');
export const ICON_SIZE = 256; // px; the Marketplace asks for at least 128×128
const BAR_BLUE = '#4a90e2'; // the panel's raw-probability bars
const ARROW_ORANGE = '#f0a030'; // the panel's after-sampling marks

/** The icon as SVG text: the glyph of `glyphSvg` (a 24×24 `currentColor` outline) on the banner colour. */
export function iconSvg(glyphSvg, bannerColor) {
  const viewBox = glyphSvg.match(/viewBox="([^"]+)"/)?.[1];
  const inner = glyphSvg.match(/<svg[^>]*>([\s\S]*)<\/svg>/)?.[1];
  const strokeWidth = glyphSvg.match(/<svg[^>]*stroke-width="([^"]+)"/)?.[1] ?? '1.6';
  if (!viewBox || !inner) throw new Error(`${ICON_SVG} is not a single <svg> with a viewBox`);
  const glyph = inner
    .replace(/<rect\b/g, `<rect fill="${BAR_BLUE}" fill-opacity="0.35"`) // the probability bars
    .replace(/<path\b/g, `<path stroke="${ARROW_ORANGE}"`) // the "next" arrow
    .replace(/currentColor/g, BAR_BLUE);
  const pad = 28; // px of banner colour around the glyph
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${ICON_SIZE}" height="${ICON_SIZE}" viewBox="0 0 ${ICON_SIZE} ${ICON_SIZE}">
  <rect width="${ICON_SIZE}" height="${ICON_SIZE}" rx="44" fill="${bannerColor}"/>
  <svg x="${pad}" y="${pad}" width="${ICON_SIZE - 2 * pad}" height="${ICON_SIZE - 2 * pad}" viewBox="${viewBox}"
       fill="none" stroke="${BAR_BLUE}" stroke-width="${strokeWidth}" stroke-linecap="round" stroke-linejoin="round">
    ${glyph.trim()}
  </svg>
</svg>`;
}

/** PNG bytes of the icon, rendered from media/icon.svg and package.json's banner colour. */
export function renderIcon() {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const banner = manifest.galleryBanner?.color;
  if (!banner) throw new Error('package.json has no galleryBanner.color');
  const svg = iconSvg(readFileSync(ICON_SVG, 'utf8'), banner);
  return new Resvg(svg, { fitTo: { mode: 'width', value: ICON_SIZE }, font: { loadSystemFonts: false } }).render().asPng();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const png = renderIcon();
  if (process.argv.includes('--check')) {
    let current = Buffer.alloc(0);
    try { current = readFileSync(ICON_PNG); } catch { /* no icon yet: out of date */ }
    if (!current.equals(png)) {
      console.error('media/icon.png is out of date with media/icon.svg: run `node scripts/make-icon.mjs`');
      process.exit(1);
    }
  } else {
    writeFileSync(ICON_PNG, png);
    console.log(`media/icon.png: ${ICON_SIZE}×${ICON_SIZE}, ${png.length} bytes`);
  }
}
