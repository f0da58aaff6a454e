import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe: session tokens and one-time links. */
export const newToken = () => randomBytes(32).toString("base64url");

export const sha256Hex = (value: string) => createHash("sha256").update(value).digest("hex");
