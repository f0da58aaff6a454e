// What a request body may be, decided before any of it is read. server.js applies this to every
// request before Remix sees it: a declared length over the limit is refused at once, a body that
// grows past it while streaming (chunked, or a lying client) is refused when it does.
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { MAX_IMAGE_BYTES } from "./course-images.server";
import { MAX_SOURCE_BYTES } from "./mdx-compile.server";
import { MAX_ROSTER_BYTES } from "./roster-import.server";
import { getViewerOrNull } from "./session.server";

/** Every form in Staffroom fits easily: the largest is a lesson's quiz. */
export const FORM_BODY_LIMIT = 64 * 1024;

const FORM_TYPE = "application/x-www-form-urlencoded";
const MULTIPART_TYPE = "multipart/form-data";

/**
 * Routes that take more than a form (signed-in admins only), and the most each accepts: a file
 * upload (multipart) with its form, or the lesson editor's source (a form; URL-encoding can
 * triple its bytes).
 */
const UPLOAD_LIMITS: { route: RegExp; type: string; bytes: number; what: string }[] = [
  {
    route: /^\/admin\/import$/,
    type: MULTIPART_TYPE,
    bytes: MAX_ROSTER_BYTES + FORM_BODY_LIMIT,
    what: `a roster file (the limit is ${MAX_ROSTER_BYTES / 1024 / 1024} MB)`,
  },
  {
    route: /^\/admin\/course-images\/[^/]+$/,
    type: MULTIPART_TYPE,
    bytes: MAX_IMAGE_BYTES + FORM_BODY_LIMIT,
    what: `an image (the limit is ${MAX_IMAGE_BYTES / 1024 / 1024} MB)`,
  },
  {
    route: /^\/admin\/courses\/[^/]+\/[^/]+\/edit$/,
    type: FORM_TYPE,
    bytes: 3 * MAX_SOURCE_BYTES + FORM_BODY_LIMIT,
    what: `a lesson (the limit is ${MAX_SOURCE_BYTES / 1024} KB of text)`,
  },
];

export interface BodyRefusal {
  status: 400 | 413 | 415;
  message: string;
}

/** The route a path belongs to: single-fetch `.data` requests and trailing slashes included. */
const routeOf = (path: string) => path.replace(/\.data$/, "").replace(/(.)\/+$/, "$1");

function uploadOf(path: string) {
  const route = routeOf(path);
  return UPLOAD_LIMITS.find((limit) => limit.route.test(route));
}

function tooLarge(upload: { what: string } | undefined): BodyRefusal {
  return {
    status: 413,
    message: upload
      ? `This upload is too large: Staffroom accepts ${upload.what}. Nothing was changed.`
      : `This form is too large: Staffroom accepts at most ${FORM_BODY_LIMIT / 1024} KB. Nothing was changed.`,
  };
}

export type BodyPolicy =
  | { refusal: BodyRefusal }
  /** Read at most `limit` bytes; answer `tooLarge` past that. */
  | { limit: number; tooLarge: BodyRefusal };

/**
 * Decides from the headers alone: a content type Staffroom's forms never send (415), a multipart
 * body without a boundary (400), a compressed body (415), or a declared length over the limit
 * (413); otherwise how much may be read. Files are taken from signed-in admins only, so that
 * nobody else can make the server hold more than a form's worth of bytes.
 */
export async function bodyPolicy(path: string, headers: IncomingHttpHeaders): Promise<BodyPolicy> {
  const [type = "", ...params] = (headers["content-type"] ?? "")
    .split(";")
    .map((part) => part.trim());
  const mediaType = type.toLowerCase();
  const route = uploadOf(path);
  if (mediaType === MULTIPART_TYPE && route?.type === MULTIPART_TYPE) {
    const boundary = params.some((p) => /^boundary=("?)[^"]{1,70}\1$/i.test(p));
    if (!boundary) {
      return {
        refusal: {
          status: 400,
          message: "This upload is malformed: multipart/form-data needs a boundary.",
        },
      };
    }
  } else if (mediaType !== FORM_TYPE) {
    return {
      refusal: {
        status: 415,
        message: `Staffroom accepts forms only: send ${FORM_TYPE}${route?.type === MULTIPART_TYPE ? ` (or ${MULTIPART_TYPE} for ${route.what})` : ""}, not ${mediaType ? `"${mediaType}"` : "a body without a content type"}.`,
      },
    };
  }
  const encoding = (headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity") {
    return {
      refusal: {
        status: 415,
        message: `Staffroom does not accept ${encoding}-encoded request bodies.`,
      },
    };
  }
  const upload = route && (await isAdmin(headers)) ? route : undefined;
  const limit = upload?.bytes ?? FORM_BODY_LIMIT;
  if (Number(headers["content-length"] ?? 0) > limit) return { refusal: tooLarge(upload) };
  return { limit, tooLarge: tooLarge(upload) };
}

async function isAdmin(headers: IncomingHttpHeaders): Promise<boolean> {
  const request = new Request("http://staffroom.invalid/", {
    headers: { Cookie: headers.cookie ?? "" },
  });
  return (await getViewerOrNull(request))?.isAdmin ?? false;
}

/**
 * Reads a request body into memory, stopping (and pausing the stream) as soon as it passes
 * `limit` bytes, whatever the request declared: null then. Rejects when the client goes away.
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => onError(new Error("The client closed the connection mid-request."));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
