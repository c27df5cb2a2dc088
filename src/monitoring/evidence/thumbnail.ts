/**
 * Thumbnails of image evidence, rendered with sharp (libvips) from the original's bytes in memory:
 * the stored original is never opened for writing, and never handed to the renderer by path.
 *
 * A thumbnail is a convenience for people scanning evidence, never evidence itself, so everything
 * needed to judge it is recorded beside it: the tool and its version, the settings, its size. The
 * device's own EXIF thumbnail is kept as well (as `exif-embedded`), but it is not served as "the"
 * thumbnail: an edited photo often keeps the thumbnail of the picture before the edit, so only a
 * rendering of the stored bytes can stand for what was uploaded.
 *
 * The renderer is native code reading untrusted files, so its input is bounded: a pixel limit (against
 * decompression bombs), a time limit, and only the first frame of an animation.
 */
import sharp from 'sharp';

/** What a thumbnail is made by, in `evidence_derived.method`. */
export const THUMBNAIL_METHOD = 'rendered';
export const THUMBNAIL_LONG_EDGE = 320;
export const THUMBNAIL_MEDIA_TYPE = 'image/jpeg';
const QUALITY = 80;
/** 16384 × 16384, sharp's own default, made explicit so a change of default cannot widen it. */
const MAX_INPUT_PIXELS = 16_384 * 16_384;
const TIMEOUT_SECONDS = 30;
/** Reasons are shown to people and stored; the renderer's messages can be long. */
const MAX_REASON = 300;

/** Types the renderer is asked to draw. HEIC is tried too: the reason is recorded when it cannot. */
const RENDERABLE = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif']);

export function isImageType(mediaType: string): boolean {
  return mediaType.startsWith('image/');
}

export function canRender(mediaType: string): boolean {
  return RENDERABLE.has(mediaType);
}

/** How a thumbnail was made: enough to make it again with the same tool and compare. */
export interface ThumbnailParams {
  tool: 'sharp';
  version: string;
  libvips: string;
  /** The longest edge in pixels; a smaller image is not enlarged. */
  longEdge: number;
  fit: 'inside';
  /** EXIF orientation is applied, so the thumbnail stands the way the camera meant. */
  orientation: 'applied';
  /** Transparent areas are drawn on this colour (JPEG has no transparency). */
  background: string;
  format: 'jpeg';
  quality: number;
  /** Only the first frame of an animation is drawn. */
  frames: 'first';
  /** EXIF, XMP, ICC and every other metadata are left out of the thumbnail. */
  metadata: 'removed';
  /** The original's pixel size as the renderer read it, before orientation. */
  sourceWidth?: number;
  sourceHeight?: number;
}

export interface Thumbnail {
  bytes: Buffer;
  width: number;
  height: number;
  mediaType: typeof THUMBNAIL_MEDIA_TYPE;
  method: typeof THUMBNAIL_METHOD;
  params: ThumbnailParams;
}

export type ThumbnailOutcome = { made: true; thumbnail: Thumbnail } | { made: false; reason: string };

function reasonOf(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
  return (text || 'the image could not be read').slice(0, MAX_REASON);
}

/**
 * Renders a thumbnail of `original`, or says why it cannot. Undefined for types no thumbnail is made
 * of (video, audio, documents, sensor files). Never throws for a bad image: a corrupt upload is still
 * evidence, and its missing thumbnail is recorded with the reason instead.
 */
export async function makeThumbnail(
  original: Uint8Array,
  mediaType: string,
): Promise<ThumbnailOutcome | undefined> {
  if (!canRender(mediaType)) return undefined;
  const input = {
    limitInputPixels: MAX_INPUT_PIXELS,
    sequentialRead: true,
    animated: false,
    // Warnings (a truncated scan, say) still give a picture worth showing; errors give none.
    failOn: 'error',
  } as const;
  // The renderer reads bytes already in memory and never the stored file, which it cannot reach.
  const bytes = Buffer.isBuffer(original)
    ? original
    : Buffer.from(original.buffer, original.byteOffset, original.byteLength);
  try {
    const meta = await sharp(bytes, input).metadata();
    const { data, info } = await sharp(bytes, input)
      .rotate()
      .resize({
        width: THUMBNAIL_LONG_EDGE,
        height: THUMBNAIL_LONG_EDGE,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: QUALITY, mozjpeg: false })
      .timeout({ seconds: TIMEOUT_SECONDS })
      .toBuffer({ resolveWithObject: true });
    const params: ThumbnailParams = {
      tool: 'sharp',
      version: sharp.versions.sharp ?? 'unknown',
      libvips: sharp.versions.vips,
      longEdge: THUMBNAIL_LONG_EDGE,
      fit: 'inside',
      orientation: 'applied',
      background: '#ffffff',
      format: 'jpeg',
      quality: QUALITY,
      frames: 'first',
      metadata: 'removed',
      ...(meta.width ? { sourceWidth: meta.width } : {}),
      ...(meta.height ? { sourceHeight: meta.height } : {}),
    };
    return {
      made: true,
      thumbnail: {
        bytes: data,
        width: info.width,
        height: info.height,
        mediaType: THUMBNAIL_MEDIA_TYPE,
        method: THUMBNAIL_METHOD,
        params,
      },
    };
  } catch (e) {
    return { made: false, reason: reasonOf(e) };
  }
}
