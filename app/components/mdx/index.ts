import type { ComponentType } from "react";
import { Acknowledge } from "./Acknowledge";
import { Callout } from "./Callout";
import { Figure } from "./Figure";
import { KeyPoint } from "./KeyPoint";
import { MondayAction } from "./MondayAction";
import { Choice, Explanation, Question, Quiz } from "./Quiz";
import { Scenario } from "./Scenario";

/**
 * The registry MDX may use. The compile step (services/mdx-compile.server.ts) refuses any other
 * component name, any prop not listed here and any value of the wrong type.
 */
export interface MdxPropSpec {
  type: "string" | "number" | "boolean";
  required?: boolean;
  /** Allowed string values. */
  values?: readonly string[];
  /** Checked as an image URL: https:// or /course-assets/<course>/<file>. */
  image?: boolean;
  /** Checked as `#heading-id`, the id of a heading in the same lesson. */
  headingLink?: boolean;
  min?: number;
  max?: number;
}

export interface MdxComponentSpec {
  component: ComponentType<never>;
  props: Record<string, MdxPropSpec>;
  children: "allowed" | "required" | "none";
  /** Rendered on the lesson page as an interactive island; must be top level in the lesson. */
  island?: "quiz" | "acknowledge";
  /** Only allowed as a direct child of this component. */
  parent?: string;
}

export const mdxRegistry = {
  Callout: {
    component: Callout,
    props: {
      type: { type: "string", values: ["tip", "warning", "info"] },
      title: { type: "string" },
    },
    children: "required",
  },
  KeyPoint: { component: KeyPoint, props: {}, children: "required" },
  Figure: {
    component: Figure,
    props: {
      src: { type: "string", required: true, image: true },
      alt: { type: "string", required: true },
      caption: { type: "string" },
    },
    children: "none",
  },
  Scenario: {
    component: Scenario,
    props: { title: { type: "string", required: true } },
    children: "required",
  },
  MondayAction: {
    component: MondayAction,
    props: { title: { type: "string" } },
    children: "required",
  },
  Quiz: {
    component: Quiz,
    props: {
      passMark: { type: "number", min: 0, max: 1 },
      feedback: { type: "string", values: ["immediate"] },
    },
    children: "required",
    island: "quiz",
  },
  Question: {
    component: Question,
    props: {
      prompt: { type: "string", required: true },
      revisit: { type: "string", headingLink: true },
    },
    children: "required",
    parent: "Quiz",
  },
  Choice: {
    component: Choice,
    props: { correct: { type: "boolean" } },
    children: "required",
    parent: "Question",
  },
  Explanation: { component: Explanation, props: {}, children: "required", parent: "Question" },
  Acknowledge: { component: Acknowledge, props: {}, children: "required", island: "acknowledge" },
} satisfies Record<string, MdxComponentSpec>;

export type MdxComponentName = keyof typeof mdxRegistry;

export const mdxComponents: Record<string, ComponentType<never>> = Object.fromEntries(
  Object.entries(mdxRegistry).map(([name, spec]) => [name, spec.component]),
);

export {
  Acknowledge,
  Callout,
  Choice,
  Explanation,
  Figure,
  KeyPoint,
  MondayAction,
  Question,
  Quiz,
  Scenario,
};
