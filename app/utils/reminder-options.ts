// Choices the reminder pages offer, shared by the server (validation) and the pages.
import type { DigestFrequency } from "#db/schema";

export const DIGEST_FREQUENCIES = [
  "weekly",
  "fortnightly",
  "off",
] as const satisfies readonly DigestFrequency[];

export const FREQUENCY_LABELS: Record<DigestFrequency, string> = {
  weekly: "Weekly",
  fortnightly: "Every two weeks",
  off: "Off",
};

/** Monday first: a weekday's number is its index + 1. */
export const WEEKDAYS = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;
