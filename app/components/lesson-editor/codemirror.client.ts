/**
 * CodeMirror 6 over the editor's textarea, loaded only on the editor page (a dynamic import from
 * lesson-editor.tsx). The textarea stays in the form and follows every change, so the form posts
 * the same field with or without it. Tab indents; Escape then Tab (or Shift+Tab) moves focus on,
 * so the editor never traps the keyboard.
 */
import { markdown } from "@codemirror/lang-markdown";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { minimalSetup } from "codemirror";
import { indentWithTab } from "@codemirror/commands";

export interface Problem {
  line: number;
  column: number;
  message: string;
  severity: "error" | "warning";
}

export interface SourceEditor {
  /** Marks these problems in the text (the server found them). */
  showProblems(problems: Problem[]): void;
  /** Inserts text at the cursor, on lines of its own. */
  insert(text: string): void;
  /** Puts the cursor at a line and column and focuses the editor. */
  goTo(line: number, column: number): void;
  destroy(): void;
}

export function mountEditor(
  textarea: HTMLTextAreaElement,
  options: {
    nonce: string;
    label: string;
    describedBy?: string;
    onChange: (value: string) => void;
  },
): SourceEditor {
  const view = new EditorView({
    parent: textarea.parentElement!,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        // No autocompletion: a pending completion would take the Escape that frees Tab.
        minimalSetup,
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        keymap.of([indentWithTab]),
        markdown(),
        lintGutter(),
        EditorView.lineWrapping,
        EditorView.cspNonce.of(options.nonce),
        EditorView.contentAttributes.of({
          "aria-label": options.label,
          // Focusable already (contenteditable); said explicitly for checkers of scroll regions.
          tabindex: "0",
          ...(options.describedBy ? { "aria-describedby": options.describedBy } : {}),
        }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          textarea.value = update.state.doc.toString();
          options.onChange(textarea.value);
        }),
      ],
    }),
  });
  textarea.hidden = true;

  const offset = (line: number, column: number) => {
    const doc = view.state.doc;
    const at = doc.line(Math.min(Math.max(line, 1), doc.lines));
    return Math.min(at.from + Math.max(column - 1, 0), at.to);
  };

  return {
    showProblems(problems) {
      const diagnostics: Diagnostic[] = problems.map((p) => {
        const from = offset(p.line, p.column);
        const line = view.state.doc.lineAt(from);
        // Underline the word (or tag name) where the problem starts, else the rest of the line.
        const word = /^<?\/?[\w.:-]+/.exec(line.text.slice(from - line.from))?.[0].length ?? 0;
        return {
          from,
          to: Math.max(from + 1, Math.min(line.to, from + (word || line.to - from))),
          severity: p.severity,
          message: `${p.line}:${p.column} ${p.message}`,
        };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    insert(text) {
      const { from, to } = view.state.selection.main;
      const line = view.state.doc.lineAt(from);
      const before = from === line.from ? "" : "\n\n";
      const insert = `${before}${text}\n`;
      view.dispatch({
        changes: { from, to, insert },
        selection: { anchor: from + insert.length },
        scrollIntoView: true,
      });
      view.focus();
    },
    goTo(line, column) {
      const at = offset(line, column);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    },
    destroy() {
      view.destroy();
      textarea.hidden = false;
    },
  };
}
