/** Only same-site paths: never a scheme, host or protocol-relative URL. */
export function safeRedirect(target: unknown, fallback = "/"): string {
  if (typeof target !== "string" || !target.startsWith("/") || target.startsWith("//")) {
    return fallback;
  }
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (target.includes("\\") || /[\u0000-\u001f]/.test(target)) return fallback;
  return target;
}
