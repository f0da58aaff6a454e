import { randomBytes } from "node:crypto";
import { publicOrigin } from "./env.server";

export const newNonce = () => randomBytes(16).toString("base64");

/**
 * Headers on every response, whatever made it: pages, `.data`, CSV, plain text, static files and
 * the server's own refusals (server.js sets them first). HSTS only when the public origin is
 * https, where it cannot lock anyone out of a plain-http install.
 */
export function everyResponseHeaders(): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
  };
  if (publicOrigin().startsWith("https://")) {
    headers["Strict-Transport-Security"] = "max-age=31536000";
  }
  return headers;
}

/** Pages run under this CSP: no eval, scripts only with this response's nonce. */
export function pageSecurityHeaders(nonce: string): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' https: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "Content-Security-Policy": csp,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  };
}
