import type { ComponentType } from "react";
import { CostBenefitWorksheet, parseCostBenefitProps } from "./CostBenefitWorksheet";
import { HomepageSort, parseHomepageSortProps } from "./HomepageSort";
import { MythOrFact, parseMythOrFactProps } from "./MythOrFact";

/**
 * Interactive teaching components that MDX may use as islands. The compile step turns
 * `<Name prop="literal" />` into a widget island with JSON props; the lesson page renders the
 * component from this registry. Their inputs never gate completion unless the lesson says so.
 */
export const widgets: Record<string, ComponentType<Record<string, unknown>>> = {
  CostBenefitWorksheet,
  HomepageSort,
  MythOrFact,
};

/**
 * Prop checks for each widget: the problems a course author should fix (empty when the props are
 * fine). The widgets run the same checks when they render, and show a helpful note instead of
 * themselves when the props are malformed; a compile step or a test may call these to report the
 * problems earlier, with the file name.
 */
export const widgetPropChecks: Record<string, (props: Record<string, unknown>) => string[]> = {
  CostBenefitWorksheet: (props) => parseCostBenefitProps(props).problems,
  HomepageSort: (props) => parseHomepageSortProps(props).problems,
  MythOrFact: (props) => parseMythOrFactProps(props).problems,
};
