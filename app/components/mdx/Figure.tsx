export interface FigureProps {
  /** An absolute https:// URL or /course-assets/<course>/<file> (checked by the compile step). */
  src: string;
  alt: string;
  caption?: string;
}

export function Figure({ src, alt, caption }: FigureProps) {
  return (
    <figure className="figure">
      <img className="figure__image" src={src} alt={alt} loading="lazy" decoding="async" />
      {caption ? <figcaption className="figure__caption">{caption}</figcaption> : null}
    </figure>
  );
}
