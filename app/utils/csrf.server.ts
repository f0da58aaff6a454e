const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Every state-changing request must come from our own origin. A missing Origin header is
 * refused too: every browser we support sends it on POST.
 */
export function isTrustedRequest(
  method: string,
  originHeader: string | undefined | null,
  expectedOrigin: string,
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  if (!originHeader) return false;
  return originHeader === expectedOrigin;
}
