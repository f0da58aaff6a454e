import { Form, useFetcher } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState } from "react";
import type { SourceEditor } from "./lesson-editor/codemirror.client";
import { SourceErrorList } from "./authoring";
import { LessonBody } from "./lesson-body";
import type { RenderedLesson } from "./mdx/islands";
import { SNIPPETS } from "./mdx/snippets";
import { useNonce } from "./nonce";

/** A problem the server found, where it is. */
export interface SourceProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** What the server answers for a source: its problems and (when it compiled) its preview. */
export interface CheckView {
  errors: SourceProblem[];
  otherErrors: SourceProblem[];
  warnings: SourceProblem[];
  rendered: RenderedLesson | null;
}

const PREVIEW_DELAY_MS = 600;
export const SOURCE_LABEL = "Lesson source";

/**
 * The lesson editor: a plain textarea named "Lesson source" that posts without JavaScript, made
 * into CodeMirror when scripts run (loaded only here). The server checks and renders every
 * change for the preview through the publishing pipeline; nothing the author wrote runs here.
 */
export function LessonEditor({
  source,
  baseVersionId,
  revision,
  check,
  uploadAction,
}: {
  source: string;
  baseVersionId: number | null;
  revision: number;
  check: CheckView;
  /** Where images are uploaded (the course's folder), when the course has one. */
  uploadAction: string | null;
}) {
  const nonce = useNonce();
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const editorRef = useRef<SourceEditor | null>(null);
  const [enhanced, setEnhanced] = useState(false);
  const preview = useFetcher<{ check: CheckView }>({ key: "lesson-preview" });
  const upload = useFetcher<{ image?: { url: string; file: string; exists?: boolean } }>();
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const submitPreview = preview.submit;

  const requestPreview = useCallback(
    (value: string) => {
      clearTimeout(timer.current);
      timer.current = setTimeout(
        () => submitPreview({ intent: "preview", source: value }, { method: "post" }),
        PREVIEW_DELAY_MS,
      );
    },
    [submitPreview],
  );

  useEffect(() => {
    let cancelled = false;
    void import("./lesson-editor/codemirror.client").then(({ mountEditor }) => {
      if (cancelled || !textareaRef.current) return;
      editorRef.current = mountEditor(textareaRef.current, {
        nonce,
        label: SOURCE_LABEL,
        describedBy: "source-help",
        onChange: requestPreview,
      });
      setEnhanced(true);
    });
    return () => {
      cancelled = true;
      clearTimeout(timer.current);
      editorRef.current?.destroy();
      editorRef.current = null;
    };
  }, [nonce, requestPreview]);

  const shown = preview.data?.check ?? check;
  // While the text has errors, the last preview that compiled stays on show.
  const [lastRendered, setLastRendered] = useState(check.rendered);
  useEffect(() => {
    if (shown.rendered) setLastRendered(shown.rendered);
  }, [shown.rendered]);
  const rendered = shown.rendered ?? lastRendered;
  useEffect(() => {
    editorRef.current?.showProblems([
      ...shown.errors.map((e) => ({ ...e, severity: "error" as const })),
      ...shown.warnings.map((e) => ({ ...e, severity: "warning" as const })),
    ]);
  }, [shown, enhanced]);

  const uploaded = upload.data?.image;
  useEffect(() => {
    if (uploaded && !uploaded.exists) {
      editorRef.current?.insert(
        `<Figure\n  src="${uploaded.url}"\n  alt="Describe the picture for people who cannot see it"\n/>`,
      );
    }
  }, [uploaded]);

  const insertSnippet = (name: string) => {
    const snippet = SNIPPETS.find((s) => s.name === name);
    if (snippet) editorRef.current?.insert(snippet.text);
  };

  return (
    <div className="editor">
      <div className="editor__source">
        <Form method="post" id="lesson-form" className="editor__form">
          <input type="hidden" name="base" value={baseVersionId ?? ""} />
          <input type="hidden" name="revision" value={revision} />
          <label htmlFor="source" className="editor__label">
            {SOURCE_LABEL}
          </label>
          <p id="source-help" className="field__hint">
            Markdown with the components in the Insert menu. Tab indents; press Escape, then Tab, to
            move on.
          </p>
          <div className="editor__area">
            <textarea
              ref={textareaRef}
              id="source"
              name="source"
              defaultValue={source}
              rows={28}
              spellCheck
              aria-describedby="source-help"
              aria-invalid={shown.errors.length > 0 ? true : undefined}
            />
          </div>
          <div className="editor__buttons">
            <button type="submit" name="intent" value="save" className="button">
              Save draft
            </button>
            <button type="submit" name="intent" value="publish" className="button">
              Publish
            </button>
            {enhanced ? null : (
              <button type="submit" name="intent" value="preview" className="button button--quiet">
                Check and preview
              </button>
            )}
          </div>
        </Form>
        {enhanced ? (
          <div className="editor__tools">
            <InsertMenu onInsert={insertSnippet} />
            {uploadAction ? (
              <upload.Form
                method="post"
                action={uploadAction}
                encType="multipart/form-data"
                className="editor__upload"
              >
                <label>
                  Add an image (PNG, JPEG, GIF or WebP, up to 5 MB)
                  <input
                    type="file"
                    name="image"
                    accept="image/png,image/jpeg,image/gif,image/webp"
                  />
                </label>
                <button type="submit" className="button button--quiet">
                  Upload
                </button>
                {uploaded?.exists ? (
                  <p role="status">
                    {uploaded.file} already exists: use it as {uploaded.url}, or rename your file.
                  </p>
                ) : null}
              </upload.Form>
            ) : null}
          </div>
        ) : null}
        <Problems check={shown} onGoTo={(line, column) => editorRef.current?.goTo(line, column)} />
      </div>
      {/* Focusable: it scrolls on its own beside the editor, and keyboards must reach it. */}
      <section className="editor__preview" aria-labelledby="preview-title" tabIndex={0}>
        <h2 id="preview-title">Preview</h2>
        <p className="muted small" role="status">
          {preview.state !== "idle"
            ? "Checking…"
            : shown.rendered
              ? "As learners will see it (quizzes without their answers)."
              : rendered
                ? "The text has errors: this is the last version without them."
                : "The preview appears once the lesson has no errors."}
        </p>
        {rendered ? (
          <div
            className={`prose editor__rendered${shown.rendered ? "" : " editor__rendered--stale"}`}
          >
            <LessonBody rendered={rendered} readOnly />
          </div>
        ) : null}
      </section>
    </div>
  );
}

function InsertMenu({ onInsert }: { onInsert: (name: string) => void }) {
  const [choice, setChoice] = useState(SNIPPETS[0]!.name);
  return (
    <div className="editor__insert">
      <label htmlFor="insert-snippet">Insert</label>
      <select id="insert-snippet" value={choice} onChange={(e) => setChoice(e.target.value)}>
        {SNIPPETS.map((s) => (
          <option key={s.name} value={s.name}>
            {s.label}
          </option>
        ))}
      </select>
      <button type="button" className="button button--quiet" onClick={() => onInsert(choice)}>
        Insert at the cursor
      </button>
    </div>
  );
}

function Problems({
  check,
  onGoTo,
}: {
  check: CheckView;
  onGoTo: (line: number, column: number) => void;
}) {
  const { errors, warnings, otherErrors } = check;
  if (errors.length + warnings.length + otherErrors.length === 0) {
    return (
      <p className="editor__ok" role="status">
        No problems found.
      </p>
    );
  }
  return (
    <div className="editor__problems" role="status">
      {errors.length > 0 ? (
        <>
          <h2>
            {errors.length} {errors.length === 1 ? "error" : "errors"}: this draft cannot be
            published until {errors.length === 1 ? "it is" : "they are"} fixed
          </h2>
          <ProblemList problems={errors} onGoTo={onGoTo} />
        </>
      ) : null}
      {warnings.length > 0 ? (
        <>
          <h2>Quiz-quality warnings (publishing is still possible)</h2>
          <ProblemList problems={warnings} onGoTo={onGoTo} />
        </>
      ) : null}
      {otherErrors.length > 0 ? (
        <>
          <h2>Other files of this course have errors, which stop any publish</h2>
          <SourceErrorList errors={otherErrors} />
        </>
      ) : null}
    </div>
  );
}

function ProblemList({
  problems,
  onGoTo,
}: {
  problems: SourceProblem[];
  onGoTo: (line: number, column: number) => void;
}) {
  return (
    <ul className="problem-list">
      {problems.map((p, i) => (
        <li key={i}>
          <button
            type="button"
            className="problem-list__at"
            onClick={() => onGoTo(p.line, p.column)}
            aria-label={`Line ${p.line}, column ${p.column}: go there`}
          >
            {p.line}:{p.column}
          </button>{" "}
          {p.message}
        </li>
      ))}
    </ul>
  );
}
