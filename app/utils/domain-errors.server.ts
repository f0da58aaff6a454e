/**
 * Expected failures, said in the domain's words. Services throw these; the server turns them
 * into HTTP answers in one place (`answerDomainErrors`), so services never build Responses.
 */
import type { ServerBuild } from "@remix-run/node";
import { DatabaseUnavailable } from "./db-errors.server";

const STATUS = { not_found: 404, not_allowed: 403, invalid: 400, conflict: 409 } as const;

export type DomainErrorKind = keyof typeof STATUS;

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (message: string) => new DomainError("not_found", message);
export const notAllowed = (message: string) => new DomainError("not_allowed", message);
export const invalid = (message: string) => new DomainError("invalid", message);
export const conflict = (message: string) => new DomainError("conflict", message);

/** The HTTP answer for an expected failure, or undefined for a bug (which stays a 500). */
export function httpAnswerFor(error: unknown): Response | undefined {
  if (error instanceof DomainError)
    return new Response(error.message, { status: STATUS[error.kind] });
  if (error instanceof DatabaseUnavailable) {
    return new Response(error.userMessage, {
      status: 503,
      headers: { "Retry-After": ["busy", "contended"].includes(error.reason) ? "2" : "30" },
    });
  }
  return undefined;
}

type RouteHandler = (args: never) => unknown;

function answering<F extends RouteHandler>(handler: F): F {
  return (async (args: never) => {
    try {
      return await handler(args);
    } catch (error) {
      throw httpAnswerFor(error) ?? error;
    }
  }) as F;
}

/** Wraps every loader and action of a build so that domain errors become their HTTP answers. */
export function answerDomainErrors(build: ServerBuild): ServerBuild {
  const routes = Object.fromEntries(
    Object.entries(build.routes).map(([id, route]) => {
      const module = { ...route.module };
      if (module.loader) module.loader = answering(module.loader);
      if (module.action) module.action = answering(module.action);
      return [id, { ...route, module }];
    }),
  );
  return { ...build, routes };
}
