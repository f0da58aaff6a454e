// Ids for the lesson's Markdown headings, so that a quiz question can point learners back to the
// section that teaches it (`<Question revisit="#heading-id">`). The validator and the rehype
// plugin derive the same ids from the same text.

interface TextNode {
  type: string;
  value?: string;
  children?: TextNode[];
}

/** The plain text of a heading, in the Markdown tree or the HTML tree alike. */
export function textOf(node: TextNode): string {
  if (node.type === "text" || node.type === "inlineCode") return node.value ?? "";
  return (node.children ?? []).map(textOf).join("");
}

/** Kebab-case ids in document order; a repeated heading gets `-2`, `-3`, … */
export function headingIds() {
  const seen = new Map<string, number>();
  return (text: string): string => {
    const base =
      text
        .toLowerCase()
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "") || "section";
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  };
}

/** A `revisit` value: `#` and a kebab-case heading id. */
export const HEADING_LINK = /^#[a-z0-9]+(?:-[a-z0-9]+)*$/;

interface HastNode extends TextNode {
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

/** Rehype plugin: gives every h2–h4 that came from Markdown an id from its text. */
export function rehypeHeadingIds() {
  return (tree: HastNode) => {
    const idFor = headingIds();
    const visit = (node: HastNode) => {
      if (node.type === "element" && /^h[2-4]$/.test(node.tagName ?? "")) {
        node.properties = { ...node.properties, id: idFor(textOf(node)) };
      }
      for (const child of node.children ?? []) visit(child);
    };
    visit(tree);
  };
}
