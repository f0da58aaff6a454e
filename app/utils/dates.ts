/**
 * A calendar day ("2026-12-03") as people read it ("3 December 2026"). Days reach the page
 * already in the organisation's time zone (app/utils/calendar.server.ts), so formatting them
 * needs no zone of its own and server and browser agree.
 */
export const formatDay = (day: string) =>
  new Date(`${day}T12:00:00.000Z`).toLocaleDateString("en-GB", {
    dateStyle: "long",
    timeZone: "UTC",
  });
