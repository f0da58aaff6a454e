/**
 * Days as the organisation lives them. "Today", due dates and on-time-or-late are days in
 * ORG_TIMEZONE ("YYYY-MM-DD"); instants are stored in UTC. Zone arithmetic is luxon's.
 */
import { DateTime } from "luxon";
import { now } from "./clock.server";
import { env } from "./env.server";

export type Day = string;

export const orgTimeZone = (): string => env().orgTimeZone;

function inZone(day: Day): DateTime {
  const date = DateTime.fromISO(day, { zone: orgTimeZone() });
  if (!date.isValid) throw new Error(`Not a calendar day: ${day}`);
  return date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** One formatter per zone: pages turn hundreds of instants into days (luxon took 10× longer). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The organisation's calendar day at an instant (default: now). */
export function dayOf(instant: string | Date = now()): Day {
  const zone = orgTimeZone();
  let format = dayFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    dayFormats.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(new Date(instant))) parts[type] = value;
  return `${parts.year!.padStart(4, "0")}-${parts.month}-${parts.day}`;
}

export const today = (): Day => dayOf(now());

/** The UTC instant at which a day begins in the organisation's zone (daylight saving included). */
export function startOfDay(day: Day): string {
  return inZone(day).startOf("day").toUTC().toISO()!;
}

/** The first instant after a due day: anything done before it was done on time. */
export const dueBefore = (dueOn: Day): string => startOfDay(addDays(dueOn, 1));

export function addDays(day: Day, days: number): Day {
  return DateTime.fromISO(day, { zone: "utc" }).plus({ days }).toISODate()!;
}

/** The same day of the month `months` later (or earlier), clamped to the month's last day. */
export function addMonths(day: Day, months: number): Day {
  return DateTime.fromISO(day, { zone: "utc" }).plus({ months }).toISODate()!;
}

/** Whole days from one day to another (negative when `to` is earlier). */
export function daysBetween(from: Day, to: Day): number {
  // "YYYY-MM-DD" parses as midnight UTC: calendar days, no zone and no daylight saving.
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

/** The instant `months` before another, counted on the organisation's calendar. */
export function monthsBefore(instant: string, months: number): string {
  return DateTime.fromISO(instant).setZone(orgTimeZone()).minus({ months }).toUTC().toISO()!;
}

/** The hour (0–23) on the organisation's clocks at an instant (default: now). */
export const hourOf = (instant: Date = now()): number =>
  DateTime.fromJSDate(instant).setZone(orgTimeZone()).hour;

/** Monday 1 … Sunday 7. */
export const weekdayOf = (day: Day): number => DateTime.fromISO(day, { zone: "utc" }).weekday;

/** The ISO week a day falls in, e.g. "2026-W10". */
export const isoWeekOf = (day: Day): string =>
  DateTime.fromISO(day, { zone: "utc" }).toFormat("kkkk-'W'WW");

/** The organisation's clock time at an instant, "14:05": with `dayOf`, when something happened. */
export function timeOfDay(instant: string): string {
  return DateTime.fromISO(instant).setZone(orgTimeZone()).toFormat("HH:mm");
}
